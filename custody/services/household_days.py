"""Which households deposited when, counted in the database from ``household_months``.

A row holds one household's deposit days of one month as bits, so each count is
one aggregate statement over the months concerned and no row leaves the database:
over days of one month, the rows with any of their bits; over days of several
months, each household once. A day's count per village is kept with the activity
(``activity_village_days``, measure ``households``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def per_step(conn: Connection, on_day: Callable[[str, date], int], villages: Iterable[str],
             steps: Sequence[tuple[date, date]]) -> list[int]:
    """The district's households with a deposit in each step: a day's from the activity
    village-days already read (``on_day(village, day)``, measure ``households``); the
    longer steps' (the
    weeks of a quarter) one statement a month for the weeks inside a month, and one for
    each week across two months."""
    villages = list(villages)
    found = [sum(on_day(v, a) for v in villages) if a == b else 0 for a, b in steps]
    by_month: dict[date, list[tuple[int, int]]] = {}
    for n, (a, b) in enumerate(steps):
        touched = months(a, b) if a != b else []
        if len(touched) == 1:
            by_month.setdefault(touched[0][0], []).append((n, touched[0][1]))
        elif touched:
            found[n] = sum(span(conn, a, b).values())
    reads = Repositories(conn).assessment
    for month, spans in by_month.items():
        counted = reads.depositing_in_month(month, [bits for _, bits in spans])
        for (n, _), value in zip(spans, counted, strict=True):
            found[n] = value
    return found


def span(conn: Connection, first: date, last: date) -> dict[int, int]:
    """Village id -> households with a deposit on any of the days (one statement)."""
    touched = months(first, last)
    if not touched:
        return {}
    return Repositories(conn).assessment.depositing_any_day(touched)
