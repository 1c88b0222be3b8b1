"""The ledger: its head, its records and their portions.

The append path is the system's hot path, so its statements run on the raw
driver cursor (``custody.db.prepared``), in two round trips on PostgreSQL
however many drafts a batch holds (``open``, then ``append`` with the rollup
upserts and the caller's own statements in the same pipeline). Figures:
``benchmarks/ledger.py`` (records per second, SQLAlchemy Core against raw) and
``benchmarks/statements.py`` (~100 µs of Python per statement through
SQLAlchemy's execution layer against a few µs raw); on the scan path
``benchmarks/scan_path.py --callgrind`` counts the instructions per scan.

The verify walk (``chain``) runs on the raw cursor too: it reads the whole
ledger, and SQLAlchemy's result rows would cost more than the hashing
(``benchmarks/ledger.py`` prints the walk's records per second).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Connection,
    Row,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    update,
)

from custody.db.prepared import BulkInsert, Prepared, fetch_all, pipeline
from custody.db.repositories.assets import AssetRepository, AssetRow
from custody.db.schema import Asset, Handover, HandoverPortion, LedgerHead, PublishedCheckpoint
from custody.domain.ledger import LEDGER_FIELDS
from custody.domain.model import Action, RecordKind


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

    def next_out(self, asset_id: str, after: int, category: str | None = None
                 ) -> tuple[int, str, str] | None:
        """(seq, dest, dest kind) of the asset's next outgoing handover after ``after`` that
        moved waste (and carried ``category``, if given)."""
        if category is None:
            return self.conn.execute(_NEXT_OUT, {"asset": asset_id, "after": after}).first()
        return self.conn.execute(_NEXT_OUT_OF, {"asset": asset_id, "after": after,
                                                "category": category}).first()

    def moved(self, seq: int) -> Row | None:
        """(source_id, dest_id, action) of one record."""
        return self.conn.execute(select(Handover.source_id, Handover.dest_id, Handover.action)
                                 .where(Handover.seq == seq)).first()

    def categories_of(self, seq: int) -> list[str]:
        """The categories a record carried portions of."""
        return list(self.conn.execute(_CATEGORIES, {"seq": seq}).scalars())

    def records(self, seqs: Sequence[int]) -> list[Row]:
        """These records, in order (rows with the table's column names)."""
        if not seqs:
            return []
        return list(self.conn.execute(select(Handover.__table__).where(Handover.seq.in_(seqs))
                                      .order_by(Handover.seq)))

    def history_of(self, asset_id: str) -> list[Row]:
        """Every record naming the asset, in order."""
        return list(self.conn.execute(
            select(Handover.__table__)
            .where((Handover.source_id == asset_id) | (Handover.dest_id == asset_id))
            .order_by(Handover.seq)))

    def extent(self) -> tuple[int, tuple[int, str]]:
        """(the highest record's seq, 0 if none; the head's (seq, hash))."""
        conn = self.conn
        max_seq = conn.execute(select(func.max(Handover.seq))).scalar() or 0
        head = conn.execute(select(LedgerHead.seq, LedgerHead.hash)).one()
        return max_seq, (head.seq, head.hash)

    def chain(self, start: int, stop: int) -> list[tuple]:
        """(seq, prev hash, head text, note, hash) of records start..stop in order; from
        ``start`` 1 also any record below 1. The head text is the record's fields joined by
        '|' (None as nothing), as ``custody.domain.ledger`` hashes them."""
        first_chunk, next_chunk = _CHUNKS[self.conn.dialect.name]
        if start == 1:
            return first_chunk.execute(self.conn, {"stop": stop})
        return next_chunk.execute(self.conn, {"start": start, "stop": stop})

    def hash_of(self, seq: int) -> str | None:
        """The stored hash of one record."""
        return self.conn.execute(select(Handover.hash).where(Handover.seq == seq)).scalar()

    def latest_checkpoint(self) -> str | None:
        """The newest published checkpoint's signed note."""
        return self.conn.execute(select(PublishedCheckpoint.note)
                                 .order_by(PublishedCheckpoint.id.desc()).limit(1)).scalar()

    def add_checkpoint(self, count: int, head_hash: str, signed_at: datetime,
                       note: str) -> None:
        """Keep a signed checkpoint."""
        self.conn.execute(insert(PublishedCheckpoint).values(
            count=count, head_hash=head_hash, signed_at=signed_at, note=note))


# The database writes each record's fields as text joined by '|' (None as
# nothing), the same bytes canonical_bytes builds in Python for integers and
# text, so the walk only hashes. tests/custody/test_verify.py checks the two
# agree on both databases.
# SQLite's printf('%s') writes NULL as nothing and integers as text, in one call
# (about 1.6x the rows/s of IFNULL(..) || '|' || ..); PostgreSQL needs the casts.
_HEAD_FIELDS = [Handover.__table__.c[name] for name in LEDGER_FIELDS[:-1]]
HEAD_TEXT = {
    "sqlite": func.printf("|".join(["%s"] * len(_HEAD_FIELDS)), *_HEAD_FIELDS),
    "postgresql": functools.reduce(
        lambda text, more: text.op("||")(literal_column("'|'")).op("||")(more),
        [func.coalesce(cast(column, Text), literal_column("''")) for column in _HEAD_FIELDS]),
}


def _chunk(head, *, first: bool) -> Prepared:
    """Records with their head text, up to ``:stop`` (the first chunk also catches seq < 1)."""
    low = Handover.seq <= bindparam("stop")
    if not first:
        low = and_(Handover.seq >= bindparam("start"), low)
    return Prepared(select(Handover.seq, Handover.prev_hash, head, Handover.note, Handover.hash)
                    .where(low).order_by(Handover.seq))


_CHUNKS = {dialect: (_chunk(head, first=True), _chunk(head, first=False))
           for dialect, head in HEAD_TEXT.items()}

# Every scan of a bag seen before walks this: through SQLAlchemy's execution layer a
# step costs 15 to 18 µs of CPU more than on the raw cursor on SQLite and 24 to 45 µs
# on PostgreSQL (benchmarks/statements.py), under 1 % of a scan's web CPU.
_NEXT_OUT = (select(Handover.seq, Handover.dest_id, Asset.kind)
             .join(Asset, Asset.asset_id == Handover.dest_id)
             .where(Handover.source_id == bindparam("asset"),
                    Handover.seq > bindparam("after"),
                    Handover.record_kind == RecordKind.HANDOVER.value,
                    Handover.action.is_distinct_from(Action.INSPECT.value))
             .order_by(Handover.seq).limit(1))
# The next outgoing handover that carried a portion of this category.
_NEXT_OUT_OF = _NEXT_OUT.join(HandoverPortion, (HandoverPortion.seq == Handover.seq)
                              & (HandoverPortion.category == bindparam("category")))
_CATEGORIES = select(HandoverPortion.category).where(HandoverPortion.seq == bindparam("seq"))

_LOCK_HEAD = Prepared(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)
                      .with_for_update())
_MOVE_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1).values(
    seq=bindparam("seq"), hash=bindparam("hash")))
_RECORD_EXISTS = Prepared(select(Handover.seq).where(Handover.seq == bindparam("seq")))
_INSERT_HANDOVER = BulkInsert(Handover.__table__)
_INSERT_PORTIONS = BulkInsert(HandoverPortion.__table__)
