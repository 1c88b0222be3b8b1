"""The activity per village-day that the assessment reads: a booth worked by several people
on one day counts once, whether the records came in one batch or apart, and the append
keeps the same rows a rebuild from the ledger derives (``activity_village_days``)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from custody.db.repositories import village_days as village_day_sql
from custody.db.schema import ActivityRollup, ActivityVillageDay
from custody.domain.assessment import DEFAULT_WEIGHTS, HOUSEHOLDS
from custody.domain.model import AssetKind, Category, HandoverDraft, Role
from custody.services import assessment, assets, handovers, rollup_rebuild
from custody.services.assets import NewAsset
from tests.custody.assessment_week import MONDAY, at, build


@pytest.fixture(params=["statement a node", "arrays"])
def statements(request, monkeypatch):
    """Both ways the append adds nodes to village-days (PostgreSQL's arrays from one node)."""
    if request.param == "arrays":
        monkeypatch.setattr(village_day_sql, "ARRAYS_FROM", 1)


def village_days(db) -> list[tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(ActivityVillageDay.day, ActivityVillageDay.village,
                                   ActivityVillageDay.measure, ActivityVillageDay.nodes,
                                   ActivityVillageDay.records)
                            .order_by(ActivityVillageDay.day, ActivityVillageDay.village,
                                      ActivityVillageDay.measure)).all()
        a = ActivityRollup
        summed = conn.execute(
            select(a.day, a.village, a.measure, func.count(a.node_id.distinct()),
                   func.sum(a.count)).where(a.village.is_not(None))
            .group_by(a.day, a.village, a.measure)
            .order_by(a.day, a.village, a.measure)).all()
    rows = [tuple(r) for r in rows]
    assert [r for r in rows if r[2] != HOUSEHOLDS] == [tuple(r) for r in summed]  # the cells
    return rows


def fengqiao(db, day: date) -> dict:
    found = assessment.assess(db, "day", day, DEFAULT_WEIGHTS)
    return next(v for v in found["villages"] if v["name"] == "凤桥村")


def test_a_booth_picked_up_by_two_collectors_counts_once(db, statements):
    week = build(db)
    bin_a1, bin_a2, _ = week.bins
    assert fengqiao(db, MONDAY)["counts"].booths_collected == 2  # 王: A1 and A2

    def pickup(bin_id, actor, hour, minute=0):
        return HandoverDraft(bin_id, week.cart, actor, Role.COLLECTOR,
                             device_time=at(0, hour) + timedelta(minutes=minute))

    # 陈 helps out in 凤桥村 on Monday: A1 twice and A2 (one batch, with 王 at A1 again),
    # then A2 again.
    drafts = [pickup(bin_a1, week.collector_b, 14), pickup(bin_a1, week.collector_a, 14, 5),
              pickup(bin_a1, week.collector_b, 14, 10), pickup(bin_a2, week.collector_b, 14, 15)]
    handovers.record_many(db, drafts, times=[d.device_time + timedelta(minutes=1)
                                              for d in drafts])
    handovers.record(db, pickup(bin_a2, week.collector_b, 15), now=at(0, 15) +
                     timedelta(minutes=1))

    monday = fengqiao(db, MONDAY)
    assert monday["counts"].booths_collected == 2 and monday["booth_signin"] == 1.0
    assert monday["counts"].work_due == 2 * 2  # two collectors, each due both booths
    assert monday["counts"].work_done == 2 + 2
    incremental = village_days(db)
    assert (MONDAY, "凤桥村", "pickup", 2, 7) in incremental
    before = assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS)
    rollup_rebuild.rebuild(db)
    assert village_days(db) == incremental
    assert assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS) == before


def test_a_household_depositing_two_bags_in_one_batch_counts_once(db, statements):
    week = build(db)
    bin_a1 = week.bins[0]
    bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村",
                                         household="h3") for _ in range(2)])
    thursday = MONDAY + timedelta(days=3)
    drafts = [HandoverDraft(bag, bin_a1, week.keeper, Role.BOOTH_KEEPER, weight_kg=1.0,
                            device_time=at(3, 7) + timedelta(minutes=n))
              for n, bag in enumerate(bags)]
    handovers.record_many(db, drafts, times=[d.device_time + timedelta(minutes=1)
                                              for d in drafts])
    incremental = village_days(db)
    assert [r for r in incremental if r[2] == HOUSEHOLDS] == [
        (MONDAY, "凤桥村", HOUSEHOLDS, 2, 2), (MONDAY, "新丰村", HOUSEHOLDS, 1, 1),
        (MONDAY + timedelta(days=2), "凤桥村", HOUSEHOLDS, 1, 1),
        (thursday, "凤桥村", HOUSEHOLDS, 1, 1)]  # h3, once for its two bags
    assert (thursday, "凤桥村", "deposit", 1, 2) in incremental
    week_trend = assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS)["trend"]
    assert [t["household"] for t in week_trend][:4] == [3 / 6, 0.0, 1 / 6, 1 / 6]
    before = assessment.assess(db, "quarter", MONDAY, DEFAULT_WEIGHTS)
    weeks = {(t["first"], t["last"]): t["household"] for t in before["trend"]}
    assert weeks[(MONDAY, MONDAY + timedelta(days=6))] == 4 / 6  # h1, h2, h5, h3
    # a week across two months with nothing recorded is a gap in the trend, not 0
    assert weeks[(date(2026, 10, 26), MONDAY - timedelta(days=1))] is None
    rollup_rebuild.rebuild(db)
    assert village_days(db) == incremental
    assert assessment.assess(db, "quarter", MONDAY, DEFAULT_WEIGHTS) == before
