"""What re-deriving the rollups reads and writes: the whole ledger in order, streamed,
and the derived tables (rollups, values in force, portions, contents) cleared and refilled.

Core statements in one write transaction; the ledger is streamed ``REBUILD_BATCH``
rows a fetch and the portions go in as bulk inserts, so memory stays flat on a
ledger of years (``custody.services.rollup_rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from custody.db.repositories.rollups import PLACE_QUERY, ROOT_ROW
from custody.db.schema import (
    Asset,
    AssetState,
    CorrectedWeight,
    DailyRollup,
    Handover,
    HandoverPortion,
)


class RebuildRepository:
    """The reads and writes behind ``custody.services.rollup_rebuild``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def clear_derived(self) -> None:
        """Empty the daily rollups, the values in force and the portions."""
        for table in (DailyRollup, CorrectedWeight, HandoverPortion):
            self.conn.execute(delete(table))

    def corrections(self, correction_kind: str) -> list[Row]:
        """(seq, corrects_seq, weight_g, category) of every correction record, in order."""
        return self.conn.execute(
            select(Handover.seq, Handover.corrects_seq, Handover.weight_g, Handover.category)
            .where(Handover.record_kind == correction_kind).order_by(Handover.seq)).all()

    def add_in_force(self, rows: Sequence[dict]) -> None:
        """Insert values in force ({seq, weight_g, category} each)."""
        if rows:
            self.conn.execute(insert(CorrectedWeight), list(rows))

    def places_except(self, kind: str) -> Iterator[Row]:
        """Every asset not of ``kind`` with its place (``PLACE_QUERY``'s columns)."""
        return iter(self.conn.execute(PLACE_QUERY.where(Asset.kind != kind)))

    def ledger(self, record_kind: str, except_action: str, batch: int) -> Iterator[Row]:
        """The records of a kind, but not of one action, in order, as ``ROOT_ROW`` reads them;
        streamed ``batch`` rows a fetch."""
        return iter(self.conn.execute(
            ROOT_ROW.where(Handover.record_kind == record_kind,
                           Handover.action.is_distinct_from(except_action))
            .order_by(Handover.seq)
            .execution_options(stream_results=True, yield_per=batch)))

    def add_portions(self, rows: Sequence[dict]) -> None:
        """Insert portions ({seq, category, grams, estimated} each)."""
        if rows:
            self.conn.execute(insert(HandoverPortion), list(rows))

    def set_contents(self, rows: Sequence[dict]) -> None:
        """Set containers' contents and holding ({id, text, holding} each)."""
        if rows:
            self.conn.execute(update(AssetState).where(AssetState.asset_id == bindparam("id"))
                              .values(contents=bindparam("text"),
                                      holding=bindparam("holding")), list(rows))

    def rollup_count(self) -> int:
        """How many daily rollup rows there are."""
        return self.conn.execute(select(func.count()).select_from(DailyRollup)).scalar_one()
