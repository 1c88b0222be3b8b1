"""Which households deposited when, counted in the database from ``household_months``.

A row holds one household's deposit days of one month as bits, so each count is
one aggregate statement over the months concerned and no row leaves the database:
per day, a sum of one bit per day; over days of one month, the rows with any of
their bits; over days of several months, each household once.
"""

from __future__ import annotations

from datetime import date, timedelta

from custody.db.repositories import Connection, Repositories


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


def daily(conn: Connection, first: date, last: date) -> dict[tuple[int, date], int]:
    """(village id, day) -> households with a deposit that day (one statement a month)."""
    found = {}
    for month, bits in months(first, last):
        days = [d for d in range(31) if bits >> d & 1]
        for village, *counts in Repositories(conn).assessment.depositing_per_day(month, days):
            for d, n in zip(days, counts, strict=True):
                found[(village, month.replace(day=d + 1))] = int(n or 0)
    return found


def span(conn: Connection, first: date, last: date) -> dict[int, int]:
    """Village id -> households with a deposit on any of the days (one statement)."""
    touched = months(first, last)
    if not touched:
        return {}
    return Repositories(conn).assessment.depositing_any_day(touched)
