"""Browser sessions kept on the server, so that ending one takes effect on the next request.

The signed cookie carries a random secret; the server keeps only its sha256
(a copy of the database lets no one sign in) with the actor, an expiry and the
time it ended. A session counts while it has not ended, has not expired and its
actor is active. Signing out ends it; deactivating an actor or giving them a new
password ends all of theirs (``end_all``, in the same transaction).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from custody.db.engine import Database
from custody.db.repositories import Repositories, reading, writing
from custody.services.principals import Principal, secret_hash

KEEP_ENDED = timedelta(days=1)  # ended or expired rows are pruned after this


def start(db: Database, actor_id: int, lifetime: timedelta, device_id: int | None = None) -> str:
    """Open a session for an actor; returns the secret for the cookie (not stored).

    A session opened with a phone's device token names the device, and ends when it is revoked.
    """
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with writing(db) as repos:
        repos.browser_sessions.open(actor_id, secret_hash(secret), now, now + lifetime,
                                    device_id, prune_before=now - KEEP_ENDED)
    return secret


def principal_of(db: Database, secret: str) -> Principal | None:
    """Who a session cookie stands for, or None if it ended, expired or its actor is inactive."""
    if not secret or len(secret) > 100:
        return None
    with reading(db) as repos:
        row = repos.browser_sessions.holder(secret_hash(secret), datetime.now(UTC))
    return None if row is None else Principal(row.id, row.name, row.role, "session",
                                              row.device_id)


def end(db: Database, secret: str) -> None:
    """End one session (signing out); ending an unknown or ended one is harmless."""
    with writing(db) as repos:
        repos.browser_sessions.end(secret_hash(secret), datetime.now(UTC))


def end_all(repos: Repositories, actor_id: int) -> None:
    """End every open session of an actor, inside the caller's transaction."""
    repos.browser_sessions.end_all(actor_id, datetime.now(UTC))
