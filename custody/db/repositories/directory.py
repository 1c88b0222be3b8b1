"""What the desk reads besides the ledger: scan attempts, the asset register, users, search.

Core ``select()`` on the reader engine (pages, read once per request); no raw cursor.
"""

from __future__ import annotations

from sqlalchemy import Connection, Row, func, or_, select
from sqlalchemy.orm import aliased

from custody.db.schema import (
    Actor,
    Asset,
    AssetState,
    Credential,
    Device,
    Handover,
    ScanAttempt,
    Village,
)

ATTEMPT = (ScanAttempt.id, ScanAttempt.http_status, ScanAttempt.status, ScanAttempt.response)


class DirectoryRepository:
    """The reads behind ``scan_reads`` and the asset and search parts of ``asset_reads``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def attempt(self, scan_id: int, uploader: int | None = None) -> Row | None:
        """(id, http_status, status, response) of a scan attempt (``uploader``'s only, if given)."""
        stmt = select(*ATTEMPT).where(ScanAttempt.id == scan_id)
        if uploader is not None:
            stmt = stmt.where(ScanAttempt.actor_id == uploader)
        return self.conn.execute(stmt).first()

    def failed_attempts(self, limit: int, before_id: int | None = None) -> list[Row]:
        """Scan attempts that recorded nothing, newest first, with the uploader's name."""
        stmt = (select(*ScanAttempt.__table__.c, Actor.name.label("actor_name"))
                .join(Actor, Actor.id == ScanAttempt.actor_id)
                .where(ScanAttempt.status != "recorded")
                .order_by(ScanAttempt.id.desc()).limit(limit))
        if before_id is not None:
            stmt = stmt.where(ScanAttempt.id < before_id)
        return self.conn.execute(stmt).all()

    def assets(self, limit: int, after: str | None = None, kind: str | None = None,
               village: str | None = None) -> list[Row]:
        """Registered assets in id order after ``after``, with their own village's name."""
        stmt = (select(*Asset.__table__.c, Village.name.label("village_name"))
                .outerjoin(Village, Village.id == Asset.village_id)
                .order_by(Asset.asset_id).limit(limit))
        if after:
            stmt = stmt.where(Asset.asset_id > after)
        if kind:
            stmt = stmt.where(Asset.kind == kind)
        if village:
            stmt = stmt.where(Village.name == village)
        return self.conn.execute(stmt).all()

    def users(self, limit: int) -> list[Row]:
        """Actors by name, with whether they have a password and how many live devices."""
        live = (select(Device.actor_id, func.count().label("n"))
                .where(Device.revoked_at.is_(None)).group_by(Device.actor_id).subquery())
        return self.conn.execute(
            select(Actor.id, Actor.name, Actor.role, Actor.active,
                   Credential.actor_id.is_not(None).label("has_password"),
                   func.coalesce(live.c.n, 0).label("live_devices"))
            .outerjoin(Credential, Credential.actor_id == Actor.id)
            .outerjoin(live, live.c.actor_id == Actor.id)
            .order_by(Actor.name).limit(limit)).all()

    def asset_detail(self, asset_id: str) -> Row | None:
        """The asset with its village, its site's name and its last seen state; None if unknown."""
        site = aliased(Asset)
        return self.conn.execute(
            select(*Asset.__table__.c, Village.name.label("village_name"),
                   site.name.label("site_name"), AssetState.holding.label("holding"),
                   AssetState.last_seen_us, AssetState.last_seq,
                   AssetState.asset_id.is_not(None).label("has_state"))
            .outerjoin(site, site.asset_id == Asset.site_id)
            .outerjoin(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)
            .where(Asset.asset_id == asset_id)).first()

    def search(self, pattern: str, asset_id: str, seq: int | None, limit: int) -> dict:
        """Assets, people and villages matching the LIKE ``pattern`` (escape ``\\``) or the id;
        the record ``seq`` if it exists."""
        conn = self.conn
        return {
            "assets": [dict(r._mapping) for r in conn.execute(
                select(Asset.asset_id, Asset.kind, Asset.category, Asset.name)
                .where(or_(Asset.asset_id == asset_id, Asset.name.like(pattern, escape="\\")))
                .order_by(Asset.asset_id).limit(limit))],
            "people": [dict(r._mapping) for r in conn.execute(
                select(Actor.name, Actor.role, Actor.active)
                .where(Actor.name.like(pattern, escape="\\")).order_by(Actor.name).limit(limit))],
            "villages": list(conn.scalars(
                select(Village.name).where(Village.name.like(pattern, escape="\\"))
                .order_by(Village.name).limit(limit))),
            "record": None if seq is None else conn.scalar(
                select(Handover.seq).where(Handover.seq == seq)),
        }
