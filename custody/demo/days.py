"""One simulated day in the demo district, as the phones see it: who photographs what, when.

Times are Asia/Shanghai. From 06:00 households bring their bags to the booth;
the booth keeper weighs each bag on the booth's scale and photographs it with
its bin (``deposit``, the weight, no category: the bag's label says it). About
one bag in ten goes into the wrong bin, mostly the residual one, hardly ever
the hazardous one; the rules flag those. From 09:00 each village cart empties
its villages' bins one category at a time: the collector weighs each bin on
the cart's hanging scale and photographs bin and cart (``collect``, the
weight), then photographs cart and the village's transfer room (``unload``, no
weight). When the carts are done, each category's truck clears the rooms of
its route that hold its category (``load``: room and truck, no weight; a
kitchen truck takes only the kitchen waste) and drives to its plant, where the
driver photographs truck and plant (``deliver``, no weight) and the weighbridge
operator photographs the arriving truck with the plant's code and enters the
net weight (``deliver``, the required weight). From 07:00 each village's
inspector (督导员) walks its booths, a few minutes apart, and at each booth he
checks (most, not all: some inspectors are more diligent) photographs one bin
(``inspect``, no weight), noting a wrongly sorted bag when he sees one. No scan names a category, as
no phone page asks for one on these moves: the system knows what each
container holds.

Alongside the scans the day keeps the truth the ledger should tell
(``DemoReport.events`` and ``truth``): each physical event once, and the
kilograms by category that were deposited, collected, delivered. Every asset's
times only move forward, at speeds a vehicle can make.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import vocabulary
from custody.db.engine import Database
from custody.demo.district import CATEGORIES, Booth, DemoDistrict
from custody.demo.spec import DemoReport, DemoSpec
from custody.domain.model import Action, AssetKind, Category, Role
from custody.services import assets
from custody.services.assets import NewAsset

# Bags a household puts out a day, by category, and their weights (min, max, mode):
# by weight about kitchen 56 %, other 32 %, recyclable 11 %, hazardous 0.3 %, as in a
# well-sorting district.
BAGS_PER_HOUSEHOLD = {Category.KITCHEN: 0.48, Category.OTHER: 0.40, Category.RECYCLABLE: 0.119,
                      Category.HAZARDOUS: 0.017}
BAG_KG = {Category.KITCHEN: (0.8, 3.0, 1.6), Category.OTHER: (0.3, 2.5, 0.9),
          Category.RECYCLABLE: (0.2, 4.0, 1.0), Category.HAZARDOUS: (0.05, 0.6, 0.15)}
SORTED_RIGHT = 0.9
# Where a wrongly sorted bag goes: kitchen waste and recyclables end up in the
# residual bin or each other's, the small red hazardous bin almost never.
WRONG_BIN = {
    Category.KITCHEN: {Category.OTHER: 0.75, Category.RECYCLABLE: 0.24, Category.HAZARDOUS: 0.01},
    Category.OTHER: {Category.KITCHEN: 0.6, Category.RECYCLABLE: 0.39, Category.HAZARDOUS: 0.01},
    Category.RECYCLABLE: {Category.OTHER: 0.8, Category.KITCHEN: 0.17, Category.HAZARDOUS: 0.03},
    Category.HAZARDOUS: {Category.OTHER: 0.85, Category.RECYCLABLE: 0.1, Category.KITCHEN: 0.05},
}
WEIGHBRIDGE_LOSS = (0.005, 0.02)  # drip and spillage between the last room and the plant
INSPECTION_START = 7 * 60  # the inspectors' round, while households bring their bags
DILIGENCE = (0.6, 1.0)  # the share of his booths an inspector checks on a day
NOTICED = 0.5  # the chance he sees (and notes) a wrongly sorted bag in the bin he checks


@dataclass(frozen=True)
class FieldScan:
    """One photo a phone user takes: the two labels in it, the action and weight they enter."""

    minute: float  # local time, minutes after midnight
    action: Action
    source: str
    dest: str
    actor: int
    role: Role
    at: tuple[float, float]  # where the user stands
    weight_kg: float | None = None
    note: str | None = None  # what an inspector writes


def collected_on(category: Category, day: int) -> bool:
    """Kitchen and other bins are emptied daily, recyclable every third day, hazardous weekly."""
    if category is Category.RECYCLABLE:
        return day % 3 == 2
    if category is Category.HAZARDOUS:
        return day % 7 == 6
    return True


def plan_day(db: Database, district: DemoDistrict, spec: DemoSpec, rng: random.Random,
             day: int, report: DemoReport) -> list[FieldScan]:
    """The day's scans in local time order (the day's new bags registered on the way)."""
    deposits = _deposits(district, rng)
    for _v, _household, booth, into, category, kg in deposits:
        district.bin_kg.setdefault(booth.bins[into], Counter())[category] += kg
        report.events[Action.DEPOSIT] += 1
        report.truth["deposited"][category] += kg
    bags = _bags_for(db, district, spec, deposits)
    scans: list[FieldScan] = _inspections(district, spec, day, report)
    collected_at = _collections(district, rng, day, scans, report)
    for (_v, _household, booth, into, _category, kg), bag in zip(deposits, bags, strict=True):
        latest = collected_at.get(booth.bins[into], 20 * 60) - 2  # before its bin is emptied
        scans.append(FieldScan(rng.uniform(6 * 60, latest), Action.DEPOSIT, bag,
                               booth.bins[into], booth.keeper, Role.BOOTH_KEEPER, booth.at, kg))
    scans.sort(key=lambda s: s.minute)
    return scans


def _deposits(district: DemoDistrict, rng: random.Random) -> list[tuple]:
    """Every bag put out today: (village, household, booth, bin category, category, kg)."""
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
                    found.append((v, ref, booth, into, category, kg))
    return found


def _bags_for(db: Database, district: DemoDistrict, spec: DemoSpec,
              deposits: list[tuple]) -> list[str]:
    """A bag id per deposit: the household's unused first bag, or one registered now."""
    chosen: list[str | None] = []
    wanted: list[NewAsset] = []
    for v, household, _booth, _into, category, _kg in deposits:
        starter = (district.starter_bags.pop((v, household), None)
                   if category is Category.KITCHEN else None)
        chosen.append(starter)
        if starter is None:
            wanted.append(NewAsset(AssetKind.BAG, category, village=district.villages[v].name,
                                   household=household if spec.link_households else None))
    fresh = iter(assets.register(db, wanted) if wanted else [])
    return [bag if bag is not None else next(fresh) for bag in chosen]


