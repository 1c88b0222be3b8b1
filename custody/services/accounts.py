"""Accounts: passwords for browsers, revocable per-device tokens for phones.

``actors`` is the user table. A password is kept only as a salted slow hash
(``credentials``); device tokens, enrolment codes and browser sessions keep
only the ``secret_hash`` of their secret, so a copy of the database lets no
one sign in. Devices and their tokens: ``custody.services.devices``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from custody.db.engine import Database
from custody.db.repositories import AccountRepository
from custody.domain.errors import BadPassword, DomainError, DuplicateUser, UnknownActor
from custody.domain.model import Role
from custody.services.principals import (  # noqa: F401 - the web and tests name them here
    ANONYMOUS,
    ANONYMOUS_ROLE,
    Principal,
    secret_hash,
)
from custody.services.unit_of_work import UnitOfWork

PASSWORD_METHOD = "scrypt"  # werkzeug's default; tests may swap in a cheaper one
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # a slow hash of a megabyte "password" is a denial of service


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
        if uow.accounts.actor_named(name):
            raise DuplicateUser(f"a user named {name!r} already exists")
        actor = uow.accounts.add_actor(name, Role(role).value, now)
        uow.accounts.set_password_hash(actor.id, password_hash, now)
        uow.commit()
        return actor.id


def set_password(db: Database, actor_id: int, password: str) -> None:
    """Give an actor a new password (signing out their browser sessions)."""
    from custody.services import browser_sessions

    _check_password_rules(password)
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    with UnitOfWork(db, write=True) as uow:
        if uow.accounts.actor(actor_id) is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        uow.accounts.set_password_hash(actor_id, password_hash, datetime.now(UTC))
        browser_sessions.end_all(uow.repos, actor_id)
        uow.commit()


def set_active(db: Database, actor_id: int, active: bool) -> None:
    """Activate or deactivate an actor; a deactivated actor is refused everywhere at once."""
    from custody.services import browser_sessions

    with UnitOfWork(db, write=True) as uow:
        actor = uow.accounts.actor(actor_id)
        if actor is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        actor.active = active
        if not active:
            browser_sessions.end_all(uow.repos, actor_id)
        uow.commit()


def actor_id_by_name(db: Database, name: str) -> int:
    """The id of the actor with that name, or UnknownActor."""
    with db.read() as session:
        actor = AccountRepository(session).actor_named(name)
    if actor is None:
        raise UnknownActor(f"no user named {name!r}")
    return actor.id


def actor_role(db: Database, actor_id: int) -> str | None:
    """The role of the actor with that id, or None if there is none."""
    with db.read() as session:
        return AccountRepository(session).role_of(actor_id)


def authenticate_password(db: Database, name: str, password: str) -> Principal | None:
    """The active actor with that name and password, or None."""
    with db.read() as session:
        row = AccountRepository(session).with_password_hash(name.strip())
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


def active_actor(accounts: AccountRepository, actor_id: int):
    """The actor a device is enrolled for: UnknownActor, or DomainError when deactivated."""
    actor = accounts.actor(actor_id)
    if actor is None:
        raise UnknownActor(f"no actor with id {actor_id}")
    if not actor.active:
        raise DomainError(f"{actor.name} is deactivated; activate them first")
    return actor


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
        actor = uow.accounts.actor(actor_id)
        if actor is None:
            raise UnknownActor(f"no actor with id {actor_id}")
        actor.role = Role(role).value
        browser_sessions.end_all(uow.repos, actor_id)
        uow.commit()
