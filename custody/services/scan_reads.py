"""Read side of scans: stored answers and recent attempts, as plain data."""

from __future__ import annotations

import json

from sqlalchemy import select

from custody.db.engine import Database
from custody.db.schema import ScanAttempt


def attempt_answer(db: Database, scan_id: int) -> dict | None:
    """The answer stored for a scan attempt, with its status."""
    with db.read() as session:
        attempt = session.get(ScanAttempt, scan_id)
        if attempt is None:
            return None
        return {"scan_id": attempt.id, "http_status": attempt.http_status,
                "status": attempt.status, "answer": json.loads(attempt.response)}


def recent_attempts(db: Database, *, limit: int = 50, status: str | None = None) -> list[dict]:
    """The newest scan attempts, for supervisors."""
    stmt = select(ScanAttempt).order_by(ScanAttempt.id.desc()).limit(min(limit, 500))
    if status:
        stmt = stmt.where(ScanAttempt.status == status)
    with db.read() as session:
        return [{"scan_id": a.id, "actor_id": a.actor_id, "action": a.action,
                 "received_at": a.received_at.isoformat(), "status": a.status,
                 "http_status": a.http_status, "photo_sha256": a.photo_sha256}
                for a in session.scalars(stmt)]