def _collections(district: DemoDistrict, rng: random.Random, day: int, scans: list[FieldScan],
                 report: DemoReport) -> dict[str, float]:
    """Carts empty bins into rooms, then trucks clear rooms to plants; returns bin -> minute."""
    collected_at: dict[str, float] = {}
    cart_free = {cart.asset_id: 9 * 60.0 for cart in district.carts}
    room_free = dict.fromkeys(range(len(district.villages)), 0.0)
    for category in (c for c in CATEGORIES if collected_on(c, day)):
        for cart in district.carts:
            for v in cart.villages:
                village, t, load = district.villages[v], cart_free[cart.asset_id] + 10, Counter()
                for booth in village.booths:
                    t += 3
                    held = district.bin_kg.pop(booth.bins[category], None)
                    if not held:
                        continue
                    load += _collect(rng, booth, category, held, cart, t, scans, report)
                    collected_at[booth.bins[category]] = t
                if load:
                    unload = max(t + 8, room_free[v] + 3)
                    scans.append(FieldScan(unload, Action.UNLOAD, cart.asset_id, village.room,
                                           cart.actor, Role.COLLECTOR, village.room_at))
                    report.events[Action.UNLOAD] += 1
                    district.room_kg.setdefault(v, Counter()).update(load)
                    room_free[v] = cart_free[cart.asset_id] = unload + 2
    for truck in district.trucks:
        t, load = max(room_free.values(), default=0.0) + 10, 0.0
        for v in (v for v in truck.villages if district.room_kg.get(v, {}).get(truck.category)):
            t = max(t + 12, room_free[v] + 3)
            village = district.villages[v]
            scans.append(FieldScan(t, Action.LOAD, village.room, truck.asset_id, truck.actor,
                                   Role.DRIVER, village.room_at))
            report.events[Action.LOAD] += 1
            load += district.room_kg[v].pop(truck.category)
            room_free[v] = t
        if load:
            _deliver(rng, district, truck, t + 30, load, scans, report)
    return collected_at


