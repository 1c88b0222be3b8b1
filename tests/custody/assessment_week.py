"""A hand-made week of work in two villages of two towns, for the assessment's tests.

Week of Monday 2026-11-02 (Asia/Shanghai). 凤桥村 (凤桥镇): booths A1, A2 and a
transfer room, households h1–h4; 新丰村 (新丰镇): booth B1 and a room,
households h5, h6. Collector 王 works 凤桥村, 陈 works 新丰村; booth keeper 赵
inspects in 凤桥村; driver 李 clears the rooms.

Mon: 王 picks up A1 and A2, 陈 picks up B1; 李 clears 凤桥村's room with a photo and
新丰村's without; h1 deposits right at A1, h2 puts an other-waste bag in A1's kitchen
bin (category_mismatch); h5 deposits at B1; 赵 inspects A1's bin (fine).
Tue: 王 picks up A1 only; 赵 inspects A2's bin and finds other waste in it (mismatch).
Wed: h1 deposits at A2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from custody.domain.model import Action, AssetKind, Category, HandoverDraft, Role
from custody.services import assets, handovers
from custody.services.assets import NewAsset
from custody.services.rollups import REPORT_TZ

MONDAY = date(2026, 11, 2)
PHOTO = "a" * 64


@dataclass
class Week:
    """The ids of the week's people."""

    collector_a: int
    collector_b: int
    keeper: int
    driver: int
    bins: tuple[str, ...] = ()  # A1's, A2's, B1's
    cart: str = ""


def at(day: int, hour: int) -> datetime:
    """Day ``day`` of the week (0: Monday) at ``hour`` in Jiaxing."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour), REPORT_TZ)


def build(db) -> Week:
    """Register the two villages and record the week."""
    reg = assets.register
    a1, a2 = reg(db, [NewAsset(AssetKind.BOOTH, name=f"凤桥村{k}号亭", village="凤桥村",
                               lat=30.70, lon=120.80, town="凤桥镇") for k in (1, 2)])
    (b1,) = reg(db, [NewAsset(AssetKind.BOOTH, name="新丰村1号亭", village="新丰村", lat=30.72,
                              lon=120.82, town="新丰镇")])
    bin_a1, bin_a2, bin_b1 = reg(db, [NewAsset(AssetKind.BIN, Category.KITCHEN, village=v,
                                               site_id=s)
                                      for v, s in (("凤桥村", a1), ("凤桥村", a2), ("新丰村", b1))])
    room_a, room_b = reg(db, [NewAsset(AssetKind.TRANSFER_ROOM, name=f"{v}中转房", village=v,
                                       lat=30.71, lon=120.81) for v in ("凤桥村", "新丰村")])
    cart, truck = reg(db, [NewAsset(AssetKind.VEHICLE, name=n) for n in ("收集车", "清运车")])
    bags = reg(db, [NewAsset(AssetKind.BAG, c, village=v, household=h) for c, v, h in (
        (Category.KITCHEN, "凤桥村", "h1"), (Category.OTHER, "凤桥村", "h2"),
        (Category.KITCHEN, "凤桥村", "h3"), (Category.KITCHEN, "凤桥村", "h4"),
        (Category.KITCHEN, "新丰村", "h5"), (Category.KITCHEN, "新丰村", "h6"),
        (Category.KITCHEN, "凤桥村", "h1"))])
    week = Week(assets.add_actor(db, "王收集", Role.COLLECTOR),
                assets.add_actor(db, "陈收集", Role.COLLECTOR),
                assets.add_actor(db, "赵亭长", Role.BOOTH_KEEPER),
                assets.add_actor(db, "李司机", Role.DRIVER))

    def rec(source, dest, actor, role, when, **kw):
        handovers.record(db, HandoverDraft(source, dest, actor, role, device_time=when, **kw),
                         now=when + timedelta(minutes=1))

    keeper, wang, chen, li = week.keeper, week.collector_a, week.collector_b, week.driver
    rec(bags[0], bin_a1, keeper, Role.BOOTH_KEEPER, at(0, 7), weight_kg=1.0)
    rec(bags[1], bin_a1, keeper, Role.BOOTH_KEEPER, at(0, 7), weight_kg=1.0)  # wrong bin
    rec(bags[4], bin_b1, keeper, Role.BOOTH_KEEPER, at(0, 7), weight_kg=1.0)
    rec(bin_a1, bin_a1, keeper, Role.BOOTH_KEEPER, at(0, 8), action=Action.INSPECT, note="好")
    rec(bin_a1, cart, wang, Role.COLLECTOR, at(0, 9), weight_kg=2.0)
    rec(bin_a2, cart, wang, Role.COLLECTOR, at(0, 9))
    rec(bin_b1, cart, chen, Role.COLLECTOR, at(0, 10), weight_kg=1.0)
    rec(cart, room_a, wang, Role.COLLECTOR, at(0, 11))
    rec(room_a, truck, li, Role.DRIVER, at(0, 12), photo_sha256=PHOTO)
    rec(room_b, truck, li, Role.DRIVER, at(0, 13))  # no photo: not signed in
    rec(bin_a1, cart, wang, Role.COLLECTOR, at(1, 9))
    rec(bin_a2, bin_a2, keeper, Role.BOOTH_KEEPER, at(1, 8), action=Action.INSPECT,
        category=Category.OTHER, note="厨余桶里有其他垃圾")
    rec(bags[6], bin_a2, keeper, Role.BOOTH_KEEPER, at(2, 7), weight_kg=1.0)
    week.bins, week.cart = (bin_a1, bin_a2, bin_b1), cart
    return week
