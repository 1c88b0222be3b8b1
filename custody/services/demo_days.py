"""One simulated day in the demo district: bags into bins, carts, rooms, trucks, weighbridges.

Times are Asia/Shanghai: households put bags out from 06:00; from 09:00 each
cart empties its villages' bins one category at a time and unloads at the
village's transfer room; each category's truck clears the rooms of its route
and drives to its plant. Every asset's times only move forward, at speeds a
vehicle can make, so the custody rules flag only what the simulation means to
be wrong: about one bag in ten sorted into the wrong bin, mostly the residual
one, hardly ever the hazardous one. A share of the handovers, chosen by their
own seeded generator, is photographed on the way (``photo_for``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from custody.db.engine import Database
from custody.domain.errors import DomainError
from custody.domain.model import AssetKind, Category, HandoverDraft, Point, Role
from custody.services import assets, handovers
from custody.services.assets import NewAsset
from custody.services.demo import CATEGORIES, DemoDistrict, DemoReport, DemoSpec, PhotoHook
from custody.services.rollups import REPORT_TZ

BAGS_PER_HOUSEHOLD = {Category.KITCHEN: 0.52, Category.OTHER: 0.37, Category.RECYCLABLE: 0.09,
                      Category.HAZARDOUS: 0.01}  # per day: about one bag a household
BAG_KG = {Category.KITCHEN: (0.8, 2.6, 1.2), Category.OTHER: (0.3, 2.5, 0.9),
          Category.RECYCLABLE: (0.2, 4.0, 1.0), Category.HAZARDOUS: (0.05, 0.6, 0.15)}
SORTED_RIGHT = 0.9
# Where a wrongly sorted bag goes: kitchen waste and recyclables end up in the
# residual bin or each other's, the small red hazardous bin almost never. By
# weight a week's collections (by what the bins held, custody.domain.contents)
# come out near kitchen 56 %, other 32 %, recyclable 11 %, hazardous 0.2 %, as
# in a well-sorting district.
WRONG_BIN = {
    Category.KITCHEN: {Category.OTHER: 0.75, Category.RECYCLABLE: 0.24, Category.HAZARDOUS: 0.01},
    Category.OTHER: {Category.KITCHEN: 0.6, Category.RECYCLABLE: 0.39, Category.HAZARDOUS: 0.01},
    Category.RECYCLABLE: {Category.OTHER: 0.8, Category.KITCHEN: 0.17, Category.HAZARDOUS: 0.03},
    Category.HAZARDOUS: {Category.OTHER: 0.85, Category.RECYCLABLE: 0.1, Category.KITCHEN: 0.05},
}
CORRECTED_DELIVERIES = 0.02  # the weighbridge re-weighs a load now and then
GPS_NOISE_M = 15.0


@dataclass
class _Event:
    """A handover to make, at a local time in minutes after midnight."""

    minute: float
    source: str
    dest: str
    actor: int
    role: Role
    at: tuple[float, float]
    category: Category | None = None
    kg: float | None = None


@dataclass
class _Deposit:
    """One bag put out today."""

    village: int
    household: str
    booth: object
    bin_id: str
    category: Category
    kg: float


def collected_on(category: Category, day: int) -> bool:
    """Kitchen and other waste go daily, recyclables every third day, hazardous weekly."""
    if category is Category.RECYCLABLE:
        return day % 3 == 2
    if category is Category.HAZARDOUS:
        return day % 7 == 6
    return True


def simulate_day(db: Database, district: DemoDistrict, spec: DemoSpec, rng: random.Random,
                 day: int, report: DemoReport, photo_for: PhotoHook | None) -> None:
    """Record one day's handovers through the service layer, in device-time order."""
    deposits = _deposits(district, rng)
    for d in deposits:
        district.bin_kg[d.bin_id] = district.bin_kg.get(d.bin_id, 0.0) + d.kg
    bags = _bags_for(db, district, spec, deposits)
    events: list[_Event] = []
    collected_at = _collections(district, rng, day, events)
    for d, bag in zip(deposits, bags, strict=True):
        latest = collected_at.get(d.bin_id, 20 * 60) - 2
        events.append(_Event(rng.uniform(6 * 60, latest), bag, d.bin_id, d.booth.keeper,
                             Role.BOOTH_KEEPER, d.booth.at, kg=d.kg))
    events.sort(key=lambda e: e.minute)
    midnight = datetime.combine(spec.start + timedelta(days=day), time(), REPORT_TZ)
    photographed = _photographed(spec, day, len(events)) if photo_for else set()
    drafts, times = [], []
    for e in events:
        when = midnight + timedelta(minutes=e.minute)
        drafts.append(HandoverDraft(e.source, e.dest, e.actor, e.role, device_time=when,
                                    point=_gps(rng, e.at), weight_kg=e.kg,
                                    category=e.category))
        times.append(when + timedelta(seconds=rng.uniform(5, 300)))
    results = _record(db, drafts, times, spec.batch, report, photographed, photo_for)
    plants = {plant: key for key, (plant, _) in district.facilities.items()}
    fixes = [replace(draft, actor_id=district.operators[plants[draft.dest]],
                     role=Role.FACILITY_OPERATOR, corrects_seq=result.seq,
                     device_time=draft.device_time + timedelta(minutes=20),
                     weight_kg=round(draft.weight_kg * rng.uniform(0.99, 1.01), 1),
                     photo_sha256=None, flags_extra=(),
                     note="重新过磅 re-weighed at the weighbridge")
             for draft, result in zip(drafts, results, strict=True)
             if draft.dest in plants and not isinstance(result, DomainError)
             and rng.random() < CORRECTED_DELIVERIES]
    _record(db, fixes, [f.device_time + timedelta(seconds=30) for f in fixes], spec.batch,
            report)