def _collect(rng: random.Random, booth: Booth, category: Category, held: Counter, cart,
             minute: float, scans: list[FieldScan], report: DemoReport) -> Counter:
    """The collector weighs a bin and photographs it with the cart; what the cart now holds."""
    weighed = max(0.1, round(sum(held.values()) * rng.gauss(1, 0.01), 1))
    scans.append(FieldScan(minute, Action.COLLECT, booth.bins[category], cart.asset_id,
                           cart.actor, Role.COLLECTOR, booth.at, weighed))
    report.events[Action.COLLECT] += 1
    total = sum(held.values())
    share = Counter({c: weighed * kg / total for c, kg in held.items()})
    report.truth["collected"].update(share)
    return share


def _deliver(rng: random.Random, district: DemoDistrict, truck, minute: float, kg: float,
             scans: list[FieldScan], report: DemoReport) -> None:
    """The driver delivers; two minutes later the weighbridge operator weighs the truck."""
    plant = district.plant_for(truck.category)
    scans.append(FieldScan(minute, Action.DELIVER, truck.asset_id, plant.asset_id, truck.actor,
                           Role.DRIVER, plant.at))
    net = round(kg * (1 - rng.uniform(*WEIGHBRIDGE_LOSS)), 1)
    scans.append(FieldScan(minute + 2, Action.DELIVER, truck.asset_id, plant.asset_id,
                           plant.operator, Role.FACILITY_OPERATOR, plant.at, net))
    report.events[Action.DELIVER] += 1  # one delivery, which the weighbridge confirms
    report.truth["delivered"][truck.category] += net


def _inspections(district: DemoDistrict, spec: DemoSpec, day: int,
                 report: DemoReport) -> list[FieldScan]:
    """Each village inspector's morning round: one bin photographed at each booth he checks.

    Drawn from generators of their own, so the rest of the day is as it was without them.
    """
    rng = random.Random(f"{spec.seed}-inspections-{day}")
    found = []
    for v, village in enumerate(district.villages):
        diligence = random.Random(f"{spec.seed}-inspector-{v}").uniform(*DILIGENCE)
        minute = INSPECTION_START + rng.uniform(0, 20)
        for booth in village.booths:
            minute += rng.uniform(4, 9)  # on foot or by e-bike from the last booth
            if rng.random() >= diligence:
                continue
            category = rng.choice(CATEGORIES)
            held = district.bin_kg.get(booth.bins[category], Counter())
            wrong = sorted(c for c in held if c is not category)
            note = (_wrong_bag_note(category, rng.choice(wrong))
                    if wrong and rng.random() < NOTICED else None)
            found.append(FieldScan(minute, Action.INSPECT, booth.bins[category],
                                   booth.bins[category], village.inspector, Role.BOOTH_KEEPER,
                                   booth.at, note=note))
            report.events[Action.INSPECT] += 1
    return found


def _wrong_bag_note(bin_category: Category, found: Category) -> str:
    """What an inspector types when a bin holds a wrongly sorted bag: '厨余垃圾桶里有其他垃圾'."""
    names = vocabulary.CATEGORIES
    return f"{names[bin_category.value].zh}桶里有{names[found.value].zh}"
