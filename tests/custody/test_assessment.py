"""The assessment's KPIs, composite and rankings, fixed on a hand-made week."""

from datetime import date, timedelta

import pytest

from custody.domain import assessment as kpi
from custody.domain.assessment import DEFAULT_WEIGHTS, Counts
from custody.services import assessment, rollup_rebuild
from tests.custody.assessment_week import MONDAY, build


def by_name(rows):
    return {r["name"]: r for r in rows}


def test_the_week_of_each_village(db):
    build(db)
    found = assessment.assess(db, "week", date(2026, 11, 4), DEFAULT_WEIGHTS)
    assert (found["first"], found["last"]) == (MONDAY, date(2026, 11, 8))
    a, b = by_name(found["villages"])["凤桥村"], by_name(found["villages"])["新丰村"]
    assert a["booth_signin"] == pytest.approx(3 / 14)  # Mon A1, A2; Tue A1 of 2 booths x 7
    assert a["room_signin"] == pytest.approx(1 / 7)  # Monday's photographed clearance
    assert a["work_rate"] == pytest.approx(3 / 4)  # 王: Mon 2 of 2, Tue 1 of 2
    assert a["inspection"] == pytest.approx(2 / 14)  # 2 inspections, 14 booth-days
    assert a["sorting"] == pytest.approx(3 / 5)  # 3 deposits + 2 checks; 1 + 1 wrong
    assert a["household"] == pytest.approx(2 / 4)  # h1, h2 of h1–h4
    assert a["counts"].deposit_mismatches == 1 and a["counts"].keeper_mismatches == 1
    assert (b["booth_signin"], b["room_signin"], b["work_rate"], b["inspection"],
            b["sorting"], b["household"]) == (pytest.approx(1 / 7), 0.0, 1.0, 0.0, 1.0, 0.5)
    assert a["composite"] == pytest.approx(
        25 * 3 / 14 + 15 / 7 + 15 * 0.75 + 10 / 7 + 20 * 0.6 + 15 * 0.5, abs=0.01)
    assert b["composite"] == pytest.approx(25 / 7 + 15 + 20 + 7.5, abs=0.01)
    assert [(v["rank"], v["name"], v["town"]) for v in found["villages"]] == [
        (1, "新丰村", "新丰镇"), (2, "凤桥村", "凤桥镇")]
    assert [(t["rank"], t["name"], t["composite"]) for t in found["towns"]] == [
        (1, "新丰镇", b["composite"]), (2, "凤桥镇", a["composite"])]


def test_people_are_ranked_by_their_own_rate(db):
    build(db)
    found = assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS)
    assert [(c["name"], c["done"], c["due"], c["rate"], c["villages"])
            for c in found["collectors"]] == [("陈收集", 1, 1, 1.0, ["新丰村"]),
                                              ("王收集", 3, 4, 0.75, ["凤桥村"])]
    assert [(i["rank"], i["name"], i["done"], i["due"], i["rate"])
            for i in found["inspectors"]] == [(1, "赵亭长", 2, 4, 0.5)]


def test_a_day_a_month_and_the_trend(db):
    build(db)
    monday = by_name(assessment.assess(db, "day", MONDAY, DEFAULT_WEIGHTS)["villages"])["凤桥村"]
    assert (monday["booth_signin"], monday["room_signin"], monday["work_rate"],
            monday["inspection"], monday["sorting"], monday["household"]) == (
        1.0, 1.0, 1.0, 0.5, pytest.approx(2 / 3), 0.5)
    month = assessment.assess(db, "month", MONDAY, DEFAULT_WEIGHTS)
    assert (month["first"], month["last"]) == (date(2026, 11, 1), date(2026, 11, 30))
    # 2 booths due from the district's first recorded day (Monday the 2nd) to the 30th: 58
    assert by_name(month["villages"])["凤桥村"]["booth_signin"] == pytest.approx(3 / 58)
    week = assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS)["trend"]
    assert [t["first"] for t in week] == [date(2026, 11, d) for d in range(2, 9)]
    assert week[0]["booth_signin"] == 1.0 and week[1]["booth_signin"] == pytest.approx(1 / 3)
    assert week[0]["household"] == pytest.approx(3 / 6) and week[2]["household"] == 1 / 6
    quarter = assessment.assess(db, "quarter", MONDAY, DEFAULT_WEIGHTS)
    assert (quarter["first"], quarter["last"]) == (date(2026, 10, 1), date(2026, 12, 31))
    assert by_name(quarter["villages"])["新丰村"]["household"] == 0.5


