"""A synthetic district around Nanhu, Jiaxing, and its days of handovers, for demos and load.

Everything goes through the real services: assets through ``assets.register``,
actors through ``assets.add_actor``, handovers through ``handovers.record_many``
in batches, so every rule, the hash chain and the rollups run as in production.
Given the deployment's settings, a share of the handovers is photographed and
read by the real scanner, and the district's label sheets are printed
(``demo_labels``). The same seed on an empty database gives the same ledger,
hash for hash, photos included.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from tqdm import tqdm

from custody.config import Settings
from custody.db.engine import Database
from custody.domain.errors import DomainError
from custody.domain.model import AssetKind, Category, HandoverDraft, Role
from custody.services import assets
from custody.services.assets import NewAsset
from custody.services.handovers import RecordedHandover

VILLAGE_NAMES = (
    "凤桥村", "新丰村", "大桥村", "七星村", "余新村", "竹林村", "联丰村", "永红村", "三星村",
    "湘家荡村", "东进村", "胥山村", "江南村", "亚中村", "云东村", "净相村", "镇北村", "新民村",
    "梅花洲村", "庄史村", "步云村", "曙光村", "新农村", "光明村", "洪典村", "新运村", "民主村",
    "南湖村", "清河村", "东栅村", "汇隆村", "和平村", "金星村", "保安村", "钱家村", "长水村",
)
BOUNDS = ((30.705, 30.795), (120.705, 120.895))  # lat, lon of the Nanhu villages' box
KITCHEN_PLANT = ("南湖区易腐垃圾资源化处理中心", 30.7320, 120.7480)
COMPREHENSIVE_PLANT = ("嘉兴市生活垃圾综合处理厂", 30.7850, 120.8720)
HOUSEHOLDS_PER_BOOTH = 75
TREATMENT = {"kitchen": "composting", "other": "incineration"}  # what each demo plant does
VILLAGES_PER_TRUCK_ROUTE = 8
CATEGORIES = tuple(Category)

# Records one draft from a photo at a server time; None when it got no photo.
PhotoHook = Callable[[HandoverDraft, datetime], RecordedHandover | None]


@dataclass(frozen=True)
class DemoSpec:
    """The size of the demo district and how to simulate it."""

    villages: int = 3
    households: int = 600  # in all: 3 villages x 200
    days: int = 7
    seed: int = 1
    start: date = date(2026, 1, 1)
    link_households: bool = True  # False: only each household's first bag names it (faster)
    batch: int = 10_000  # drafts per transaction (one read, one bulk write each)
    photo_share: float = 0.02  # of each day's handovers, through the photo path (with a camera)
    photos_per_day: tuple[int, int] = (3, 50)  # bounds: a few on a tiny day, not hours on a big one
    labels: bool = True  # print the label sheets (with settings)


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


@dataclass
class Vehicle:
    """A cart or truck, its crew member, and the villages (by index) it serves."""

    asset_id: str
    actor: int
    villages: list[int]
    category: Category | None = None


@dataclass
class DemoDistrict:
    """Every registered id the simulation needs."""

    villages: list[DemoVillage]
    carts: list[Vehicle]
    trucks: list[Vehicle]
    facilities: dict[str, tuple[str, tuple[float, float]]]
    operators: dict[str, int]
    starter_bags: dict[tuple[int, str], str]  # (village index, household) -> a kitchen bag
    bin_kg: dict[str, float] = field(default_factory=dict)  # waste waiting in each bin


@dataclass
class DemoReport:
    """What a demo build did."""

    villages: int
    households: int
    booths: int
    handovers: int = 0
    refused: int = 0
    photos: int = 0  # handovers recorded with a photo the scanner read
    flags: Counter = field(default_factory=Counter)
    sheets: list = field(default_factory=list)  # demo_labels.Sheet, one per PDF written
    setup_seconds: float = 0.0
    simulate_seconds: float = 0.0
    labels_seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Handovers per second while simulating."""
        return self.handovers / self.simulate_seconds if self.simulate_seconds else 0.0


