"""A scan's attempt row: one per (actor, idempotency key), whatever the scan came to.

The row keeps the answer the phone was given, as the caller's ``Answering``
rendered the scan's outcome (the web layer's scan answers, for the web and the
demo), so that a retry with the same key, even one racing the first upload,
gets the same answer and records nothing more. An answer is stored without its
scan id, which is the attempt's own id and is put back on reading.

The statements run on the raw driver cursor (``custody.db.prepared``): a scan
is the web app's hot path, and its attempt row goes in the round trip that
writes its handovers.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from custody.db.engine import Database
from custody.db.prepared import Prepared
from custody.db.schema import ScanAttempt
from custody.domain.errors import IdempotencyConflict
from custody.domain.outcomes import ScanOutcome
from custody.domain.scans import ScanRequest


@dataclass(frozen=True)
class ScanAnswer:
    """The answer a scan got, now and on every retry: as rendered, with its scan id.

    ``status`` and ``body`` are the renderer's (the web's HTTP status and JSON);
    the services keep them and never read them.
    """

    status: int
    body: dict
    replayed: bool = False


# How a caller answers a scan's outcome: (its status, its body), kept with the attempt.
Answering = Callable[[ScanOutcome], tuple[int, dict]]

_EARLIER = Prepared(select(ScanAttempt.id, ScanAttempt.request_hash, ScanAttempt.http_status,
                           ScanAttempt.response)
                    .where(ScanAttempt.actor_id == bindparam("actor_id"),
                           ScanAttempt.idempotency_key == bindparam("key")))
_INSERT_ATTEMPT = Prepared(insert(ScanAttempt).values(
    {c.name: bindparam(c.name) for c in ScanAttempt.__table__.columns if c.name != "id"})
    .returning(ScanAttempt.id))


def earlier_answer(db: Database, req: ScanRequest, fingerprint: str) -> ScanAnswer | None:
    """The answer already given for this key, if any (IdempotencyConflict if the upload
    differs)."""
    with db.lookup_engine.connect() as conn:
        found = _EARLIER.execute(conn, {"actor_id": req.actor_id, "key": req.idempotency_key})
    if not found:
        return None
    ((scan_id, request_hash, status, response),) = found
    if request_hash != fingerprint:
        raise IdempotencyConflict(
            f"Idempotency-Key {req.idempotency_key!r} was already used for a different upload "
            f"(scan {scan_id}); use a new key for a new scan")
    return ScanAnswer(status, stored_answer(scan_id, response), replayed=True)


def stored_answer(scan_id: int, response: str) -> dict:
    """The answer a scan attempt got, from its stored JSON and its id."""
    return with_scan_id(json.loads(response), scan_id)


def with_scan_id(body: dict, scan_id: int) -> dict:
    """The answer with the attempt's id in it (in the error too, for a refusal)."""
    if "error" in body:
        body = {**body, "error": {**body["error"], "scan_id": scan_id}}
    return {**body, "scan_id": scan_id}


@dataclass(frozen=True)
class Attempt:
    """One upload as its attempt row records it (the outcome and its answer come later)."""

    req: ScanRequest
    fingerprint: str
    received_at: datetime
    photo_sha256: str | None

    def submit(self, conn: Connection, outcome: ScanOutcome, answer: tuple[int, dict]):
        """Send the attempt row; its id comes back on the returned cursor (``fetch_all``)."""
        req, (status, body) = self.req, answer
        return _INSERT_ATTEMPT.submit(conn, {
            "actor_id": req.actor_id, "device_id": req.device_id,
            "idempotency_key": req.idempotency_key, "request_hash": self.fingerprint,
            "received_at": _as_stored(conn, ScanAttempt.__table__.c.received_at,
                                      self.received_at),
            "action": req.action.value, "photo_sha256": self.photo_sha256,
            "status": outcome.state[:20],
            "http_status": status, "response": json.dumps(body, ensure_ascii=False),
        })


@functools.lru_cache(maxsize=16)  # a few engines' dialects; tests make many, keep none long
def _bind_processor(column, dialect):
    """The column type's conversion of a value for this dialect's driver (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _as_stored(conn: Connection, column, value):
    """A value as SQLAlchemy would hand it to the driver for this column (the raw cursor
    skips SQLAlchemy's type conversions)."""
    process = _bind_processor(column, conn.dialect)
    return process(value) if process else value
