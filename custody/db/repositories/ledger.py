"""The ledger: its head, its records and their portions.

The append path is the system's hot path, so its statements run on the raw
driver cursor (``custody.db.prepared``), in two round trips on PostgreSQL
however many drafts a batch holds (``open``, then ``append`` with the rollup
upserts and the caller's own statements in the same pipeline). Figures:
``benchmarks/ledger.py`` (records per second, SQLAlchemy Core against raw) and
``benchmarks/statements.py`` (~100 µs of Python per statement through
SQLAlchemy's execution layer against a few µs raw); on the scan path
``benchmarks/scan_path.py --callgrind`` counts the instructions per scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select, update

from custody.db.prepared import BulkInsert, Prepared, fetch_all, pipeline
from custody.db.repositories.assets import AssetRepository, AssetRow
from custody.db.schema import Handover, HandoverPortion, LedgerHead


class Opening(NamedTuple):
    """What an append starts from: the locked head, the batch's assets and actors."""

    head: tuple[int, str]
    assets: list[AssetRow]
    actors: dict[int, bool]


class LedgerRepository:
    """The ``handovers``, ``handover_portions`` and ``ledger_head`` tables."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def open(self, asset_ids: Sequence[str], actor_ids: Sequence[int]) -> Opening:
        """Lock the head; read the assets (with states and places) and the actors (one round
        trip on PostgreSQL)."""
        conn, assets = self.conn, AssetRepository(self.conn)
        with pipeline(conn):
            head = _LOCK_HEAD.submit(conn)
            found_assets = assets.submit_with_states(asset_ids)
            found_actors = assets.submit_actors(actor_ids)
            (locked,) = fetch_all(head)
            asset_rows, actor_rows = fetch_all(found_assets), fetch_all(found_actors)
        return Opening(locked, [AssetRow(*row) for row in asset_rows],
                       {actor_id: bool(active) for actor_id, active in actor_rows})

    def has_record(self, seq: int) -> bool:
        """Whether the ledger holds a record with this sequence number."""
        return bool(_RECORD_EXISTS.execute(self.conn, {"seq": seq}))

    def append(self, records: Sequence[dict], head: tuple[int, str],
               portions: Sequence[dict]) -> None:
        """Write sealed records and their portions and move the head to the last of them.

        Sent without waiting when inside ``Repositories.one_round_trip``.
        """
        conn = self.conn
        _INSERT_HANDOVER.execute(conn, records)
        _MOVE_HEAD.execute(conn, {"seq": head[0], "hash": head[1]})
        if portions:
            _INSERT_PORTIONS.execute(conn, portions)


_LOCK_HEAD = Prepared(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)
                      .with_for_update())
_MOVE_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1).values(
    seq=bindparam("seq"), hash=bindparam("hash")))
_RECORD_EXISTS = Prepared(select(Handover.seq).where(Handover.seq == bindparam("seq")))
_INSERT_HANDOVER = BulkInsert(Handover.__table__)
_INSERT_PORTIONS = BulkInsert(HandoverPortion.__table__)
