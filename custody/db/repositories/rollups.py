"""The tonnage and activity rollups as the append path adds to them.

Each append adds its amounts in the append's own round trip, as bulk upserts
on the raw driver cursor (``custody.db.prepared``): on PostgreSQL a scan
upserts three rollup cells in one VALUES statement instead of three
executemany rounds (``BulkInsert``: about 0.4 ms less per statement), and the
raw path saves SQLAlchemy's ~100 µs of Python per statement
(``benchmarks/statements.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from custody.db.prepared import BulkInsert, Prepared
from custody.db.schema import ActivityRollup, Asset, DailyRollup, Household, HouseholdMonth


class RollupRepository:
    """The ``daily_rollups``, ``activity_rollups`` and ``household_months`` tables."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add_daily(self, rows: Sequence[dict]) -> None:
        """Add grams and counts to the daily rollup cells (``day`` a date)."""
        if not rows:
            return
        if self._sqlite:  # the raw driver: dates as SQLAlchemy's Date stores them
            rows = [{**row, "day": row["day"].isoformat()} for row in rows]
        _UPSERT_ROLLUP.execute(self.conn, rows)

    def add_activity(self, rows: Sequence[dict]) -> None:
        """Add counts to the activity cells (``day`` a date)."""
        if not rows:
            return
        if self._sqlite:
            rows = [{**row, "day": row["day"].isoformat()} for row in rows]
        _UPSERT_ACTIVITY.execute(self.conn, rows)

    def mark_deposit_days(self, deposits: Sequence[dict]) -> None:
        """Set each {bag, month, bit}'s day in its household's month (bags of no household
        are skipped)."""
        if not deposits:
            return
        if self._sqlite:
            deposits = [{**d, "month": d["month"].isoformat()} for d in deposits]
        _MARK_DAY[self.conn.dialect.name].execute_many(self.conn, deposits)

    @property
    def _sqlite(self) -> bool:
        return self.conn.dialect.name == "sqlite"


_UPSERT_ROLLUP = BulkInsert(
    DailyRollup.__table__,
    conflict=lambda stmt: stmt.on_conflict_do_update(
        index_elements=[DailyRollup.level, DailyRollup.day, DailyRollup.node_id,
                        DailyRollup.category, DailyRollup.measure],
        set_={"grams": DailyRollup.grams + stmt.excluded.grams,
              "count": DailyRollup.count + stmt.excluded.count}))

_UPSERT_ACTIVITY = BulkInsert(
    ActivityRollup.__table__,
    conflict=lambda stmt: stmt.on_conflict_do_update(
        index_elements=[ActivityRollup.day, ActivityRollup.node_id, ActivityRollup.actor_id,
                        ActivityRollup.measure],
        set_={"count": ActivityRollup.count + stmt.excluded.count}))


def _mark_day(insert_fn) -> Prepared:
    """Set a day's bit in the month of the household of a deposited bag (if it has one)."""
    stmt = insert_fn(HouseholdMonth).from_select(
        ["month", "household_id", "village_id", "days"],
        select(bindparam("month", type_=HouseholdMonth.month.type), Household.id,
               Household.village_id, bindparam("bit", type_=HouseholdMonth.days.type))
        .join(Asset, Asset.household_id == Household.id)
        .where(Asset.asset_id == bindparam("bag")))
    return Prepared(stmt.on_conflict_do_update(
        index_elements=[HouseholdMonth.month, HouseholdMonth.household_id],
        set_={"days": HouseholdMonth.days.op("|")(stmt.excluded.days)}))


_MARK_DAY = {"postgresql": _mark_day(pg_insert), "sqlite": _mark_day(sqlite_insert)}
