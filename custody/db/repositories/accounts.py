"""Actors, their credentials and their devices.

An ORM session serves these (``UnitOfWork.accounts``): they are few rows, read
and written by the desk, where SQLAlchemy's ORM costs nothing that matters. The
one read every phone request makes (``DeviceTokenRepository``) is a single Core
statement on the lookup engine: through SQLAlchemy's execution layer it costs 9
to 11 µs of CPU more than on the raw cursor on SQLite and at most 25 µs on
PostgreSQL (``benchmarks/statements.py``), well under 1 % of a scan's web CPU,
so it stays on SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from custody.db.schema import Actor, BrowserSession, Credential, Device, Enrolment


class AccountRepository:
    """The ``actors``, ``credentials`` and ``devices`` tables, through one ORM session."""

    def __init__(self, session: Session):
        self.session = session

    def actor(self, actor_id: int) -> Actor | None:
        return self.session.get(Actor, actor_id)

    def actor_named(self, name: str) -> Actor | None:
        return self.session.scalars(select(Actor).where(Actor.name == name)).first()

    def role_of(self, actor_id: int) -> str | None:
        return self.session.scalars(select(Actor.role).where(Actor.id == actor_id)).first()

    def with_password_hash(self, name: str) -> tuple[Actor, str] | None:
        """The actor of that name and their password hash, if they have a password."""
        row = self.session.execute(select(Actor, Credential.password_hash)
                                   .join(Credential, Credential.actor_id == Actor.id)
                                   .where(Actor.name == name)).first()
        return None if row is None else (row[0], row[1])

    def add_actor(self, name: str, role: str, created_at: datetime) -> Actor:
        """A new active actor, with its id."""
        actor = Actor(name=name, role=role, active=True, created_at=created_at)
        self.session.add(actor)
        self.session.flush()
        return actor

    def set_password_hash(self, actor_id: int, password_hash: str, at: datetime) -> None:
        credential = self.session.get(Credential, actor_id)
        if credential is None:
            credential = Credential(actor_id=actor_id)
            self.session.add(credential)
        credential.password_hash = password_hash
        credential.updated_at = at

    def add_enrolment(self, **columns) -> None:
        """A new one-time enrolment code (its hash, person, device name and times)."""
        self.session.add(Enrolment(**columns))

    def enrolment(self, code_hash: str) -> tuple[Enrolment, Actor] | None:
        """The enrolment a code's hash names, and its person."""
        row = self.session.execute(select(Enrolment, Actor)
                                   .join(Actor, Actor.id == Enrolment.actor_id)
                                   .where(Enrolment.code_hash == code_hash)).first()
        return (row[0], row[1]) if row else None

    def claim_enrolment(self, enrolment_id: int, at: datetime) -> bool:
        """Mark an unused enrolment used; False if it was used already."""
        return self.session.execute(
            update(Enrolment).where(Enrolment.id == enrolment_id, Enrolment.used_at.is_(None))
            .values(used_at=at)).rowcount == 1

    def device(self, device_id: int) -> Device | None:
        return self.session.get(Device, device_id)

    def add_device(self, actor_id: int, name: str, created_at: datetime) -> Device:
        """A new device, with its id (its token hash is set by the caller)."""
        device = Device(actor_id=actor_id, name=name, token_hash="", created_at=created_at)
        self.session.add(device)
        self.session.flush()  # the id is part of the token
        return device

    def devices(self, actor_id: int | None, device_id: int | None, limit: int
                ) -> list[tuple[Device, str]]:
        """(device, its actor's name), newest first, of one actor or device or of all."""
        stmt = (select(Device, Actor.name).join(Actor, Actor.id == Device.actor_id)
                .order_by(Device.id.desc()).limit(limit))
        if actor_id is not None:
            stmt = stmt.where(Device.actor_id == actor_id)
        if device_id is not None:
            stmt = stmt.where(Device.id == device_id)
        return [(d, name) for d, name in self.session.execute(stmt).all()]


class DeviceTokenRepository:
    """The device-token read every phone request makes, and the device's last use."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def holder(self, device_id: int) -> Row | None:
        """(token hash, revoked?, last used at, actor id, name, role, active) of a device."""
        return self.conn.execute(_TOKEN_HOLDER, {"device_id": device_id}).first()

    def touch(self, device_id: int, at: datetime) -> None:
        """Record when a device was last used."""
        self.conn.execute(update(Device).where(Device.id == device_id).values(last_used_at=at))


class BrowserSessionRepository:
    """The ``browser_sessions`` table: signed-in browsers, by the hash of their cookie."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def open(self, actor_id: int, secret_hash: str, created_at: datetime,
             expires_at: datetime, device_id: int | None, prune_before: datetime) -> None:
        """Keep a new session, dropping those that ended or expired before ``prune_before``."""
        self.conn.execute(delete(BrowserSession)
                          .where(BrowserSession.expires_at < prune_before))
        self.conn.execute(insert(BrowserSession).values(
            actor_id=actor_id, secret_hash=secret_hash, created_at=created_at,
            expires_at=expires_at, device_id=device_id))

    def holder(self, secret_hash: str, now: datetime) -> Row | None:
        """(id, name, role, device_id) of the active actor of an open, unexpired session
        whose device, if any, is not revoked."""
        return self.conn.execute(
            select(Actor.id, Actor.name, Actor.role, BrowserSession.device_id)
            .join(BrowserSession, BrowserSession.actor_id == Actor.id)
            .outerjoin(Device, Device.id == BrowserSession.device_id)
            .where(BrowserSession.secret_hash == secret_hash,
                   BrowserSession.ended_at.is_(None), BrowserSession.expires_at > now,
                   Actor.active.is_(True),
                   or_(BrowserSession.device_id.is_(None), Device.revoked_at.is_(None)))
        ).first()

    def end(self, secret_hash: str, at: datetime) -> None:
        """End the open session with this cookie hash, if any."""
        self.conn.execute(update(BrowserSession)
                          .where(BrowserSession.secret_hash == secret_hash,
                                 BrowserSession.ended_at.is_(None))
                          .values(ended_at=at))

    def end_all(self, actor_id: int, at: datetime) -> None:
        """End every open session of an actor."""
        self.conn.execute(update(BrowserSession)
                          .where(BrowserSession.actor_id == actor_id,
                                 BrowserSession.ended_at.is_(None))
                          .values(ended_at=at))


_TOKEN_HOLDER = (select(Device.token_hash, Device.revoked_at.is_not(None), Device.last_used_at,
                        Actor.id, Actor.name, Actor.role, Actor.active)
                 .join(Actor, Actor.id == Device.actor_id)
                 .where(Device.id == bindparam("device_id")))
