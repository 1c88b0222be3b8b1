"""Read side: stored scan answers, recent handovers, failures, assets and users, as plain data."""

from __future__ import annotations

import json

from custody.db.engine import Database
from custody.db.repositories import reading
from custody.services.conversions import from_e7
from custody.services.record_filters import RecordFilter, ledger_filter
from custody.services.scan_attempts import stored_answer
from custody.services.whereabouts import handover_dict


def attempt_answer(db: Database, scan_id: int, *, uploader: int | None = None) -> dict | None:
    """The answer stored for a scan attempt, with its status; None if there is none.

    ``uploader``, when given, limits the reading to that actor's own attempts: anyone
    else's is None too, so a reader cannot tell it exists.
    """
    with reading(db) as repos:
        attempt = repos.directory.attempt(scan_id, uploader)
    if attempt is None:
        return None
    return {"scan_id": attempt.id, "http_status": attempt.http_status, "status": attempt.status,
            "answer": stored_answer(attempt.id, attempt.response)}


MAX_PAGE = 200  # rows per page of any supervisor list


def _cap(limit: int) -> int:
    """A page size between 1 and MAX_PAGE."""
    return max(1, min(int(limit), MAX_PAGE))


def recent_handovers(db: Database, *, limit: int = 50, before_seq: int | None = None,
                     flagged: bool = False, where: RecordFilter | None = None) -> list[dict]:
    """The newest handovers (optionally only flagged ones), newest first, with actor names."""
    with reading(db) as repos:
        rows = repos.desk.handovers(ledger_filter(where, flagged=flagged), _cap(limit), before_seq)
    return [{**handover_dict(h), "actor_name": h.actor_name} for h in rows]


def failed_attempts(db: Database, *, limit: int = 50, before_id: int | None = None
                    ) -> list[dict]:
    """Scan attempts that recorded nothing, newest first, with the answer the phone got."""
    with reading(db) as repos:
        attempts = repos.directory.failed_attempts(_cap(limit), before_id)
    found = []
    for a in attempts:
        error = json.loads(a.response).get("error", {})
        found.append({"scan_id": a.id, "actor_name": a.actor_name, "action": a.action,
                      "received_at": a.received_at.isoformat(), "status": a.status,
                      "http_status": a.http_status, "photo_sha256": a.photo_sha256,
                      "message": error.get("message"), "message_zh": error.get("message_zh")})
    return found


def list_assets(db: Database, *, limit: int = 100, after: str | None = None,
                kind: str | None = None, village: str | None = None) -> list[dict]:
    """Registered assets in id order, a page after ``after``; households never shown."""
    with reading(db) as repos:
        assets = repos.directory.assets(_cap(limit), after, kind, village)
    return [{"asset_id": a.asset_id, "kind": a.kind, "category": a.category, "name": a.name,
             "village": a.village_name, "site_id": a.site_id, "lat": from_e7(a.lat_e7),
             "lon": from_e7(a.lon_e7)} for a in assets]


def list_users(db: Database, *, limit: int = MAX_PAGE) -> list[dict]:
    """Users by name, with whether they can sign in and how many live devices they have."""
    with reading(db) as repos:
        users = repos.directory.users(_cap(limit))
    return [{"id": a.id, "name": a.name, "role": a.role, "active": a.active,
             "has_password": bool(a.has_password), "live_devices": a.live_devices}
            for a in users]
