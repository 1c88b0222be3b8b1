"""The demo district around Nanhu, Jiaxing: its villages, booths, bins, rooms, vehicles, people.

Everything is registered through the real services (``assets.register``,
``assets.add_actor``). Each village has a booth per ~75 households with four
bins (one per category) and a booth keeper, and a transfer room; a village
cart (no category: it takes whatever the bins hold) and its collector serve two
villages; each category has its own truck and driver per route of eight
villages (a truck registered with its category, as Nanhu transports by
category). Kitchen waste goes to the kitchen-waste plant, the rest to the
comprehensive plant; each plant has a weighbridge operator. Each village has an
inspector (督导员) who checks its booths in the morning with the booth keepers'
phone page (the field page that records inspections), some more diligently than
others.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from tqdm import tqdm

import vocabulary
from custody.db.engine import Database
from custody.demo.spec import DemoSpec
from custody.domain.errors import DomainError
from custody.domain.model import AssetKind, Category, Role
from custody.services import assets
from custody.services.assets import NewAsset

VILLAGE_NAMES = (
    "凤桥村", "新丰村", "大桥村", "七星村", "余新村", "竹林村", "联丰村", "永红村", "三星村",
    "湘家荡村", "东进村", "胥山村", "江南村", "亚中村", "云东村", "净相村", "镇北村", "新民村",
    "梅花洲村", "庄史村", "步云村", "曙光村", "新农村", "光明村", "洪典村", "新运村", "民主村",
    "南湖村", "清河村", "东栅村", "汇隆村", "和平村", "金星村", "保安村", "钱家村", "长水村",
)
# Nanhu's towns and subdistricts (镇/街道); the villages are spread over the first few.
TOWN_NAMES = ("凤桥镇", "余新镇", "新丰镇", "大桥镇", "七星街道", "东栅街道", "南湖街道",
              "新嘉街道", "解放街道", "建设街道", "城南街道")
VILLAGES_PER_TOWN = 7
BOUNDS = ((30.705, 30.795), (120.705, 120.895))  # lat, lon of the Nanhu villages' box
KITCHEN_PLANT = ("南湖区易腐垃圾资源化处理中心", 30.7320, 120.7480)
COMPREHENSIVE_PLANT = ("嘉兴市生活垃圾综合处理厂", 30.7850, 120.8720)
HOUSEHOLDS_PER_BOOTH = 75
TREATMENT = {"kitchen": "composting", "other": "incineration"}  # what each demo plant does
VILLAGES_PER_TRUCK_ROUTE = 8
CATEGORIES = tuple(Category)
# The demo's staff get people's names, as the desk and the assessment list them: a surname and a
# given name, every pair once (25 x 24 = 600 names, then the same with a number).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN_NAMES = ("建国", "秀英", "桂芳", "志强", "海燕", "国平", "丽华", "金根", "伟民", "美芳",
               "建华", "小明", "永康", "玉珍", "春生", "雪梅", "德明", "红英", "水根", "文华",
               "阿大", "荣根", "月娥", "新民")


def person_name(k: int) -> str:
    """The ``k``-th staff name of the demo: distinct for every ``k``."""
    pairs = len(SURNAMES) * len(GIVEN_NAMES)
    pair = k * 53 % pairs  # 53 is prime to 600: neighbours differ in both names
    name = SURNAMES[pair % len(SURNAMES)] + GIVEN_NAMES[pair // len(SURNAMES)]
    return name if k < pairs else f"{name}{k // pairs + 1}"


@dataclass
class Booth:
    """A booth, its bins by category, and the households that use it."""

    asset_id: str
    at: tuple[float, float]
    keeper: int
    bins: dict[Category, str] = field(default_factory=dict)
    households: list[str] = field(default_factory=list)


@dataclass
class DemoVillage:
    """A village with its booths and transfer room."""

    name: str
    at: tuple[float, float]
    booths: list[Booth] = field(default_factory=list)
    room: str = ""
    room_at: tuple[float, float] = (0.0, 0.0)
    inspector: int = 0  # the village's 督导员


@dataclass
class Vehicle:
    """A cart or truck, its crew member, and the villages (by index) it serves."""

    asset_id: str
    actor: int
    villages: list[int]
    category: Category | None = None


@dataclass(frozen=True)
class Plant:
    """A treatment plant, where it is, and the operator of its weighbridge."""

    asset_id: str
    at: tuple[float, float]
    operator: int


@dataclass
class DemoDistrict:
    """Every registered id the simulation needs."""

    villages: list[DemoVillage]
    carts: list[Vehicle]
    trucks: list[Vehicle]
    plants: dict[str, Plant]  # "kitchen" and "other" (the comprehensive plant)
    starter_bags: dict[tuple[int, str], str]  # (village index, household) -> a kitchen bag
    bin_kg: dict[str, Counter] = field(default_factory=dict)  # bin -> kg by category in it
    room_kg: dict[int, Counter] = field(default_factory=dict)  # village -> kg in its room

    def plant_for(self, category: Category) -> Plant:
        """Where a category's truck delivers: kitchen waste to its plant, the rest to the other."""
        return self.plants["kitchen" if category is Category.KITCHEN else "other"]


