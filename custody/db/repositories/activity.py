"""The activity tables as their rebuild reads and rewrites them (``activity_rollups.rebuild``).

The append path's upserts into the same tables are ``RollupRepository.add_activity``
and ``mark_deposit_days`` (raw cursor, in the append's round trip). The rebuild
streams the ledger through SQLAlchemy Core: it runs once, offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, Row, delete, func, insert, select
from sqlalchemy.orm import aliased

from custody.db.schema import ActivityRollup, Asset, Handover, Household, HouseholdMonth
from custody.domain.model import RecordKind

_SRC, _DST = aliased(Asset), aliased(Asset)


class ActivityRepository:
    """The ``activity_rollups`` and ``household_months`` tables, whole."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def clear(self) -> None:
        """Empty both tables."""
        self.conn.execute(delete(ActivityRollup))
        self.conn.execute(delete(HouseholdMonth))

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
