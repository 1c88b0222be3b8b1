"""Accounts: passwords for browsers, revocable per-device tokens for phones.

``actors`` is the user table. A password is kept only as a salted slow hash
(``credentials``); a device token ``cdy_<device id>_<secret>`` is shown once
and kept only as its sha256 (``devices``), so a copy of the database lets no
one sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from custody.db.engine import Database
from custody.db.prepared import Prepared
from custody.db.schema import Actor, Credential, Device
from custody.domain.errors import (
    BadPassword,
    DomainError,
    DuplicateUser,
    UnknownActor,
    UnknownDevice,
)
from custody.domain.model import Role
from custody.services.unit_of_work import UnitOfWork

ANONYMOUS_ROLE = "anonymous"
TOKEN_PREFIX = "cdy"
PASSWORD_METHOD = "scrypt"  # werkzeug's default; tests may swap in a cheaper one
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # a slow hash of a megabyte "password" is a denial of service
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per device per minute


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and how they proved it."""

    actor_id: int | None
    name: str | None
    role: str
    via: str  # 'session' | 'token' | 'anonymous'
    device_id: int | None = None  # the phone a token request came from

    @property
    def is_anonymous(self) -> bool:
        """True for someone who has not signed in."""
        return self.actor_id is None


ANONYMOUS = Principal(None, None, ANONYMOUS_ROLE, "anonymous")


@dataclass(frozen=True)
class DeviceInfo:
    """An enrolled device, without its token."""

    id: int
    actor_id: int
    actor_name: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _check_password_rules(password: str) -> None:
    """Raise BadPassword unless the password is usable."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise BadPassword(f"a password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                          "characters")


def create_user(db: Database, name: str, role: Role, password: str) -> int:
    """Register an actor who can sign in; returns their id."""
    _check_password_rules(password)
    name = name.strip()
    if not name:
        raise DomainError("a user needs a name")
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    now = datetime.now(UTC)
    with UnitOfWork(db, write=True) as uow:
        if uow.session.scalars(select(Actor).where(Actor.name == name)).first():
            raise DuplicateUser(f"a user named {name!r} already exists")
        actor = Actor(name=name, role=Role(role).value, active=True, created_at=now)
        uow.session.add(actor)
        uow.session.flush()
        uow.session.add(Credential(actor_id=actor.id, password_hash=password_hash, updated_at=now))
        uow.commit()
        return actor.id


def set_password(db: Database, actor_id: int, password: str) -> None:
    """Give an actor a new password (signing out their browser sessions)."""
    from custody.services import browser_sessions

    _check_password_rules(password)
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    with UnitOfWork(db, write=True) as uow:
        if uow.session.get(Actor, actor_id) is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        credential = uow.session.get(Credential, actor_id)
        if credential is None:
            credential = Credential(actor_id=actor_id)
            uow.session.add(credential)
        credential.password_hash = password_hash
        credential.updated_at = datetime.now(UTC)
        browser_sessions.end_all(uow.session, actor_id)
        uow.commit()


def set_active(db: Database, actor_id: int, active: bool) -> None:
    """Activate or deactivate an actor; a deactivated actor is refused everywhere at once."""
    from custody.services import browser_sessions

    with UnitOfWork(db, write=True) as uow:
        actor = uow.session.get(Actor, actor_id)
        if actor is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        actor.active = active
        if not active:
            browser_sessions.end_all(uow.session, actor_id)
        uow.commit()


def actor_id_by_name(db: Database, name: str) -> int:
    """The id of the actor with that name, or UnknownActor."""
    with db.read() as session:
        actor_id = session.scalars(select(Actor.id).where(Actor.name == name)).first()
    if actor_id is None:
        raise UnknownActor(f"no user named {name!r}")
    return actor_id


def actor_role(db: Database, actor_id: int) -> str | None:
    """The role of the actor with that id, or None if there is none."""
    with db.read() as session:
        return session.scalars(select(Actor.role).where(Actor.id == actor_id)).first()


def authenticate_password(db: Database, name: str, password: str) -> Principal | None:
    """The active actor with that name and password, or None."""
    with db.read() as session:
        row = session.execute(
            select(Actor, Credential.password_hash)
            .join(Credential, Credential.actor_id == Actor.id)
            .where(Actor.name == name.strip())
        ).first()
    if row is None or len(password) > MAX_PASSWORD_LENGTH:
        check_password_hash(_dummy_hash(PASSWORD_METHOD), password[:MAX_PASSWORD_LENGTH])
        return None
    actor, password_hash = row
    if not check_password_hash(password_hash, password) or not actor.active:
        return None
    return Principal(actor.id, actor.name, actor.role, "session")


@cache
def _dummy_hash(method: str) -> str:
    """A hash checked for unknown names, so they cost as long as a wrong password."""
    return generate_password_hash("not a password", method=method)


def _token_hash(token: str) -> str:
    """The sha256 a token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_name_checked(device_name: str) -> str:
    """A device's name without surrounding blanks; DomainError unless 1 to 100 characters."""
    device_name = device_name.strip()
    if not device_name or len(device_name) > 100:
        raise DomainError("a device needs a name of 1 to 100 characters")
    return device_name


def active_actor(session, actor_id: int) -> Actor:
    """The actor a device is enrolled for: UnknownActor, or DomainError when deactivated."""
    actor = session.get(Actor, actor_id)
    if actor is None:
        raise UnknownActor(f"no actor with id {actor_id}")
    if not actor.active:
        raise DomainError(f"{actor.name} is deactivated; activate them first")
    return actor