def village_names(n: int) -> list[str]:
    """n village names, real Nanhu-style names first, then numbered ones."""
    return [VILLAGE_NAMES[i] if i < len(VILLAGE_NAMES) else f"新建{i + 1}村" for i in range(n)]


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
    booth_assets: list[NewAsset] = []
    for i, village in enumerate(villages):
        count = share + (1 if i < extra else 0)
        refs = [f"{h // 30 + 1}-{h % 30 + 1}" for h in range(count)]
        booths = max(1, round(count / HOUSEHOLDS_PER_BOOTH))
        for k in range(booths):
            at = _near(rng, village.at, 700)
            village.booths.append(Booth("", at, 0, households=refs[k::booths]))
            booth_assets.append(NewAsset(AssetKind.BOOTH, name=f"{village.name}{k + 1}号亭",
                                         village=village.name, lat=at[0], lon=at[1]))
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
    for booth in all_booths:
        booth.keeper = assets.add_actor(db, f"{booth.asset_id} 亭长", Role.BOOTH_KEEPER)
    carts = _vehicles(db, [list(range(i, min(i + 2, spec.villages)))
                           for i in range(0, spec.villages, 2)], None, "收集车", Role.COLLECTOR)
    routes = [list(range(i, min(i + VILLAGES_PER_TRUCK_ROUTE, spec.villages)))
              for i in range(0, spec.villages, VILLAGES_PER_TRUCK_ROUTE)]
    trucks = [t for c in CATEGORIES for t in _vehicles(db, routes, c, "清运车", Role.DRIVER)]
    facilities, operators = {}, {}
    for key, (name, lat, lon) in (("kitchen", KITCHEN_PLANT), ("other", COMPREHENSIVE_PLANT)):
        (plant,) = assets.register(db, [NewAsset(AssetKind.FACILITY, name=name, lat=lat,
                                                 lon=lon, treatment=TREATMENT[key])])
        facilities[key] = (plant, (lat, lon))
        operators[key] = assets.add_actor(db, f"{name} 过磅员", Role.FACILITY_OPERATOR)
    _tick(bar)
    starters = [(i, ref) for i, v in enumerate(villages) for b in v.booths for ref in b.households]
    starter_ids = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN,
                                                village=villages[i].name, household=ref)
                                       for i, ref in starters])
    _tick(bar)
    return DemoDistrict(villages, carts, trucks, facilities, operators,
                        dict(zip(starters, starter_ids, strict=True)))


def _vehicles(db: Database, groups: list[list[int]], category: Category | None, label: str,
              role: Role) -> list[Vehicle]:
    """Register one vehicle and its crew member per group of villages."""
    suffix = f"-{category.value}" if category else ""
    ids = assets.register(db, [NewAsset(AssetKind.VEHICLE, name=f"{label}{k + 1}{suffix}")
                               for k in range(len(groups))])
    return [Vehicle(vid, assets.add_actor(db, f"{vid} {label}{k + 1}{suffix} 司机", role), g,
                    category) for k, (vid, g) in enumerate(zip(ids, groups, strict=True))]


def _tick(bar: tqdm | None) -> None:
    """Advance the setup bar by one step."""
    if bar is not None:
        bar.update(1)


def build(db: Database, spec: DemoSpec, *, settings: Settings | None = None,
          progress: bool = True, photo_for: PhotoHook | None = None) -> DemoReport:
    """Register a demo district, simulate ``spec.days`` days of handovers, print its labels.

    A share of each day's drafts (``spec.photo_share``) goes through
    ``photo_for``, which returns the draft to record; by default, given
    ``settings``, that is a ``DemoCamera`` storing photos in the data folder.
    With ``settings`` and ``spec.labels`` the label sheets go to ``<data>/labels``.
    """
    from custody.services import demo_labels
    from custody.services.demo_days import simulate_day

    if photo_for is None and settings is not None and spec.photo_share > 0:
        photo_for = demo_labels.DemoCamera(db, settings)
    rng = random.Random(spec.seed)
    started = time.perf_counter()
    with tqdm(total=4, desc="registering", unit="step", disable=not progress) as bar:
        district = register_district(db, spec, rng, bar)
    report = DemoReport(spec.villages, spec.households,
                        sum(len(v.booths) for v in district.villages),
                        setup_seconds=time.perf_counter() - started)
    started = time.perf_counter()
    with tqdm(total=spec.days, desc="simulating", unit="day", disable=not progress) as bar:
        for day in range(spec.days):
            simulate_day(db, district, spec, rng, day, report, photo_for)
            report.simulate_seconds = time.perf_counter() - started
            bar.set_postfix(handovers=report.handovers, photos=report.photos,
                            rate=f"{report.rate:,.0f}/s")
            bar.update(1)
    started = time.perf_counter()
    db.refresh_statistics()
    report.simulate_seconds += time.perf_counter() - started
    if settings is not None and spec.labels:
        started = time.perf_counter()
        names = [v.name for v in district.villages]
        with tqdm(total=demo_labels.sheet_count(db, names), desc="printing labels",
                  unit="label", disable=not progress) as bar:
            report.sheets = demo_labels.write_sheets(
                db, settings, names, label_folder(settings),
                progress=lambda n: bar.update(n - bar.n))
        report.labels_seconds = time.perf_counter() - started
    return report


def label_folder(settings: Settings) -> Path:
    """Where the demo's label sheets are written."""
    return Path(settings.data_dir) / "labels"