def _photographed(spec: DemoSpec, day: int, count: int) -> set[int]:
    """Which of the day's handovers (by index) are photographed: a share, within bounds.

    The choice has a generator of its own, so the photos change nothing else.
    """
    if spec.photo_share <= 0 or not count:
        return set()
    wanted = min(count, spec.photos_per_day[1],
                 max(spec.photos_per_day[0], round(count * spec.photo_share)))
    return set(random.Random(f"{spec.seed}-photos-{day}").sample(range(count), wanted))


def _record(db: Database, drafts: list, times: list, batch: int, report: DemoReport,
            photographed: set[int] = frozenset(), photo_for: PhotoHook | None = None) -> list:
    """Append drafts in order, in batches of one transaction each; count what happened.

    A photographed draft goes through ``photo_for`` between two batches, so each
    handover still meets the assets in the state the ones before it left them.
    """
    results: list = [None] * len(drafts)
    pending: list[int] = []

    def flush() -> None:
        for start in range(0, len(pending), batch):
            part = pending[start:start + batch]
            for i, result in zip(part, handovers.record_many(
                    db, [drafts[i] for i in part], times=[times[i] for i in part]), strict=True):
                results[i] = result
        pending.clear()

    for i, draft in enumerate(drafts):
        if photo_for is not None and i in photographed:
            flush()
            results[i] = photo_for(draft, times[i])
            if results[i] is not None:
                report.photos += 1
                continue
        pending.append(i)
    flush()
    for result in results:
        if isinstance(result, DomainError):
            report.refused += 1
        else:
            report.handovers += 1
            report.flags.update(result.flags)
    return results


def _gps(rng: random.Random, at: tuple[float, float]) -> Point:
    """A phone's fix near a place: a few metres of noise and the accuracy it reports."""
    noise = GPS_NOISE_M / 111_000
    return Point(round(at[0] + rng.gauss(0, noise), 7), round(at[1] + rng.gauss(0, noise), 7),
                 round(rng.uniform(5, 25), 1))


