"""The district assessment (考核) of one day, week, month or quarter, from the rollups.

``assess`` reads the registry and the activity rollups of the period once
(``custody.services.assessment_counts`` says what is due and what is done),
then ranks, with the arithmetic of ``custody.domain.assessment``:

- villages by the weighted composite of their KPIs (weights: ``Settings.
  assessment_weights``, documented in ``custody.config``);
- towns (镇/街道) by the mean composite of their villages (a KPI of a town is
  the mean of its villages' values); villages without a town are not in a town;
- collectors by work rate (booths picked up / booths due to them);
- inspectors by inspection rate (inspections / booths due to them).

A period with nothing recorded (no activity, no deposit) ranks no place:
``recorded`` is false and every rank is None, rather than every village first at 0.

The trend is the district's KPIs and composite per step of the period (see
``assessment.steps``): all villages pooled; a step with nothing recorded has no
values (a gap in the chart rather than a fall to 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from custody.db.engine import Database
from custody.domain import assessment as kpi
from custody.domain.assessment import Counts
from custody.services import assessment_counts as counts
from custody.services import household_days

LEVELS = ("village", "town", "collector", "inspector")


def assess(db: Database, period: str, day: date, weights: Mapping[str, float],
           until: date | None = None) -> dict:
    """Every ranking and the trend of the period holding ``day``.

    With ``until`` (today), a period in progress counts its days up to ``until`` only
    (``last``; ``period_last`` is the period's own last day); a later period counts none.
    """
    first, period_last = kpi.bounds(period, day)
    last = min(period_last, until) if until else period_last
    steps = [(a, min(b, last)) for a, b in kpi.steps(period, day) if a <= last]
    since = min(first, steps[0][0]) if steps else first
    with db.read() as session:
        conn = session.connection()
        reg = counts.registry(conn)
        act = counts.activity(conn, since, last)
        span = household_days.span(conn, first, last)
        trend_households = household_days.per_step(conn, act.households_on, reg.villages, steps)
        recorded = any(first <= day <= last for _village, day in act.places) or any(
            span.values())
        villages = _villages(reg, act, first, last, span, weights)
        collectors = _people(conn, reg, act, "pickup", first, last)
        inspectors = _people(conn, reg, act, "inspect", first, last)
    towns = _towns(villages)
    if not recorded:  # every place at 0: no ranking, rather than all of them first
        for row in (*villages, *towns):
            row["rank"] = None
    return {
        "period": period, "day": day, "first": first, "last": last, "period_last": period_last,
        "weights": dict(weights), "recorded": recorded,
        "villages": villages, "towns": towns,
        "collectors": collectors, "inspectors": inspectors,
        "trend": _trend(reg, act, steps, trend_households, weights),
    }


def _row(name: str, c: Counts, weights: Mapping[str, float]) -> dict:
    values = kpi.kpis(c)
    return {"name": name, **values, "composite": kpi.composite(values, weights),
            "counts": c}


def _villages(reg: counts.Registry, act: counts.Activity, first: date, last: date,
              span: dict[int, int], weights: Mapping[str, float]) -> list[dict]:
    rows = []
    for name, (vid, town) in reg.villages.items():
        c = counts.village_counts(reg, act, name, first, last, span.get(vid, 0))
        rows.append({**_row(name, c, weights), "town": town})
    return kpi.ranked(rows, "composite")


def _towns(villages: list[dict]) -> list[dict]:
    by_town: dict[str, list[dict]] = defaultdict(list)
    for v in villages:
        if v["town"]:
            by_town[v["town"]].append(v)
    rows = [{"name": town, "villages": len(vs),
             **{k: kpi.mean(v[k] for v in vs) for k in (*kpi.KPIS, "composite")}}
            for town, vs in by_town.items()]
    for r in rows:
        r["composite"] = round(r["composite"], 2) if r["composite"] is not None else None
    return kpi.ranked(rows, "composite")


def _people(conn, reg: counts.Registry, act: counts.Activity, measure: str, first: date,
            last: date) -> list[dict]:
    found = counts.people(reg, act, measure, first, last)
    names = counts.actor_names(conn, set(found))
    rows = [{"name": names.get(actor, str(actor)), "actor_id": actor, "done": done, "due": due,
             "villages": villages, "rate": round(done / due, 4) if due else None}
            for actor, (done, due, villages) in found.items()]
    return kpi.ranked(rows, "rate")


def _trend(reg: counts.Registry, act: counts.Activity, steps: list[tuple[date, date]],
           households: list[int], weights: Mapping[str, float]) -> list[dict]:
    found = []
    for (a, b), depositing in zip(steps, households, strict=True):
        total = Counts()
        for name in reg.villages:
            counts.village_counts(reg, act, name, a, b, 0, into=total)
        total.households_depositing = depositing
        values = kpi.kpis(total)
        if not depositing and not any(a <= day <= b for _village, day in act.places):
            values = dict.fromkeys(values)  # nothing recorded: a gap in the trend, not zeros
        found.append({"first": a, "last": b, **values,
                      "composite": kpi.composite(values, weights)})
    return found
