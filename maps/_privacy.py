"""Hiding small booths: a booth used by few households would show what each household throws away.

Each booth is judged by its own household count. Booths below the threshold are merged,
per village, into one site at the village centroid, with their tonnage summed and their
flows re-pointed and summed. When the merged booths together still serve fewer households
than the threshold, the village's next-smallest booths join them until the group reaches
it (or the whole village is one point).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from maps._errors import MapsError
from maps._records import Flow, Site
from maps._text import CATEGORIES

MERGED_NAME = "{village} · several booths"


def merged_site_id(village: str) -> str:
    """The id of the site that stands for a village's merged small booths."""
    return f"village:{village}"


def merge_small_booths(
    sites: Iterable[Site],
    flows: Iterable[Flow],
    *,
    households_per_booth: Mapping[str, int],
    village_of: Mapping[str, str],
    village_centroids: Mapping[str, tuple[float, float]],
    min_households: int,
    merged_name: str = MERGED_NAME,
) -> tuple[list[Site], list[Flow]]:
    """Merge booths with fewer than min_households households (unknown counts as 0) per village.

    ``merged_name`` names a merged site, with ``{village}`` for its village.
    """
    kept: list[Site] = []
    small_by_village: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        if site.kind == "booth" and households_per_booth.get(site.id, 0) < min_households:
            village = village_of.get(site.id)
            if village is None:
                raise MapsError(f"small booth {site.id!r} has no village to merge into")
            if village not in village_centroids:
                raise MapsError(f"village {village!r} has no centroid")
            small_by_village[village].append(site)
        else:
            kept.append(site)
    for village, booths in small_by_village.items():
        served = sum(households_per_booth.get(b.id, 0) for b in booths)
        neighbours = sorted((s for s in kept if s.kind == "booth" and village_of.get(s.id) ==
                             village), key=lambda s: (households_per_booth.get(s.id, 0), s.id))
        for booth in neighbours:
            if served >= min_households:
                break
            kept.remove(booth)
            booths.append(booth)
            served += households_per_booth.get(booth.id, 0)

    renamed: dict[str, str] = {}
    for village, booths in sorted(small_by_village.items()):
        lat, lon = village_centroids[village]
        tonnage = {
            c: sum(b.tonnage_kg.get(c, 0.0) for b in booths)
            for c in CATEGORIES
            if any(c in b.tonnage_kg for b in booths)
        }
        out = {c: sum(b.out_kg.get(c, 0.0) for b in booths)
               for c in CATEGORIES if any(c in b.out_kg for b in booths)}
        merged = Site(merged_site_id(village), "booth", merged_name.format(village=village),
                      lat, lon, tonnage, out, merged=True)
        if any(s.id == merged.id for s in kept):
            raise MapsError(f"site id {merged.id!r} is already taken")
        kept.append(merged)
        renamed.update({b.id: merged.id for b in booths})

    summed: dict[tuple[str, str, str], float] = defaultdict(float)
    for flow in flows:
        key = (
            renamed.get(flow.from_site_id, flow.from_site_id),
            renamed.get(flow.to_site_id, flow.to_site_id),
            flow.category,
        )
        summed[key] += flow.kg
    merged_flows = [Flow(a, b, category, kg) for (a, b, category), kg in summed.items()]
    return kept, merged_flows
