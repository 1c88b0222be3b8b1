"""Read side: stored scan answers, recent handovers, failures, assets and users, as plain data."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from custody.db.engine import Database
from custody.db.schema import Actor, Asset, Credential, Device, Handover, ScanAttempt, Village
from custody.services.conversions import from_e7
from custody.services.record_filters import RecordFilter, narrow
from custody.services.scan_attempts import stored_answer
from custody.services.whereabouts import handover_dict


def attempt_answer(db: Database, scan_id: int, *, uploader: int | None = None) -> dict | None:
    """The answer stored for a scan attempt, with its status; None if there is none.

    ``uploader``, when given, limits the reading to that actor's own attempts: anyone
    else's is None too, so a reader cannot tell it exists.
    """
    stmt = select(ScanAttempt).where(ScanAttempt.id == scan_id)
    if uploader is not None:
        stmt = stmt.where(ScanAttempt.actor_id == uploader)
    with db.read() as session:
        attempt = session.scalars(stmt).first()
        if attempt is None:
            return None
        return {"scan_id": attempt.id, "http_status": attempt.http_status,
                "status": attempt.status,
                "answer": stored_answer(attempt.id, attempt.response)}


MAX_PAGE = 200  # rows per page of any supervisor list


def _cap(limit: int) -> int:
    """A page size between 1 and MAX_PAGE."""
    return max(1, min(int(limit), MAX_PAGE))


def recent_handovers(db: Database, *, limit: int = 50, before_seq: int | None = None,
                     flagged: bool = False, where: RecordFilter | None = None) -> list[dict]:
    """The newest handovers (optionally only flagged ones), newest first, with actor names."""
    stmt = (select(Handover, Actor.name).join(Actor, Actor.id == Handover.actor_id)
            .order_by(Handover.seq.desc()).limit(_cap(limit)))
    if where is not None:
        stmt = narrow(stmt, where)
    if before_seq is not None:
        stmt = stmt.where(Handover.seq < before_seq)
    if flagged:
        stmt = stmt.where(Handover.flags.is_not(None), Handover.flags != "")
    with db.read() as session:
        return [{**handover_dict(h), "actor_name": name} for h, name in session.execute(stmt)]


def failed_attempts(db: Database, *, limit: int = 50, before_id: int | None = None
                    ) -> list[dict]:
    """Scan attempts that recorded nothing, newest first, with the answer the phone got."""
    stmt = (select(ScanAttempt, Actor.name).join(Actor, Actor.id == ScanAttempt.actor_id)
            .where(ScanAttempt.status != "recorded")
            .order_by(ScanAttempt.id.desc()).limit(_cap(limit)))
    if before_id is not None:
        stmt = stmt.where(ScanAttempt.id < before_id)
    found = []
    with db.read() as session:
        for a, name in session.execute(stmt):
            error = json.loads(a.response).get("error", {})
            found.append({"scan_id": a.id, "actor_name": name, "action": a.action,
                          "received_at": a.received_at.isoformat(), "status": a.status,
                          "http_status": a.http_status, "photo_sha256": a.photo_sha256,
                          "message": error.get("message"), "message_zh": error.get("message_zh")})
    return found


def list_assets(db: Database, *, limit: int = 100, after: str | None = None,
                kind: str | None = None, village: str | None = None) -> list[dict]:
    """Registered assets in id order, a page after ``after``; households never shown."""
    stmt = (select(Asset, Village.name).outerjoin(Village, Village.id == Asset.village_id)
            .order_by(Asset.asset_id).limit(_cap(limit)))
    if after:
        stmt = stmt.where(Asset.asset_id > after)
    if kind:
        stmt = stmt.where(Asset.kind == kind)
    if village:
        stmt = stmt.where(Village.name == village)
    with db.read() as session:
        return [{"asset_id": a.asset_id, "kind": a.kind, "category": a.category,
                 "name": a.name, "village": village, "site_id": a.site_id,
                 "lat": from_e7(a.lat_e7), "lon": from_e7(a.lon_e7)}
                for a, village in session.execute(stmt)]


def list_users(db: Database, *, limit: int = MAX_PAGE) -> list[dict]:
    """Users by name, with whether they can sign in and how many live devices they have."""
    live = (select(Device.actor_id, func.count().label("n")).where(Device.revoked_at.is_(None))
            .group_by(Device.actor_id).subquery())
    stmt = (select(Actor, Credential.actor_id.is_not(None), func.coalesce(live.c.n, 0))
            .outerjoin(Credential, Credential.actor_id == Actor.id)
            .outerjoin(live, live.c.actor_id == Actor.id)
            .order_by(Actor.name).limit(_cap(limit)))
    with db.read() as session:
        return [{"id": a.id, "name": a.name, "role": a.role, "active": a.active,
                 "has_password": bool(has_password), "live_devices": n}
                for a, has_password, n in session.execute(stmt)]