def _deposits(district: DemoDistrict, rng: random.Random) -> list[_Deposit]:
    """Every bag put out today, ~90 % into the bin of its own category."""
    found = []
    for v, village in enumerate(district.villages):
        for booth in village.booths:
            for ref in booth.households:
                for category, chance in BAGS_PER_HOUSEHOLD.items():
                    if rng.random() >= chance:
                        continue
                    into = category
                    if rng.random() >= SORTED_RIGHT:
                        wrong = WRONG_BIN[category]
                        (into,) = rng.choices(list(wrong), weights=list(wrong.values()))
                    kg = round(rng.triangular(*BAG_KG[category]), 2)
                    found.append(_Deposit(v, ref, booth, booth.bins[into], category, kg))
    return found


def _bags_for(db: Database, district: DemoDistrict, spec: DemoSpec,
              deposits: list[_Deposit]) -> list[str]:
    """A bag id per deposit: the household's unused first bag, or one registered now."""
    chosen: list[str | None] = []
    wanted: list[NewAsset] = []
    for d in deposits:
        key = (d.village, d.household)
        starter = district.starter_bags.pop(key, None) if d.category is Category.KITCHEN else None
        chosen.append(starter)
        if starter is None:
            wanted.append(NewAsset(AssetKind.BAG, d.category,
                                   village=district.villages[d.village].name,
                                   household=d.household if spec.link_households else None))
    fresh = iter(assets.register(db, wanted) if wanted else [])
    return [bag if bag is not None else next(fresh) for bag in chosen]


def _collections(district: DemoDistrict, rng: random.Random, day: int,
                 events: list[_Event]) -> dict[str, float]:
    """Carts empty bins into rooms, trucks clear rooms to plants; returns bin -> minute."""
    collected_at: dict[str, float] = {}
    cart_free = {cart.asset_id: 9 * 60.0 for cart in district.carts}
    room_free = dict.fromkeys(range(len(district.villages)), 0.0)
    for category in (c for c in CATEGORIES if collected_on(c, day)):
        room_kg: dict[int, float] = {}
        room_at: dict[int, float] = {}
        for cart in district.carts:
            for v in cart.villages:
                village, t, kg = district.villages[v], cart_free[cart.asset_id] + 10, 0.0
                for booth in village.booths:
                    t += 3
                    bin_id = booth.bins[category]
                    if district.bin_kg.get(bin_id, 0.0) <= 0:
                        continue
                    bin_kg = max(0.1, round(district.bin_kg.pop(bin_id) * rng.gauss(1, 0.01), 1))
                    events.append(_Event(t, bin_id, cart.asset_id, cart.actor, Role.COLLECTOR,
                                         booth.at, kg=bin_kg))
                    collected_at[bin_id], kg = t, kg + bin_kg
                if kg:
                    unload = max(t + 8, room_free[v] + 3)
                    room_kg[v], room_at[v] = round(kg, 1), unload
                    events.append(_Event(unload, cart.asset_id, village.room, cart.actor,
                                         Role.COLLECTOR, village.room_at, category, round(kg, 1)))
                    cart_free[cart.asset_id] = unload + 2
        for truck in (t for t in district.trucks if t.category is category):
            t, load_kg = 9 * 60.0, 0.0
            for v in (v for v in truck.villages if v in room_kg):
                t = max(t + 12, room_at[v] + 5)
                kg = round(room_kg[v] * (1 - rng.uniform(0.005, 0.02)), 1)
                events.append(_Event(t, district.villages[v].room, truck.asset_id, truck.actor,
                                     Role.DRIVER, district.villages[v].room_at, category, kg))
                room_free[v], load_kg = t, load_kg + kg
            if load_kg:
                plant, at = district.facilities["kitchen" if category is Category.KITCHEN
                                                else "other"]
                events.append(_Event(t + 30, truck.asset_id, plant, truck.actor, Role.DRIVER, at,
                                     category, round(load_kg * (1 - rng.uniform(0.01, 0.03)), 1)))
    return collected_at
