"""A scan's attempt row: one per (actor, idempotency key).

Both statements run on the raw driver cursor (``custody.db.prepared``): a scan
is the web app's hot path, and its attempt row goes in the round trip that
writes its handovers (on the scan path a Core statement costs about 0.15 ms of
CPU, a raw one 0.03 ms; ``benchmarks/scan_path.py --callgrind`` counts the
whole scan).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from custody.db.prepared import Prepared, fetch_all
from custody.db.schema import ScanAttempt

_EARLIER = Prepared(select(ScanAttempt.id, ScanAttempt.request_hash, ScanAttempt.http_status,
                           ScanAttempt.response)
                    .where(ScanAttempt.actor_id == bindparam("actor_id"),
                           ScanAttempt.idempotency_key == bindparam("key")))
_INSERT = Prepared(insert(ScanAttempt).values(
    {c.name: bindparam(c.name) for c in ScanAttempt.__table__.columns if c.name != "id"})
    .returning(ScanAttempt.id))


class ScanAttemptRepository:
    """The ``scan_attempts`` table."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def earlier(self, actor_id: int, key: str) -> tuple[int, str, int, str] | None:
        """(id, request hash, HTTP status, stored answer) of the attempt with this key."""
        found = _EARLIER.execute(self.conn, {"actor_id": actor_id, "key": key})
        return found[0] if found else None

    def submit(self, row: dict[str, Any], received_at: datetime) -> AttemptId:
        """Send the attempt row without waiting (inside a round trip); ``.get()`` its id."""
        conn = self.conn
        at = _as_stored(conn, ScanAttempt.__table__.c.received_at, received_at)
        return AttemptId(_INSERT.submit(conn, {**row, "received_at": at}))


class AttemptId:
    """The id of an attempt row sent with ``submit``, read once its round trip is over."""

    def __init__(self, cursor):
        self._cursor = cursor

    def get(self) -> int:
        ((scan_id,),) = fetch_all(self._cursor)
        return scan_id


@functools.lru_cache(maxsize=16)  # a few engines' dialects; tests make many, keep none long
def _bind_processor(column, dialect):
    """The column type's conversion of a value for this dialect's driver (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _as_stored(conn: Connection, column, value):
    """A value as SQLAlchemy would hand it to the driver for this column (the raw cursor
    skips SQLAlchemy's type conversions)."""
    process = _bind_processor(column, conn.dialect)
    return process(value) if process else value
