"""A scan's attempt row: one per (actor, idempotency key), whatever the scan came to.

The row keeps the answer the phone was given, as the caller's ``Answering``
rendered the scan's outcome (the web layer's scan answers, for the web and the
demo), so that a retry with the same key, even one racing the first upload,
gets the same answer and records nothing more. An answer is stored without its
scan id, which is the attempt's own id and is put back on reading.

The row is read and written through ``ScanAttemptRepository``
(``custody.db.repositories``); its insert goes in the round trip that writes
the scan's handovers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from custody.db.engine import Database
from custody.db.repositories import Repositories, looking_up
from custody.db.repositories.scan_attempts import AttemptId
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

def earlier_answer(db: Database, req: ScanRequest, fingerprint: str) -> ScanAnswer | None:
    """The answer already given for this key, if any (IdempotencyConflict if the upload
    differs)."""
    with looking_up(db) as repos:
        found = repos.attempts.earlier(req.actor_id, req.idempotency_key)
    if found is None:
        return None
    scan_id, request_hash, status, response = found
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

    def submit(self, repos: Repositories, outcome: ScanOutcome, answer: tuple[int, dict]
               ) -> AttemptId:
        """Send the attempt row; its id is read once the round trip is over."""
        req, (status, body) = self.req, answer
        return repos.attempts.submit({
            "actor_id": req.actor_id, "device_id": req.device_id,
            "idempotency_key": req.idempotency_key, "request_hash": self.fingerprint,
            "action": req.action.value, "photo_sha256": self.photo_sha256,
            "status": outcome.state[:20],
            "http_status": status, "response": json.dumps(body, ensure_ascii=False),
        }, self.received_at)
