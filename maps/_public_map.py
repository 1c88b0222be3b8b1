"""The public map of one day: sites with their tonnage, flows between them, truck trips.

Flows of several categories between the same two places are drawn side by side (each
line shifted sideways by ``offset`` pixels, see static/custody-maps.js), their width in
proportion to the kilograms carried. Positions are given in WGS-84 and drawn in the
tiles' coordinate system (``tiles_crs``).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import folium

from maps._errors import MapsError
from maps._legend import KIND_ORDER, TRIP_COLOUR, flow_width, panel
from maps._page import MarkerBatch, PathBatch, fit_to, format_weight, new_map, rounded
from maps._records import Flow, Site, Trip
from maps._text import CATEGORIES, MapText
from maps._tiles import display_position

FLOW_GAP = 1.0  # px between lines drawn side by side
# Each marker is a 44 px touch target; the shape drawn in it is smaller (custody-maps.css).
TOUCH_SIZE = 44


def _amount(kg: float, text: MapText) -> str:
    """A popup cell: the weight, or a dash for nothing."""
    return format_weight(kg, text.kg_unit, text.t_unit) if kg else "–"


def _site_popup(site: Site, day: date, text: MapText) -> str:
    """Popup HTML: name, kind, the day's weight in and out per category, clearance photos."""
    rows = []
    for category in CATEGORIES:
        rows.append(
            f'<tr class="custody-cat custody-cat-{category}"><th>'
            f'<i style="background:{escape(text.colours[category])}"></i>'
            f"{escape(text.categories[category])}</th>"
            f"<td>{_amount(site.tonnage_kg.get(category, 0.0), text)}</td>"
            f"<td>{_amount(site.out_kg.get(category, 0.0), text)}</td></tr>"
        )
    total_in, total_out = sum(site.tonnage_kg.values()), sum(site.out_kg.values())
    photos = "".join(
        f'<figure><a href="{escape(p.url)}" target="_blank" rel="noopener">'
        f'<img src="{escape(p.url)}" alt="{escape(text.photos)} {escape(p.caption)}" '
        f'width="120" height="90" loading="lazy"></a>'
        f"<figcaption>{escape(p.caption)}</figcaption></figure>"
        for p in site.photos)
    photo_block = (f'<div class="custody-photos"><strong>{escape(text.photos)}</strong>'
                   f"{photos}</div>" if photos else "")
    kind = text.merged if site.merged else text.site_kinds[site.kind]
    return (
        f'<div class="custody-popup"><strong>{escape(site.name)}</strong>'
        f"<div>{escape(kind)}</div>"
        f"<table><caption>{day.isoformat()}</caption>"
        f"<tr><td></td><th scope=col>{escape(text.kg_in)}</th>"
        f"<th scope=col>{escape(text.kg_out)}</th></tr>{''.join(rows)}"
        f"<tr><th>{escape(text.total)}</th><td>{_amount(total_in, text)}</td>"
        f"<td>{_amount(total_out, text)}</td></tr></table>{photo_block}</div>"
    )


def _site_layers(sites: Sequence[Site], day: date, text: MapText) -> list[MarkerBatch]:
    """One marker layer per site kind."""
    layers = []
    for kind in KIND_ORDER:
        items = [
            [
                *rounded(s.lat, s.lon),
                f"custody-site custody-site-{kind}" + (" custody-site-merged" if s.merged else ""),
                "",
                s.name,
                _site_popup(s, day, text),
            ]
            for s in sites
            if s.kind == kind
        ]
        icon = {"iconSize": [TOUCH_SIZE, TOUCH_SIZE], "popupAnchor": [0, -8]}
        layers.append(MarkerBatch(text.site_kinds[kind], icon, items))
    return layers


