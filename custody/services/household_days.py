"""Which households deposited when, counted in the database from ``household_months``.

A row holds one household's deposit days of one month as bits, so each count is
one aggregate statement over the months concerned and no row leaves the database:
per day, a sum of one bit per day; over days of one month, the rows with any of
their bits; over days of several months, each household once.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, literal_column, or_, select

from custody.db.schema import HouseholdMonth

_H = HouseholdMonth


def months(first: date, last: date) -> list[tuple[date, int]]:
    """Each month the days touch, with the bits of the days of it inside them."""
    found, day = [], first
    while day <= last:
        month = day.replace(day=1)
        bits = 0
        while day <= last and day.month == month.month:
            bits |= 1 << (day.day - 1)
            day += timedelta(days=1)
        found.append((month, bits))
    return found


def _bit(d: int):
    """The SQL for day ``d + 1``'s bit of ``days`` (0 or 1); ``d`` is a constant 0–30."""
    return _H.days.op(">>")(literal_column(str(int(d)))).op("&")(literal_column("1"))


def daily(conn: Connection, first: date, last: date) -> dict[tuple[int, date], int]:
    """(village id, day) -> households with a deposit that day (one statement a month)."""
    found = {}
    for month, bits in months(first, last):
        days = [d for d in range(31) if bits >> d & 1]
        for village, *counts in conn.execute(
                select(_H.village_id, *[func.sum(_bit(d)) for d in days])
                .where(_H.month == month).group_by(_H.village_id)):
            for d, n in zip(days, counts, strict=True):
                found[(village, month.replace(day=d + 1))] = int(n or 0)
    return found


def span(conn: Connection, first: date, last: date) -> dict[int, int]:
    """Village id -> households with a deposit on any of the days (one statement)."""
    touched = months(first, last)
    if not touched:
        return {}
    if len(touched) == 1:  # a household has one row a month: no need for DISTINCT
        (month, bits), = touched
        stmt = (select(_H.village_id, func.count())
                .where(_H.month == month, _H.days.op("&")(bits) != 0))
    else:
        any_day = or_(*[and_(_H.month == month, _H.days.op("&")(bits) != 0)
                        for month, bits in touched])
        stmt = select(_H.village_id, func.count(_H.household_id.distinct())).where(any_day)
    return dict(conn.execute(stmt.group_by(_H.village_id)).all())
