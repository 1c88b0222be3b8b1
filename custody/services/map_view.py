"""One day's public map as plain records: sites with tonnage, flows, and vehicle trips.

Site tonnage comes from the daily rollups (booths: collected; transfer rooms:
received; facilities: delivered). Flows are followed through the day's
vehicle moves, by the categories each move carried (its portions,
custody.domain.contents): what a cart collects at a booth flows to the room
it unloads at; what a truck loads at a room flows to the facility it
delivers to. Only
registered places appear. Booths of villages whose booths serve fewer
households on average than ``min_households`` are merged into one point per
village, so no small group of homes can be picked out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

import maps
from custody.db.engine import Database
from custody.db.schema import Asset, Handover, HandoverPortion, Household, Village
from custody.services import rollups, tonnage
from custody.services.conversions import from_e7, from_us, to_us

SITE_MEASURE = {"booth": "collected", "transfer_room": "room_in", "facility": "delivered"}
MOVES = ("collect", "unload", "load", "deliver")


def day_map_records(db: Database, day: date, *, min_households: int = 10,
                    merged_name: str = maps.MERGED_NAME):
    """(sites, flows, trips) for the public map of one local day.

    ``merged_name`` names a village's merged small booths (``{village}`` in it).
    """
    sites = _sites(db, day)
    flows, trips = _flows_and_trips(db, day, sites)
    sites, flows = _merge_small(db, sites, flows, min_households, merged_name)
    return sites, flows, trips


def _sites(db: Database, day: date) -> dict[str, maps.Site]:
    """Every registered fixed asset with the day's tonnage at it."""
    kg_at: dict[str, dict[str, float]] = defaultdict(dict)
    for level, measure in SITE_MEASURE.items():
        for row in tonnage.daily_tonnage(db, day, day, level):
            kg = row[f"{measure}_kg"]
            if kg:
                kg_at[row["node"]][row["category"]] = kg
    with db.read() as session:
        rows = session.execute(select(Asset.asset_id, Asset.kind, Asset.name, Asset.lat_e7,
                                      Asset.lon_e7)
                               .where(Asset.kind.in_(tuple(SITE_MEASURE)),
                                      Asset.lat_e7.is_not(None))).all()
    return {r.asset_id: maps.Site(r.asset_id, r.kind, r.name or r.asset_id, from_e7(r.lat_e7),
                                  from_e7(r.lon_e7), kg_at.get(r.asset_id, {}))
            for r in rows}


def _flows_and_trips(db: Database, day: date, sites: dict[str, maps.Site]):
    """Follow the day's vehicle moves: flows between sites, and each vehicle's stops."""
    start = datetime.combine(day, time(), rollups.REPORT_TZ).astimezone(UTC)
    lo, hi = to_us(start - timedelta(hours=12)), to_us(start + timedelta(hours=36))
    with db.read() as session:
        moves = session.execute(
            select(Handover.seq, Handover.action, Handover.source_id, Handover.dest_id,
                   Handover.weight_g, Handover.category, Handover.device_time_us,
                   Handover.server_time_us, Asset.site_id, Asset.category.label("src_cat"))
            .join(Asset, Asset.asset_id == Handover.source_id)
            .where(Handover.server_time_us.between(lo, hi), Handover.action.in_(MOVES),
                   Handover.record_kind == "handover")
            .order_by(Handover.seq)).all()
        carried: dict[int, list[tuple[str, float]]] = defaultdict(list)
        if moves:
            for seq, category, grams in session.execute(
                    select(HandoverPortion.seq, HandoverPortion.category, HandoverPortion.grams)
                    .where(HandoverPortion.seq.between(moves[0].seq, moves[-1].seq))):
                carried[seq].append((category, grams / 1000))
    loads: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    flows: dict[tuple[str, str, str], float] = defaultdict(float)
    stops: dict[str, list] = defaultdict(list)
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
    flow_records = [maps.Flow(a, b, c, round(kg, 3)) for (a, b, c), kg in sorted(flows.items())
                    if kg > 0]
    trips = [maps.Trip(v, points) for v, points in sorted(stops.items()) if len(points) > 1]
    return flow_records, trips


def _stop(stops: dict, vehicle: str, site: maps.Site | None, when: datetime) -> None:
    """Note a vehicle at a site (consecutive stops at one site count once)."""
    if site is None:
        return
    points = stops[vehicle]
    if not points or (points[-1][0], points[-1][1]) != (site.lat, site.lon):
        points.append((site.lat, site.lon, when))


def _merge_small(db: Database, sites: dict[str, maps.Site], flows: list, min_households: int,
                 merged_name: str):
    """Merge booths of villages with few households per booth into a village point."""
    with db.read() as session:
        households = dict(session.execute(
            select(Village.name, func.count(Household.id))
            .join(Household, Household.village_id == Village.id).group_by(Village.name)).all())
        booth_village = dict(session.execute(
            select(Asset.asset_id, Village.name).join(Village, Village.id == Asset.village_id)
            .where(Asset.kind == "booth")).all())
    booths_per_village: dict[str, list[str]] = defaultdict(list)
    for booth, village in booth_village.items():
        booths_per_village[village].append(booth)
    per_booth = {booth: households.get(village, 0) // max(1, len(booths_per_village[village]))
                 for booth, village in booth_village.items()}
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