def flow_offsets(flows: Sequence[Flow], widths: Sequence[float]) -> list[float]:
    """Sideways shift in px of each flow, so lines between the same two places lie side by side.

    Lines of one pair of places (either direction) are stacked in category order across
    the pair's axis, centred on it; a line running the other way gets the opposite sign,
    because its left is the pair's right.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, flow in enumerate(flows):
        groups[tuple(sorted((flow.from_site_id, flow.to_site_id)))].append(index)
    offsets = [0.0] * len(flows)
    order = {c: n for n, c in enumerate(CATEGORIES)}
    for (first, _), members in groups.items():
        members.sort(key=lambda i: (order[flows[i].category], flows[i].from_site_id != first))
        total = sum(widths[i] for i in members) + FLOW_GAP * (len(members) - 1)
        edge = -total / 2
        for i in members:
            centre = edge + widths[i] / 2
            edge += widths[i] + FLOW_GAP
            offsets[i] = round(centre if flows[i].from_site_id == first else -centre, 2)
    return offsets


def _flow_layers(flows: Sequence[Flow], by_id: dict[str, Site], text: MapText) -> list[PathBatch]:
    """One line layer per category, each line beside the others of its pair of places."""
    for flow in flows:
        for site_id in (flow.from_site_id, flow.to_site_id):
            if site_id not in by_id:
                raise MapsError(f"flow refers to unknown site {site_id!r}")
    max_kg = max((f.kg for f in flows), default=0.0)
    widths = [flow_width(f.kg, max_kg) for f in flows]
    offsets = flow_offsets(flows, widths)
    layers = []
    for category in CATEGORIES:
        label = text.categories[category]
        items = []
        for n, flow in enumerate(flows):
            if flow.category != category:
                continue
            start, end = by_id[flow.from_site_id], by_id[flow.to_site_id]
            tooltip = (
                f"{escape(start.name)} → {escape(end.name)}<br>"
                f"{escape(label)}: {format_weight(flow.kg, text.kg_unit, text.t_unit)}"
            )
            options = {"className": f"custody-flow custody-flow-{category}",
                       "weight": widths[n]}
            if offsets[n]:
                options["offset"] = offsets[n]
            items.append(
                [[rounded(start.lat, start.lon), rounded(end.lat, end.lon)], options, tooltip]
            )
        base = {"color": text.colours[category], "opacity": 0.85, "lineCap": "butt"}
        layers.append(PathBatch(f"{label} · {text.flows}", base, items))
    return layers


def _trip_layer(trips: Sequence[Trip], text: MapText) -> PathBatch:
    """All trucks' trips of the day as dashed lines."""
    items = []
    for trip in trips:
        tooltip = f"{escape(text.vehicle)} {escape(trip.vehicle_id)}"
        if trip.points:
            first, last = trip.points[0][2], trip.points[-1][2]
            tooltip += f"<br>{first:%H:%M}–{last:%H:%M}"
        latlngs = [rounded(lat, lon) for lat, lon, _ in trip.points]
        items.append([latlngs, {"className": "custody-trip"}, tooltip])
    base = {"color": TRIP_COLOUR, "weight": 3, "opacity": 0.9, "dashArray": "6 6"}
    return PathBatch(text.trips, base, items)


def _for_display(sites: list[Site], trips: list[Trip], crs: str) -> tuple[list[Site], list[Trip]]:
    """Sites and trips moved to where the tiles' coordinate system draws them."""
    shift = display_position(crs)
    if crs != "gcj02":
        return sites, trips
    moved = [dataclasses.replace(s, lat=shift(s.lat, s.lon)[0], lon=shift(s.lat, s.lon)[1])
             for s in sites]
    moved_trips = [Trip(t.vehicle_id, [(*shift(lat, lon), when) for lat, lon, when in t.points])
                   for t in trips]
    return moved, moved_trips


def public_map_html(
    sites: Iterable[Site],
    flows: Iterable[Flow],
    trips: Iterable[Trip],
    *,
    day: date,
    tiles_url: str | None,
    tiles_attribution: str = "",
    tiles_crs: str = "wgs84",
    tiles_subdomains: str = "abc",
    asset_base_url: str,
    lang: str = "en",
    text: MapText | None = None,
) -> str:
    """The public map page of one day, as a standalone HTML document in one language."""
    text = text or MapText()
    sites, flows, trips = list(sites), list(flows), list(trips)
    by_id = {site.id: site for site in sites}
    if len(by_id) != len(sites):
        raise MapsError("site ids must be unique")
    sites, trips = _for_display(sites, trips, tiles_crs)
    by_id = {site.id: site for site in sites}
    folium_map = new_map(
        title=f"{text.title} {day.isoformat()}",
        lang=lang,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        asset_base_url=asset_base_url,
        tiles_subdomains=tiles_subdomains,
    )
    for layer in [
        *_flow_layers(flows, by_id, text),
        _trip_layer(trips, text),
        *_site_layers(sites, day, text),
    ]:
        layer.add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    panel(day, text, max((f.kg for f in flows), default=0.0)).add_to(folium_map)
    positions = [(s.lat, s.lon) for s in sites]
    positions += [(lat, lon) for t in trips for lat, lon, _ in t.points]
    fit_to(folium_map, positions)
    return folium_map.get_root().render()
