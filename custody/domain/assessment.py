"""The district assessment (考核): periods, the KPI arithmetic, the weighted composite, ranks.

Plain numbers in, plain numbers out; ``custody.services.assessment`` reads the
counts from the rollups and documents what is *due*. Each KPI is a share of
what was due over the period's days (a day counts each booth, room or person
once per day it is due; nothing is due before the first day the district recorded
anything, so a district that began mid-month is rated on the days since):

- ``booth_signin``: booth-days with at least one pickup / booth-days due.
- ``room_signin``: room-days with a clearance photographed / room-days due.
- ``work_rate``: booths a collector picked up from / booths due to him
  (summed over collectors and days).
- ``inspection``: inspections per booth and day (inspections / booth-days due);
  it may exceed 1, and counts as at most 1 in the composite.
- ``sorting``: checks without a wrong category / checks, where the checks are
  the deposits (a ``category_mismatch`` deposit fails) and the booth keepers'
  inspections (one that found a wrong category fails).
- ``household``: households with a deposit in the period / households registered.

A KPI whose denominator is zero is None (nothing was due): it is left out of the
composite, whose weights are then shared among the KPIs that have a value. The
composite is ``100 × Σ wᵢ·min(kpiᵢ, 1) / Σ wᵢ``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from custody.domain.errors import BadPeriod

PERIODS = ("day", "week", "month", "quarter")
KPIS = ("booth_signin", "room_signin", "work_rate", "inspection", "sorting", "household")
DEFAULT_WEIGHTS = {"booth_signin": 25.0, "room_signin": 15.0, "work_rate": 15.0,
                   "inspection": 10.0, "sorting": 20.0, "household": 15.0}
# The activity village-days' measure of a village's households with a deposit that day.
HOUSEHOLDS = "households"



def bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the ``period`` (day, ISO week, month, quarter) holding ``day``."""
    if period == "day":
        return day, day
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
    elif period == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        raise BadPeriod(f"no period {period!r}; one of {', '.join(PERIODS)}")
    months = 1 if period == "month" else 3
    after = date(first.year + (first.month + months - 1) // 12,
                 (first.month + months - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def steps(period: str, day: date) -> list[tuple[date, date]]:
    """The trend's points: the 7 days up to a day; the days of a week or a month; the
    (ISO) weeks of a quarter, cut at its ends."""
    if period == "day":
        return [(day - timedelta(days=n), day - timedelta(days=n)) for n in range(6, -1, -1)]
    first, last = bounds(period, day)
    if period in ("week", "month"):
        return [(first + timedelta(days=n),) * 2 for n in range((last - first).days + 1)]
    found, start = [], first
    while start <= last:
        end = min(last, start + timedelta(days=6 - start.weekday()))
        found.append((start, end))
        start = end + timedelta(days=1)
    return found


def shift(period: str, day: date, n: int) -> date:
    """A day of the period ``n`` periods after (or before) the one holding ``day``."""
    first, last = bounds(period, day)
    if n > 0:
        for _ in range(n):
            first, last = bounds(period, last + timedelta(days=1))
    for _ in range(-n):
        first, last = bounds(period, first - timedelta(days=1))
    return first


@dataclass
class Counts:
    """What was due and what was done, summed over a period's days."""

    booths_due: int = 0  # booth-days
    booths_collected: int = 0  # booth-days with a pickup
    rooms_due: int = 0
    rooms_cleared: int = 0  # room-days with a photographed clearance
    work_due: int = 0  # booths due to collectors (per collector and day)
    work_done: int = 0
    inspections: int = 0
    deposits: int = 0
    deposit_mismatches: int = 0
    keeper_checks: int = 0
    keeper_mismatches: int = 0
    households: int = 0  # registered
    households_depositing: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for name in _COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


_COUNT_FIELDS = tuple(f.name for f in fields(Counts))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def kpis(c: Counts) -> dict[str, float | None]:
    """Each KPI of the counts (None where nothing was due)."""
    checks = c.deposits + c.keeper_checks
    return {
        "booth_signin": _share(c.booths_collected, c.booths_due),
        "room_signin": _share(c.rooms_cleared, c.rooms_due),
        "work_rate": _share(c.work_done, c.work_due),
        "inspection": _share(c.inspections, c.booths_due),
        "sorting": _share(checks - c.deposit_mismatches - c.keeper_mismatches, checks),
        "household": _share(c.households_depositing, c.households),
    }


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights as given, if each names a KPI and is a finite number ≥ 0, not all 0."""
    unknown = sorted(set(weights) - set(KPIS))
    if unknown:
        raise ValueError(f"assessment weights name no KPI: {', '.join(unknown)}")
    if any(not math.isfinite(w) or w < 0 for w in weights.values()) or not any(
            weights.values()):
        raise ValueError("assessment weights must be numbers ≥ 0, not all 0")
    return {k: float(weights.get(k, 0.0)) for k in KPIS}


def composite(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """0–100: the weighted mean of the KPIs that have a value, each capped at 1."""
    used = [(weights.get(k, 0.0), min(v, 1.0)) for k, v in values.items()
            if v is not None and weights.get(k, 0.0) > 0]
    total = sum(w for w, _ in used)
    return round(100 * sum(w * v for w, v in used) / total, 2) if total else None


def ranked(rows: Iterable[dict], key: str, name: str = "name") -> list[dict]:
    """Rows best first by ``key`` (None last, ties by name), with ``rank`` (1, 2, 2, 4 ...)."""
    ordered = sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0.0), r[name]))
    previous, rank = object(), 0
    for n, row in enumerate(ordered, 1):
        if row[key] != previous:
            rank, previous = n, row[key]
        row["rank"] = rank if row[key] is not None else None
    return ordered


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None if there are none)."""
    found = [v for v in values if v is not None]
    return round(sum(found) / len(found), 4) if found else None
