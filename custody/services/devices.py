"""Phones: enrolled devices and their revocable tokens.

A device token ``cdy_<device id>_<secret>`` is shown once and kept only as its
``secret_hash`` (``devices``); revoking a device refuses its next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from custody.db.engine import Database
from custody.db.repositories import AccountRepository, looking_up, writing
from custody.domain.errors import DomainError, UnknownDevice
from custody.domain.model import Role
from custody.services.accounts import active_actor
from custody.services.principals import Principal, secret_hash
from custody.services.unit_of_work import UnitOfWork

TOKEN_PREFIX = "cdy"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per device per minute


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


def device_name_checked(device_name: str) -> str:
    """A device's name without surrounding blanks; DomainError unless 1 to 100 characters."""
    device_name = device_name.strip()
    if not device_name or len(device_name) > 100:
        raise DomainError("a device needs a name of 1 to 100 characters")
    return device_name


def issue_device_token(db: Database, actor_id: int, device_name: str) -> tuple[int, str]:
    """Enrol a device for an active actor; returns (device id, token). The token is shown once."""
    device_name = device_name_checked(device_name)
    with UnitOfWork(db, write=True) as uow:
        actor = active_actor(uow.accounts, actor_id)
        found = new_device(uow.accounts, actor.id, device_name, datetime.now(UTC))
        uow.commit()
        return found


def new_device(accounts: AccountRepository, actor_id: int, device_name: str, now: datetime
               ) -> tuple[int, str]:
    """Add a device for an actor inside the caller's transaction; returns (id, token)."""
    device = accounts.add_device(actor_id, device_name, now)
    token = f"{TOKEN_PREFIX}_{device.id}_{secrets.token_urlsafe(32)}"
    device.token_hash = secret_hash(token)
    return device.id, token


def revoke_device(db: Database, device_id: int) -> None:
    """Revoke a device's token; its next request is refused. Revoking twice is harmless."""
    with UnitOfWork(db, write=True) as uow:
        device = uow.accounts.device(device_id)
        if device is None:
            raise UnknownDevice(f"no device with id {device_id}")
        if device.revoked_at is None:
            device.revoked_at = datetime.now(UTC)
        uow.commit()


def authenticate_token(db: Database, token: str) -> Principal | None:
    """The principal a device token stands for, or None if bad, revoked or deactivated."""
    prefix, _, rest = token.partition("_")
    device_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not device_id.isdigit() or not secret or len(token) > 200:
        return None
    with looking_up(db) as repos:  # the one read every phone request makes
        found = repos.device_tokens.holder(int(device_id))
    if found is None:
        return None
    token_hash, revoked, last_used_at, actor_id, name, role, active = found
    if not hmac.compare_digest(token_hash, secret_hash(token)):
        return None
    if revoked or not active:
        return None
    _touch(db, int(device_id), last_used_at)
    return Principal(actor_id, name, role, "token", int(device_id))


def _touch(db: Database, device_id: int, last_used_at: datetime | None) -> None:
    """Record that a device was used, at most once per LAST_USED_RESOLUTION."""
    now = datetime.now(UTC)
    if last_used_at is not None and now - last_used_at < LAST_USED_RESOLUTION:
        return
    with writing(db) as repos:
        repos.device_tokens.touch(device_id, now)


def get_device(db: Database, device_id: int) -> DeviceInfo:
    """One enrolled device, or UnknownDevice."""
    found = list_devices(db, device_id=device_id)
    if not found:
        raise UnknownDevice(f"no device with id {device_id}")
    return found[0]


def list_devices(db: Database, actor_id: int | None = None, *, device_id: int | None = None,
                 limit: int = 500) -> list[DeviceInfo]:
    """Enrolled devices, newest first, of one actor or of everyone."""
    with db.read() as session:
        rows = AccountRepository(session).devices(actor_id, device_id, limit)
    return [DeviceInfo(d.id, d.actor_id, actor_name, d.name, d.created_at, d.last_used_at,
                       d.revoked_at) for d, actor_name in rows]


def may_manage(manager_role: str, target_role: str) -> bool:
    """Whether someone in ``manager_role`` may enrol or revoke devices of ``target_role``."""
    if manager_role == Role.ADMIN:
        return True
    # A supervisor must not mint an admin's token: that would be an admin token in their hand.
    return manager_role == Role.SUPERVISOR and target_role != Role.ADMIN
