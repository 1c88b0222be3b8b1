"""Enrolling a phone by QR: a one-time code a supervisor makes, exchanged by the phone for a token.

The code is random (192 bits), kept only as its sha256, bound to one person, good
for ``CODE_LIFETIME`` and for one use. Using it enrols a device for that person in
the same transaction that marks the code used, so two phones racing with one code
get one device between them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from custody.db.engine import Database
from custody.db.repositories import AccountRepository
from custody.domain.errors import EnrolmentUnusable
from custody.services import accounts, devices
from custody.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from custody.db.repositories.accounts import Actor, Enrolment

CODE_LIFETIME = timedelta(minutes=15)
MAX_CODE_LENGTH = 100


@dataclass(frozen=True)
class NewEnrolment:
    """A code just made: the code itself is known only here and in the QR."""

    code: str
    actor_name: str
    actor_role: str
    device_name: str
    expires_at: datetime


@dataclass(frozen=True)
class PendingEnrolment:
    """What a code stands for, before it is used."""

    actor_name: str
    actor_role: str
    device_name: str
    expires_at: datetime


@dataclass(frozen=True)
class Enrolled:
    """A device enrolled by a code: its token is handed to the phone once."""

    device_id: int
    actor_id: int
    actor_name: str
    actor_role: str
    token: str


def start(db: Database, actor_id: int, device_name: str, created_by: int,
          now: datetime | None = None) -> NewEnrolment:
    """Make a one-time enrolment code for an active person's phone."""
    device_name = devices.device_name_checked(device_name)
    now = now or datetime.now(UTC)
    code = secrets.token_urlsafe(24)
    with UnitOfWork(db, write=True) as uow:
        actor = accounts.active_actor(uow.accounts, actor_id)
        uow.accounts.add_enrolment(actor_id=actor_id, device_name=device_name,
                                   code_hash=accounts.secret_hash(code), created_by=created_by,
                                   created_at=now, expires_at=now + CODE_LIFETIME)
        uow.commit()
        return NewEnrolment(code, actor.name, actor.role, device_name, now + CODE_LIFETIME)


def _usable(enrolment: Enrolment | None, actor: Actor | None, now: datetime) -> None:
    """Raise EnrolmentUnusable unless the code can be used now."""
    if enrolment is None or actor is None:
        raise EnrolmentUnusable("unknown")
    if enrolment.used_at is not None:
        raise EnrolmentUnusable("used")
    if enrolment.expires_at <= now:
        raise EnrolmentUnusable("expired")
    if not actor.active:
        raise EnrolmentUnusable("deactivated")


def _find(found: AccountRepository, code: str) -> tuple[Enrolment | None, Actor | None]:
    """The enrolment a code names and its person (or Nones)."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None, None
    return found.enrolment(accounts.secret_hash(code)) or (None, None)


def look_up(db: Database, code: str, now: datetime | None = None) -> PendingEnrolment:
    """Who a code would enrol a phone for, without using it (EnrolmentUnusable if it can't)."""
    now = now or datetime.now(UTC)
    with db.read() as session:
        enrolment, actor = _find(AccountRepository(session), code)
        _usable(enrolment, actor, now)
        return PendingEnrolment(actor.name, actor.role, enrolment.device_name,
                                enrolment.expires_at)


def redeem(db: Database, code: str, now: datetime | None = None) -> Enrolled:
    """Use a code: enrol a device for its person and return the device token (shown once)."""
    now = now or datetime.now(UTC)
    with UnitOfWork(db, write=True) as uow:
        enrolment, actor = _find(uow.accounts, code)
        _usable(enrolment, actor, now)
        if not uow.accounts.claim_enrolment(enrolment.id, now):
            raise EnrolmentUnusable("used")
        device_id, token = devices.new_device(uow.accounts, actor.id, enrolment.device_name, now)
        enrolment.device_id = device_id
        uow.commit()
        return Enrolled(device_id, actor.id, actor.name, actor.role, token)
