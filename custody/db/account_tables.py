"""The accounts' tables: passwords, enrolled phones, browser sessions, enrolment codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from custody.db.base import Base
from custody.db.types import UTCDateTime


class Credential(Base):
    """An actor's password, as a salted slow hash (never the password itself)."""

    __tablename__ = "credentials"
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Device(Base):
    """A phone enrolled for an actor; its token is stored only as a sha256 hash."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BrowserSession(Base):
    """A signed-in browser; its cookie holds a secret kept here only as a sha256 hash.

    Ending the row (sign-out, deactivation, a new password) ends the session on its
    next request, whatever copy of the cookie is replayed.
    """

    __tablename__ = "browser_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A phone's session, started with its device token: it ends when the device is revoked.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))


class Enrolment(Base):
    """A one-time enrolment code a supervisor made for a person's phone (kept as its sha256).

    It is good once (``used_at``), until ``expires_at``, and only for ``actor_id``; using it
    enrols ``device_id``.
    """

    __tablename__ = "enrolments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(100))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
