"""Narrowing ledger queries the way the supervisor pages do: by village, person and days.

Shared by the handovers list, the flags list and their exports, so a filter
means the same everywhere. Days are Jiaxing days of the server time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from custody.db.schema import Actor, Asset, Handover, Village
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


def village_assets(village: str) -> Select:
    """Ids of the assets in a village (directly or through their site)."""
    site = aliased(Asset)
    return (select(Asset.asset_id).outerjoin(site, site.asset_id == Asset.site_id)
            .join(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .where(Village.name == village))


def day_start_us(day: date) -> int:
    """Microseconds since the epoch at the start of a Jiaxing day."""
    return to_us(datetime.combine(day, time(), REPORT_TZ))


def narrow(stmt: Select, where: RecordFilter) -> Select:
    """``stmt`` (selecting handovers joined to their actor) kept to what ``where`` names."""
    if where.action:
        stmt = stmt.where(Handover.action == where.action)
    if where.village:
        inside = village_assets(where.village)
        stmt = stmt.where(Handover.source_id.in_(inside) | Handover.dest_id.in_(inside))
    if where.person:
        stmt = stmt.where(Actor.name == where.person)
    if where.day_from:
        stmt = stmt.where(Handover.server_time_us >= day_start_us(where.day_from))
    if where.day_to:
        stmt = stmt.where(Handover.server_time_us < day_start_us(where.day_to + timedelta(days=1)))
    return stmt
