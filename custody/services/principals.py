"""Who is making a request (a principal) and how a secret is stored: shared by the accounts,
the phones' tokens and the browser sessions, so that none of them imports another for it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

ANONYMOUS_ROLE = "anonymous"


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


def secret_hash(secret: str) -> str:
    """The sha256 a secret (device token, enrolment code, session secret) is stored as."""
    return hashlib.sha256(secret.encode()).hexdigest()
