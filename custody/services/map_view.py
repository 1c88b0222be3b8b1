"""One day's public map as plain records: sites with tonnage, flows, and vehicle trips.

Site tonnage in and out comes from the daily rollups (booths: deposited and
collected; transfer rooms: received and cleared; facilities: delivered). Flows
are followed through the day's vehicle moves, by the categories each move
carried (its portions, custody.domain.contents): what a cart collects at a
booth flows to the room it unloads at; what a truck loads at a room flows to
the facility it delivers to. A transfer room carries the day's clearance photos
(the driver's photo at each load), as public EXIF-free copies only. Only
registered places appear. Each booth is judged by the households whose bags
were deposited there that day: booths serving fewer than ``min_households``
are merged into one point per village, so no small group of homes can be
picked out. No household, bag or original photo leaves here.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import maps
from custody.db.engine import Database
from custody.db.repositories import reading
from custody.services import rollups, tonnage
from custody.services.conversions import from_e7, from_us, to_us

# (in, out) measure of each kind of place; a facility is the end of the path.
SITE_MEASURES = {"booth": ("deposited", "collected"), "transfer_room": ("room_in", "room_out"),
                 "facility": ("delivered", None)}
MOVES = ("collect", "unload", "load", "deliver")
MAX_PHOTOS = 6  # clearance photos per room in a popup


def no_photo_url(sha256: str) -> str:
    """Without a web app to serve them, photos are left out."""
    return ""


def day_map_records(db: Database, day: date, *, min_households: int = 10,
                    merged_name: str = maps.MERGED_NAME,
                    photo_url: Callable[[str], str] = no_photo_url):
    """(sites, flows, trips) for the public map of one local day.

    ``merged_name`` names a village's merged small booths (``{village}`` in it);
    ``photo_url`` gives the URL of a photo's public copy from its sha256.
    """
    sites = _sites(db, day)
    flows, trips, photos = _flows_and_trips(db, day, sites)
    for room, taken in photos.items():
        shown = [maps.SitePhoto(url, f"{when.astimezone(rollups.REPORT_TZ):%H:%M}")
                 for sha, when in taken[-MAX_PHOTOS:] if (url := photo_url(sha))]
        if shown and room in sites:
            sites[room] = dataclasses.replace(sites[room], photos=shown)
    sites, flows = _merge_small(db, day, sites, flows, min_households, merged_name)
    return sites, flows, trips


def _sites(db: Database, day: date) -> dict[str, maps.Site]:
    """Every registered fixed asset with the day's tonnage in and out of it."""
    kg_at: dict[str, dict[str, float]] = defaultdict(dict)
    out_at: dict[str, dict[str, float]] = defaultdict(dict)
    for level, (measure_in, measure_out) in SITE_MEASURES.items():
        for row in tonnage.daily_tonnage(db, day, day, level):
            kg = row[f"{measure_in}_kg"]
            if kg:
                kg_at[row["node"]][row["category"]] = kg
            out = row[f"{measure_out}_kg"] if measure_out else 0
            if out:
                out_at[row["node"]][row["category"]] = out
    with reading(db) as repos:
        rows = repos.map.sites(tuple(SITE_MEASURES))
    return {r.asset_id: maps.Site(r.asset_id, r.kind, r.name or r.asset_id, from_e7(r.lat_e7),
                                  from_e7(r.lon_e7), kg_at.get(r.asset_id, {}),
                                  out_at.get(r.asset_id, {}))
            for r in rows}


def _flows_and_trips(db: Database, day: date, sites: dict[str, maps.Site]):
    """Follow the day's vehicle moves: flows between sites, and each vehicle's stops."""
    start = datetime.combine(day, time(), rollups.REPORT_TZ).astimezone(UTC)
    lo, hi = to_us(start - timedelta(hours=12)), to_us(start + timedelta(hours=36))
    with reading(db) as repos:
        moves, carried = repos.map.moves(lo, hi, MOVES)
    loads: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    flows: dict[tuple[str, str, str], float] = defaultdict(float)
    stops: dict[str, list] = defaultdict(list)
    photos: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for m in moves:
        if rollups.local_day(m.device_time_us, m.server_time_us) != day:
            continue
        portions = carried.get(m.seq) or [  # a record from before portions were kept
            (m.category or m.src_cat or "other", (m.weight_g or 0) / 1000)]
        when = from_us(m.device_time_us or m.server_time_us)
        if m.action == "collect":  # bin at a booth -> cart
            origin, vehicle = m.site_id, m.dest_id
            if origin:
                for category, kg in portions:
                    loads[vehicle][(origin, category)] += kg
                _stop(stops, vehicle, sites.get(origin), when)
        elif m.action in ("unload", "deliver"):  # vehicle -> room / facility
            vehicle, target = m.source_id, m.dest_id
            for (origin, category), load_kg in loads.pop(vehicle, {}).items():
                if origin in sites and target in sites and origin != target:
                    flows[(origin, target, category)] += load_kg
            _stop(stops, vehicle, sites.get(target), when)
        elif m.action == "load":  # room -> truck
            room, vehicle = m.source_id, m.dest_id
            for category, kg in portions:
                loads[vehicle][(room, category)] += kg
            _stop(stops, vehicle, sites.get(room), when)
            if m.photo_sha256:  # the driver's photo of the room at clearance
                photos[room].append((m.photo_sha256, when))
    flow_records = [maps.Flow(a, b, c, round(kg, 3)) for (a, b, c), kg in sorted(flows.items())
                    if kg > 0]
    trips = [maps.Trip(v, points) for v, points in sorted(stops.items()) if len(points) > 1]
    return flow_records, trips, photos


def _stop(stops: dict, vehicle: str, site: maps.Site | None, when: datetime) -> None:
    """Note a vehicle at a site (consecutive stops at one site count once)."""
    if site is None:
        return
    points = stops[vehicle]
    if not points or (points[-1][0], points[-1][1]) != (site.lat, site.lon):
        points.append((site.lat, site.lon, when))


def _merge_small(db: Database, day: date, sites: dict[str, maps.Site], flows: list,
                 min_households: int, merged_name: str):
    """Merge booths that served few households on the day into a point per village."""
    with reading(db) as repos:
        booth_village = repos.map.booth_villages()
    per_booth = households_per_booth(db, day)
    booths_per_village: dict[str, list[str]] = defaultdict(list)
    for booth, village in booth_village.items():
        booths_per_village[village].append(booth)
    centroids = {}
    for village, booths in booths_per_village.items():
        placed = [sites[b] for b in booths if b in sites]
        if placed:
            centroids[village] = (sum(s.lat for s in placed) / len(placed),
                                  sum(s.lon for s in placed) / len(placed))
    listed = [s for s in sites.values() if s.kind != "booth" or s.id in booth_village]
    return maps.merge_small_booths(listed, flows, households_per_booth=per_booth,
                                   village_of=booth_village, village_centroids=centroids,
                                   min_households=min_households, merged_name=merged_name)


def households_per_booth(db: Database, day: date) -> dict[str, int]:
    """Booth -> how many households' bags were deposited in its bins on the local day.

    Counted in the database (distinct households per booth, so a home using two of a
    booth's bins counts once), over the day's server times
    (``MapRepository.households_per_booth``).
    """
    start = datetime.combine(day, time(), rollups.REPORT_TZ).astimezone(UTC)
    lo, hi = to_us(start), to_us(start + timedelta(days=1)) - 1
    with reading(db) as repos:
        return repos.map.households_per_booth(lo, hi)
