"""Narrowing ledger lists the way the supervisor pages do: by village, person and days.

Shared by the handovers list, the flags list and their exports, so a filter
means the same everywhere. Days are Jiaxing days of the server time; the
repositories (``LedgerFilter``) see them as server microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from custody.db.repositories import LedgerFilter
from custody.services.conversions import to_us
from custody.services.rollups import REPORT_TZ


@dataclass(frozen=True)
class RecordFilter:
    """Which records a list keeps (None: any)."""

    action: str | None = None
    village: str | None = None
    person: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def day_start_us(day: date) -> int:
    """Microseconds since the epoch at the start of a Jiaxing day."""
    return to_us(datetime.combine(day, time(), REPORT_TZ))


def ledger_filter(where: RecordFilter | None, **more) -> LedgerFilter:
    """What ``where`` keeps, as the repositories narrow a ledger list (``more``: flag terms)."""
    where = where or RecordFilter()
    return LedgerFilter(
        action=where.action or None, village=where.village or None,
        person=where.person or None,
        from_us=day_start_us(where.day_from) if where.day_from else None,
        to_us=day_start_us(where.day_to + timedelta(days=1)) if where.day_to else None, **more)