def village_names(n: int) -> list[str]:
    """n village names, real Nanhu-style names first, then numbered ones."""
    return [VILLAGE_NAMES[i] if i < len(VILLAGE_NAMES) else f"新建{i + 1}村" for i in range(n)]


def town_names(n: int) -> list[str]:
    """The town of each of n villages: neighbours (in the list) share a town, at least two
    towns when there are two villages or more."""
    towns = min(len(TOWN_NAMES), n, max(2, round(n / VILLAGES_PER_TOWN)))
    return [TOWN_NAMES[i * towns // n] for i in range(n)]


def _spread(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """n village centres on a jittered grid inside the Nanhu box, row by row."""
    (lat0, lat1), (lon0, lon1) = BOUNDS
    cols = max(1, math.ceil(math.sqrt(n * 2)))
    rows = math.ceil(n / cols)
    dlat, dlon = (lat1 - lat0) / rows, (lon1 - lon0) / cols
    centres = []
    for i in range(n):
        r, c = divmod(i, cols)
        c = c if r % 2 == 0 else cols - 1 - c  # snake, so neighbours in the list are near
        centres.append((round(lat0 + (r + 0.5 + rng.uniform(-0.3, 0.3)) * dlat, 6),
                        round(lon0 + (c + 0.5 + rng.uniform(-0.3, 0.3)) * dlon, 6)))
    return centres


def _near(rng: random.Random, at: tuple[float, float], metres: float) -> tuple[float, float]:
    """A point within about ``metres`` of ``at``."""
    return (round(at[0] + rng.uniform(-1, 1) * metres / 111_000, 6),
            round(at[1] + rng.uniform(-1, 1) * metres / 96_000, 6))


def register_district(db: Database, spec: DemoSpec, rng: random.Random,
                      bar: tqdm | None = None) -> DemoDistrict:
    """Register villages, households, booths with four bins, rooms, vehicles, plants, people."""
    if spec.villages < 1 or spec.households < spec.villages:
        raise DomainError("a demo needs at least one village and one household per village")
    names, centres = village_names(spec.villages), _spread(rng, spec.villages)
    villages = [DemoVillage(n, c) for n, c in zip(names, centres, strict=True)]
    share, extra = divmod(spec.households, spec.villages)
    towns = town_names(spec.villages)
    booth_assets: list[NewAsset] = []
    for i, village in enumerate(villages):
        count = share + (1 if i < extra else 0)
        refs = [f"{h // 30 + 1}-{h % 30 + 1}" for h in range(count)]
        booths = max(1, round(count / HOUSEHOLDS_PER_BOOTH))
        for k in range(booths):
            at = _near(rng, village.at, 700)
            village.booths.append(Booth("", at, 0, households=refs[k::booths]))
            booth_assets.append(NewAsset(AssetKind.BOOTH, name=f"{village.name}{k + 1}号亭",
                                         village=village.name, lat=at[0], lon=at[1],
                                         town=towns[i]))
        village.room_at = _near(rng, village.at, 300)
    all_booths = [b for v in villages for b in v.booths]
    for booth, booth_id in zip(all_booths, assets.register(db, booth_assets), strict=True):
        booth.asset_id = booth_id
    _tick(bar)
    bins = assets.register(db, [
        NewAsset(AssetKind.BIN, c, village=v.name, site_id=b.asset_id)
        for v in villages for b in v.booths for c in CATEGORIES])
    for booth, start in zip(all_booths, range(0, len(bins), 4), strict=True):
        booth.bins = dict(zip(CATEGORIES, bins[start:start + 4], strict=True))
    rooms = assets.register(db, [
        NewAsset(AssetKind.TRANSFER_ROOM, name=f"{v.name}垃圾中转房", village=v.name,
                 lat=v.room_at[0], lon=v.room_at[1]) for v in villages])
    for village, room in zip(villages, rooms, strict=True):
        village.room = room
    _tick(bar)
    staff = (person_name(k) for k in range(10**9))
    for booth in all_booths:
        booth.keeper = assets.add_actor(db, next(staff), Role.BOOTH_KEEPER)
    carts = _vehicles(db, [list(range(i, min(i + 2, spec.villages)))
                           for i in range(0, spec.villages, 2)], None, "收集车", Role.COLLECTOR,
                      staff)
    routes = [list(range(i, min(i + VILLAGES_PER_TRUCK_ROUTE, spec.villages)))
              for i in range(0, spec.villages, VILLAGES_PER_TRUCK_ROUTE)]
    trucks = [t for c in CATEGORIES
              for t in _vehicles(db, routes, c, "清运车", Role.DRIVER, staff)]
    plants = {}
    for key, (name, lat, lon) in (("kitchen", KITCHEN_PLANT), ("other", COMPREHENSIVE_PLANT)):
        (plant,) = assets.register(db, [NewAsset(AssetKind.FACILITY, name=name, lat=lat,
                                                 lon=lon, treatment=TREATMENT[key])])
        plants[key] = Plant(plant, (lat, lon),
                            assets.add_actor(db, next(staff), Role.FACILITY_OPERATOR))
    for village in villages:  # registered last: every other name and id is as it was
        village.inspector = assets.add_actor(db, next(staff), Role.BOOTH_KEEPER)
    _tick(bar)
    starters = [(i, ref) for i, v in enumerate(villages) for b in v.booths for ref in b.households]
    starter_ids = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN,
                                                village=villages[i].name, household=ref)
                                       for i, ref in starters])
    _tick(bar)
    return DemoDistrict(villages, carts, trucks, plants,
                        dict(zip(starters, starter_ids, strict=True)))


def _vehicles(db: Database, groups: list[list[int]], category: Category | None, label: str,
              role: Role, names: Iterator[str]) -> list[Vehicle]:
    """Register one vehicle and its crew member (named from ``names``) per group of villages."""
    prefix = vocabulary.CATEGORIES[category.value].zh if category else ""  # 厨余垃圾清运车1
    ids = assets.register(db, [NewAsset(AssetKind.VEHICLE, category,
                                        name=f"{prefix}{label}{k + 1}")
                               for k in range(len(groups))])
    return [Vehicle(vid, assets.add_actor(db, next(names), role), g, category)
            for vid, g in zip(ids, groups, strict=True)]


def _tick(bar: tqdm | None) -> None:
    """Advance the setup bar by one step."""
    if bar is not None:
        bar.update(1)