def test_rebuilt_rollups_give_the_same_assessment(db):
    build(db)
    before = assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS)
    rollup_rebuild.rebuild(db)
    assert assessment.assess(db, "week", MONDAY, DEFAULT_WEIGHTS) == before


def test_periods_and_steps():
    day = date(2026, 2, 18)  # a Wednesday
    assert kpi.bounds("day", day) == (day, day)
    assert kpi.bounds("week", day) == (date(2026, 2, 16), date(2026, 2, 22))
    assert kpi.bounds("month", day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert kpi.bounds("quarter", date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert len(kpi.steps("day", day)) == 7 and kpi.steps("day", day)[-1] == (day, day)
    weeks = kpi.steps("quarter", day)
    assert weeks[0] == (date(2026, 1, 1), date(2026, 1, 4)) and weeks[-1][1] == date(2026, 3, 31)
    assert kpi.shift("month", day, -1) == date(2026, 1, 1)
    assert kpi.shift("quarter", day, 1) == date(2026, 4, 1)
    with pytest.raises(kpi.BadPeriod):
        kpi.bounds("year", day)


def test_composite_skips_what_was_not_due_and_caps_at_one():
    values = kpi.kpis(Counts(booths_due=10, booths_collected=5, inspections=30))
    assert values["inspection"] == 3.0 and values["room_signin"] is None
    assert kpi.composite(values, {"booth_signin": 1, "inspection": 1, "room_signin": 5}) == 75.0
    assert kpi.composite(kpi.kpis(Counts()), DEFAULT_WEIGHTS) is None


def test_ties_share_a_rank_and_nothing_ranks_last():
    rows = kpi.ranked([{"name": "b", "v": 1.0}, {"name": "a", "v": 1.0}, {"name": "c", "v": None},
                       {"name": "d", "v": 2.0}], "v")
    assert [(r["name"], r["rank"]) for r in rows] == [("d", 1), ("a", 2), ("b", 2), ("c", None)]


def test_weights_must_name_kpis():
    with pytest.raises(ValueError, match="no KPI"):
        kpi.check_weights({"speed": 1})
    with pytest.raises(ValueError):
        kpi.check_weights({"sorting": -1})
    assert kpi.check_weights({"sorting": 2})["booth_signin"] == 0.0


def test_a_period_in_progress_counts_its_days_up_to_today(db):
    build(db)
    month = assessment.assess(db, "month", MONDAY, DEFAULT_WEIGHTS, until=date(2026, 11, 8))
    assert (month["first"], month["last"], month["period_last"]) == (
        date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 30))
    # due from the district's first recorded day (the 2nd) up to today (the 8th): 2 x 7
    assert by_name(month["villages"])["凤桥村"]["booth_signin"] == pytest.approx(3 / 14)
    assert [t["first"] for t in month["trend"]][-1] == date(2026, 11, 8)
    later = assessment.assess(db, "month", date(2026, 12, 5), DEFAULT_WEIGHTS,
                              until=date(2026, 11, 30))
    assert later["trend"] == [] and all(v["composite"] is None for v in later["villages"])


def test_nothing_is_due_before_the_district_recorded_its_first_day(db):
    """A district that began on Monday the 2nd is not rated on Sunday the 1st, nor on the
    month's days before it began (the README's demo starts 7 days ago: its month read 23 %)."""
    build(db)
    sunday = assessment.assess(db, "day", MONDAY - timedelta(days=1), DEFAULT_WEIGHTS)
    assert all(v["booth_signin"] is None for v in sunday["villages"])
    day = assessment.assess(db, "day", MONDAY, DEFAULT_WEIGHTS)
    month = assessment.assess(db, "month", MONDAY, DEFAULT_WEIGHTS, until=MONDAY)
    assert by_name(month["villages"])["凤桥村"]["booth_signin"] == by_name(
        day["villages"])["凤桥村"]["booth_signin"]
