"""The activity tables as their rebuild reads and rewrites them (``activity_rollups.rebuild``).

The append path's upserts into the same tables are ``RollupRepository.add_activity``
(the cells and their village-days) and ``mark_deposit_days`` (raw cursor, in the
append's round trip). The rebuild streams the ledger through SQLAlchemy Core: it
runs once, offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from sqlalchemy import Connection, Row, delete, func, insert, literal_column, select
from sqlalchemy.orm import aliased

from custody.db.schema import (
    ActivityRollup,
    ActivityVillageDay,
    Asset,
    Handover,
    Household,
    HouseholdMonth,
    Village,
)
from custody.domain.assessment import HOUSEHOLDS
from custody.domain.model import RecordKind

_SRC, _DST = aliased(Asset), aliased(Asset)


class ActivityRepository:
    """The ``activity_rollups`` and ``household_months`` tables, whole."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def clear(self) -> None:
        """Empty the tables."""
        self.conn.execute(delete(ActivityRollup))
        self.conn.execute(delete(ActivityVillageDay))
        self.conn.execute(delete(HouseholdMonth))

    def derive_village_days(self) -> None:
        """Fill ``activity_village_days`` (empty) from the cells: per village, day and measure,
        the distinct nodes and the records (cells without a village have no village-day);
        and from ``household_months`` each village-day's depositing households (one
        statement a month)."""
        a, h = ActivityRollup, HouseholdMonth
        self.conn.execute(insert(ActivityVillageDay).from_select(
            ["day", "village", "measure", "nodes", "records"],
            select(a.day, a.village, a.measure, func.count(a.node_id.distinct()),
                   func.sum(a.count)).where(a.village.is_not(None))
            .group_by(a.day, a.village, a.measure)))
        months = self.conn.execute(select(h.month).distinct()).scalars().all()
        for month in months:
            if isinstance(month, str):  # SQLite's dates are ISO text
                month = date.fromisoformat(month)
            found = self.conn.execute(
                select(Village.name, *[func.sum(h.days.op(">>")(literal_column(str(d)))
                                                .op("&")(literal_column("1")))
                                       for d in range(31)])
                .join(Village, Village.id == h.village_id).where(h.month == month)
                .group_by(Village.name)).all()
            rows = [{"day": month + timedelta(days=d), "village": name, "measure": HOUSEHOLDS,
                     "nodes": n, "records": n}
                    for name, *per_day in found for d, n in enumerate(per_day)
                    if n and (month + timedelta(days=d)).month == month.month]
            if rows:
                self.conn.execute(insert(ActivityVillageDay), rows)

    def moves(self, batch: int) -> Iterator[Row]:
        """Every handover record in order, with its assets' kinds and the source's
        household (streamed ``batch`` rows at a time)."""
        yield from self.conn.execute(
            select(Handover.action, Handover.role, Handover.flags,
                   Handover.photo_sha256.is_not(None).label("photo"), Handover.actor_id,
                   Handover.device_time_us, Handover.server_time_us, Handover.source_id,
                   Handover.dest_id, _SRC.kind.label("source_kind"),
                   _DST.kind.label("dest_kind"), _SRC.household_id)
            .join(_SRC, _SRC.asset_id == Handover.source_id)
            .join(_DST, _DST.asset_id == Handover.dest_id)
            .where(Handover.record_kind == RecordKind.HANDOVER.value).order_by(Handover.seq)
            .execution_options(stream_results=True, yield_per=batch))

    def household_villages(self) -> dict[int, int]:
        """{household id: its village id}."""
        return dict(self.conn.execute(select(Household.id, Household.village_id)).all())

    def add_household_months(self, rows: Sequence[dict]) -> None:
        """Insert {month, household_id, village_id, days} rows."""
        if rows:
            self.conn.execute(insert(HouseholdMonth), rows)

    def count(self) -> int:
        """How many activity cells there are."""
        return self.conn.execute(select(func.count()).select_from(ActivityRollup)).scalar_one()