def issue_device_token(db: Database, actor_id: int, device_name: str) -> tuple[int, str]:
    """Enrol a device for an active actor; returns (device id, token). The token is shown once."""
    device_name = device_name_checked(device_name)
    with UnitOfWork(db, write=True) as uow:
        actor = active_actor(uow.session, actor_id)
        found = new_device(uow.session, actor, device_name, datetime.now(UTC))
        uow.commit()
        return found


def new_device(session, actor: Actor, device_name: str, now: datetime) -> tuple[int, str]:
    """Add a device for ``actor`` inside the caller's transaction; returns (id, token)."""
    device = Device(actor_id=actor.id, name=device_name, token_hash="", created_at=now)
    session.add(device)
    session.flush()  # the id is part of the token
    token = f"{TOKEN_PREFIX}_{device.id}_{secrets.token_urlsafe(32)}"
    device.token_hash = _token_hash(token)
    return device.id, token


def revoke_device(db: Database, device_id: int) -> None:
    """Revoke a device's token; its next request is refused. Revoking twice is harmless."""
    with UnitOfWork(db, write=True) as uow:
        device = uow.session.get(Device, device_id)
        if device is None:
            raise UnknownDevice(f"no device with id {device_id}")
        if device.revoked_at is None:
            device.revoked_at = datetime.now(UTC)
        uow.commit()


# The one read every phone request makes, run on the raw driver cursor.
_TOKEN_HOLDER = Prepared(select(Device.token_hash, Device.revoked_at.is_not(None),
                                Device.last_used_at, Actor.id, Actor.name, Actor.role,
                                Actor.active)
                         .join(Actor, Actor.id == Device.actor_id)
                         .where(Device.id == bindparam("device_id")))


def authenticate_token(db: Database, token: str) -> Principal | None:
    """The principal a device token stands for, or None if bad, revoked or deactivated."""
    prefix, _, rest = token.partition("_")
    device_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not device_id.isdigit() or not secret or len(token) > 200:
        return None
    with db.lookup_engine.connect() as conn:
        found = _TOKEN_HOLDER.execute(conn, {"device_id": int(device_id)})
    if not found:
        return None
    ((token_hash, revoked, last_used_at, actor_id, name, role, active),) = found
    if not hmac.compare_digest(token_hash, _token_hash(token)):
        return None
    if revoked or not active:
        return None
    _touch(db, int(device_id), _raw_utc(last_used_at))
    return Principal(actor_id, name, role, "token", int(device_id))


def _raw_utc(value: datetime | str | None) -> datetime | None:
    """A UTC time column as the driver returns it (SQLite: ISO text), made aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else value.replace(tzinfo=UTC)


def _touch(db: Database, device_id: int, last_used_at: datetime | None) -> None:
    """Record that a device was used, at most once per LAST_USED_RESOLUTION."""
    now = datetime.now(UTC)
    if last_used_at is not None and now - last_used_at < LAST_USED_RESOLUTION:
        return
    with db.write_engine.begin() as conn:
        conn.execute(update(Device).where(Device.id == device_id).values(last_used_at=now))


def get_device(db: Database, device_id: int) -> DeviceInfo:
    """One enrolled device, or UnknownDevice."""
    found = list_devices(db, device_id=device_id)
    if not found:
        raise UnknownDevice(f"no device with id {device_id}")
    return found[0]


def list_devices(db: Database, actor_id: int | None = None, *, device_id: int | None = None,
                 limit: int = 500) -> list[DeviceInfo]:
    """Enrolled devices, newest first, of one actor or of everyone."""
    stmt = (select(Device, Actor.name).join(Actor, Actor.id == Device.actor_id)
            .order_by(Device.id.desc()).limit(limit))
    if actor_id is not None:
        stmt = stmt.where(Device.actor_id == actor_id)
    if device_id is not None:
        stmt = stmt.where(Device.id == device_id)
    with db.read() as session:
        rows = session.execute(stmt).all()
    return [DeviceInfo(d.id, d.actor_id, actor_name, d.name, d.created_at, d.last_used_at,
                       d.revoked_at) for d, actor_name in rows]


def may_manage(manager_role: str, target_role: str) -> bool:
    """Whether someone in ``manager_role`` may enrol or revoke devices of ``target_role``."""
    if manager_role == Role.ADMIN:
        return True
    # A supervisor must not mint an admin's token: that would be an admin token in their hand.
    return manager_role == Role.SUPERVISOR and target_role != Role.ADMIN


FIELD_ROLES = frozenset({Role.COLLECTOR.value, Role.BOOTH_KEEPER.value, Role.DRIVER.value,
                         Role.FACILITY_OPERATOR.value})


def may_administer(manager_role: str, target_role: str) -> bool:
    """Whether ``manager_role`` may create, re-role, reset or deactivate a ``target_role`` user.

    Admins manage everyone; supervisors manage the field roles only, so a
    supervisor can neither make a supervisor or an admin nor take over one.
    """
    if manager_role == Role.ADMIN:
        return True
    return manager_role == Role.SUPERVISOR and target_role in FIELD_ROLES


def set_role(db: Database, actor_id: int, role: Role) -> None:
    """Give an actor another role (their open browser sessions end: their rights changed)."""
    from custody.services import browser_sessions

    with UnitOfWork(db, write=True) as uow:
        actor = uow.session.get(Actor, actor_id)
        if actor is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        actor.role = Role(role).value
        browser_sessions.end_all(uow.session, actor_id)
        uow.commit()
