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

from sqlalchemy import Connection, Row, and_, bindparam, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from custody.db.prepared import BulkInsert, Prepared
from custody.db.repositories.assets import PLACE_COLUMNS, join_place
from custody.db.repositories.village_days import COUNT_AND_MARK_DAY, add_village_days
from custody.db.schema import (
    ActivityRollup,
    Asset,
    CorrectedWeight,
    DailyRollup,
    Handover,
    HandoverPortion,
)

_SRC, _DST = aliased(Asset), aliased(Asset)
# A record with what its rollups need of its two assets (select from it with ``where``).
ROOT_ROW = (
    select(Handover.seq, Handover.record_kind, Handover.corrects_seq, Handover.action,
           Handover.weight_g, Handover.category, Handover.device_time_us,
           Handover.server_time_us, Handover.source_id, Handover.dest_id,
           _SRC.kind.label("source_kind"), _SRC.category.label("source_cat"),
           _DST.kind.label("dest_kind"), _DST.category.label("dest_cat"))
    .join(_SRC, _SRC.asset_id == Handover.source_id)
    .join(_DST, _DST.asset_id == Handover.dest_id)
)
# An asset with what its place is made of (select from it with ``where``).
PLACE_QUERY = join_place(select(Asset.asset_id, Asset.kind, *PLACE_COLUMNS))


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

    def add_activity(self, rows: Sequence[dict], *, village_days: bool = True) -> None:
        """Add counts to the activity cells (``day`` a date) and, unless told not to (the
        rebuild derives them afterwards), to their villages' days.

        A village-day counts a node once: its statement runs before the cells' upsert and
        adds the node only if no cell of it is there yet for the day, measure and village
        (appends hold the ledger head's lock, so no other append adds one meanwhile); one
        statement per (day, node, measure, village), so cells of one node by several
        people in one delta add it once. A scan's delta has one or two of them.
        """
        if not rows:
            return
        if self._sqlite:
            rows = [{**row, "day": row["day"].isoformat()} for row in rows]
        if village_days:
            nodes: dict[tuple, int] = {}
            for row in rows:
                if row["village"] is not None:
                    key = (row["day"], row["node_id"], row["measure"], row["village"])
                    nodes[key] = nodes.get(key, 0) + row["count"]
            if nodes:
                add_village_days(self.conn, [
                    {"day": day, "node": node, "measure": measure, "village": village,
                     "records": n} for (day, node, measure, village), n in nodes.items()])
        _UPSERT_ACTIVITY.execute(self.conn, rows)

    def mark_deposit_days(self, deposits: Sequence[dict]) -> None:
        """Set each {bag, day, month, bit}'s day in its household's month (bags of no
        household are skipped), and count the household in its village's day (measure
        ``households``) if the day was not set yet: one deposit after the other, so two
        of one household's bags in one batch count it once."""
        if not deposits:
            return
        if self._sqlite:
            deposits = [{**d, "day": d["day"].isoformat(), "month": d["month"].isoformat()}
                        for d in deposits]
        COUNT_AND_MARK_DAY[self.conn.dialect.name](self.conn, deposits)

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

    # Read for corrections and, once per bag, by the rebuild: 15 to 20 µs of CPU more
    # than on the raw cursor (benchmarks/statements.py), small next to a bag's replay.
    def place_row(self, asset_id: str) -> Row:
        """(asset id, kind, site id, village, district) of one asset."""
        return self.conn.execute(_ONE_PLACE, {"id": asset_id}).one()

    def record(self, seq: int) -> Row:
        """One record as ``ROOT_ROW`` reads it."""
        return self.conn.execute(_ONE_ROOT, {"seq": seq}).one()

    def weight_in_force(self, seq: int) -> tuple[int | None, str | None] | None:
        """(weight, category) a correction put in force for a record, if any."""
        found = self.conn.execute(select(CorrectedWeight.weight_g, CorrectedWeight.category)
                                  .where(CorrectedWeight.seq == seq)).first()
        return tuple(found) if found else None

    def set_weight_in_force(self, seq: int, weight_g: int | None, category: str | None) -> None:
        self.conn.execute(_UPSERT_CORRECTED[self.conn.dialect.name],
                          [{"seq": seq, "weight_g": weight_g, "category": category}])

    def portions_of(self, seq: int) -> list[tuple[str, int, bool]]:
        """(category, grams, estimated) of what a record carried, by category."""
        return [tuple(p) for p in self.conn.execute(
            select(HandoverPortion.category, HandoverPortion.grams, HandoverPortion.estimated)
            .where(HandoverPortion.seq == seq).order_by(HandoverPortion.category))]

    def drop_empty_cells(self, keys) -> None:
        """Delete the rollup cells among (level, day, node, category, measure) keys that
        count no record any more."""
        if not keys:
            return
        self.conn.execute(delete(DailyRollup).where(DailyRollup.count == 0, or_(*[
            and_(DailyRollup.level == k[0], DailyRollup.day == k[1],
                 DailyRollup.node_id == k[2], DailyRollup.category == k[3],
                 DailyRollup.measure == k[4]) for k in keys])))

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


_ONE_PLACE = PLACE_QUERY.where(Asset.asset_id == bindparam("id"))
_ONE_ROOT = ROOT_ROW.where(Handover.seq == bindparam("seq"))


def _upsert_corrected(insert_fn) -> object:
    """INSERT .. ON CONFLICT DO UPDATE for the values in force, built once per dialect."""
    stmt = insert_fn(CorrectedWeight)
    return stmt.on_conflict_do_update(
        index_elements=[CorrectedWeight.seq],
        set_={"weight_g": stmt.excluded.weight_g, "category": stmt.excluded.category})


_UPSERT_CORRECTED = {"postgresql": _upsert_corrected(pg_insert),
                     "sqlite": _upsert_corrected(sqlite_insert)}


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
