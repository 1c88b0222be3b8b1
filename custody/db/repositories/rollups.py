"""The tonnage and activity rollups: the append path adds to them, the reports read them.

Each append adds its amounts in the append's own round trip, as bulk upserts
on the raw driver cursor (``custody.db.prepared``): on PostgreSQL a scan
upserts three rollup cells in one VALUES statement instead of three
executemany rounds (``BulkInsert``: about 0.4 ms less per statement), and the
raw path saves SQLAlchemy's ~100 µs of Python per statement
(``benchmarks/statements.py``).

The tonnage read runs on the raw cursor too: a year of 30 booths (43,800 cells)
costs 1.2x the CPU through SQLAlchemy's result layer on SQLite and 1.4x on
PostgreSQL (``benchmarks/statements.py``), and an export reads millions of cells.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Connection, bindparam, func, select
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

    def tonnage_cells(self, level: str, day_from: date, day_to: date, node: str | None,
                      measures: Sequence[str], *, chunk: int = 5000
                      ) -> Iterator[list[tuple]]:
        """(day, node id, category, grams of each measure..., count of each measure...)
        per day, node and category, ``chunk`` rows at a time, in that order."""
        as_text = self._sqlite  # SQLite keeps dates as ISO text
        params = {"level": level, "node": node,
                  "day_from": day_from.isoformat() if as_text else day_from,
                  "day_to": day_to.isoformat() if as_text else day_to}
        days: dict = {}
        for rows in _tonnage(tuple(measures), node is not None).stream(self.conn, params,
                                                                        chunk=chunk):
            if as_text:
                rows = [(days.get(r[0]) or days.setdefault(r[0], date.fromisoformat(r[0])),
                         *r[1:]) for r in rows]
            yield rows

    def node_names(self, nodes: set[str]) -> dict[str, str]:
        """Display names of these asset nodes ("" for none)."""
        found = dict.fromkeys(nodes, "")
        if nodes:
            found.update(self.conn.execute(select(Asset.asset_id, Asset.name).where(
                Asset.asset_id.in_(sorted(nodes)), Asset.name.is_not(None))).all())
        return found

    def latest_day(self, until: date) -> date | None:
        """The newest day up to ``until`` with any tonnage recorded."""
        return self.conn.execute(select(func.max(DailyRollup.day))
                                 .where(DailyRollup.day <= until)).scalar()

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


_TONNAGE_READS: dict[tuple, Prepared] = {}


def _tonnage(measures: tuple[str, ...], one_node: bool) -> Prepared:
    """The tonnage read (for one node or all), built once."""
    found = _TONNAGE_READS.get((measures, one_node))
    if found is None:
        r = DailyRollup
        stmt = (select(r.day, r.node_id, r.category,
                       *[func.sum(c).filter(r.measure == m) for c in (r.grams, r.count)
                         for m in measures])
                .where(r.level == bindparam("level"), r.day >= bindparam("day_from"),
                       r.day <= bindparam("day_to")))
        if one_node:
            stmt = stmt.where(r.node_id == bindparam("node"))
        found = _TONNAGE_READS[(measures, one_node)] = Prepared(
            stmt.group_by(r.day, r.node_id, r.category).order_by(r.day, r.node_id, r.category))
    return found
