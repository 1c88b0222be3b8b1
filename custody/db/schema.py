"""The tables, as SQLAlchemy 2.x typed models.

The ledger table ``handovers`` stores times as microseconds since the epoch and
coordinates as integer 1e-7 degrees, so that every database returns exactly
the values that were hashed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from custody.db.base import Base
from custody.db.types import UTCDateTime


class Town(Base):
    """A town or subdistrict (镇/街道), the level above villages in the assessment."""

    __tablename__ = "towns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district: Mapped[str] = mapped_column(String(100))


class Village(Base):
    """A village (行政村), the unit reports group booths by; in a town once one is given."""

    __tablename__ = "villages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district: Mapped[str] = mapped_column(String(100))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)


class Household(Base):
    """A registered household. Private: never shown on a public page."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("village_id", "ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    ref: Mapped[str] = mapped_column(String(50))


class Asset(Base):
    """Anything with a QR identity."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("kind", "serial"),
                      # a bag's household and a bin's booth from the index alone (public map)
                      Index("ix_assets_household_site", "asset_id", "household_id", "site_id"))
    asset_id: Mapped[str] = mapped_column(String(9), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(100))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("assets.asset_id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    lat_e7: Mapped[int | None] = mapped_column(Integer)
    lon_e7: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A facility's kind of treatment (vocabulary.TREATMENT_KINDS); None for other kinds.
    treatment: Mapped[str | None] = mapped_column(String(30))


class AssetSerial(Base):
    """The last serial handed out per kind, so ids are never reused."""

    __tablename__ = "asset_serials"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)


class Actor(Base):
    """A person who records handovers, with the role they act in."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Handover(Base):
    """One append-only ledger record: the contents of ``source`` went into ``dest``."""

    __tablename__ = "handovers"
    __table_args__ = (
        Index("ix_handovers_source_seq", "source_id", "seq"),
        Index("ix_handovers_dest_seq", "dest_id", "seq"),
        Index("ix_handovers_server_time", "server_time_us"),
        # a day's records of one action (the public map's deposits and moves)
        Index("ix_handovers_action_time", "action", "record_kind", "server_time_us",
              "source_id", "dest_id"),
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    record_kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    dest_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    role: Mapped[str] = mapped_column(String(30))
    device_time_us: Mapped[int | None] = mapped_column(BigInteger)
    server_time_us: Mapped[int] = mapped_column(BigInteger)
    lat_e7: Mapped[int | None] = mapped_column(Integer)
    lon_e7: Mapped[int | None] = mapped_column(Integer)
    accuracy_cm: Mapped[int | None] = mapped_column(Integer)
    photo_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    weight_g: Mapped[int | None] = mapped_column(BigInteger)
    category: Mapped[str | None] = mapped_column(String(20))
    flags: Mapped[str | None] = mapped_column(String(200))
    corrects_seq: Mapped[int | None] = mapped_column(ForeignKey("handovers.seq"))
    note: Mapped[str | None] = mapped_column(Text)


class LedgerHead(Base):
    """The single row naming the newest record; appends lock it to stay linear."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AssetState(Base):
    """Where and when an asset was last seen; derived from the ledger, rebuildable."""

    __tablename__ = "asset_states"
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_seen_us: Mapped[int] = mapped_column(BigInteger)
    lat_e7: Mapped[int | None] = mapped_column(Integer)
    lon_e7: Mapped[int | None] = mapped_column(Integer)
    accuracy_cm: Mapped[int | None] = mapped_column(Integer)
    holding: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a container holds (custody.domain.contents): "kitchen:3500,other:0".
    contents: Mapped[str | None] = mapped_column(String(200))
    # The asset the waste was last handed to, by which record, and whether a
    # weighbridge weighed that delivery; cleared when the asset receives waste.
    handed_to: Mapped[str | None] = mapped_column(String(9))
    handed_seq: Mapped[int | None] = mapped_column(BigInteger)
    handed_weighed: Mapped[bool | None] = mapped_column(Boolean)


class HandoverPortion(Base):
    """What one handover carried of one category (custody.domain.contents); rebuildable."""

    __tablename__ = "handover_portions"
    # No foreign key: derived rows never constrain the ledger (a forger's deletion
    # must reach `verify`, not fail here).
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    grams: Mapped[int] = mapped_column(BigInteger)
    estimated: Mapped[bool] = mapped_column(Boolean)


class ScanAttempt(Base):
    """One photo upload from a phone, kept whatever came of it (for supervisors and retries).

    ``(actor_id, idempotency_key)`` is unique: a retried upload finds the first
    attempt and gets its stored answer back.
    """

    __tablename__ = "scan_attempts"
    __table_args__ = (UniqueConstraint("actor_id", "idempotency_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str] = mapped_column(String(20))
    photo_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    http_status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)


class PublishedCheckpoint(Base):
    """A signed checkpoint of the ledger, as published (a C2SP signed note); append-only."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)


class FlagReview(Base):
    """A supervisor's decision on a flagged handover; append-only, the newest is in force.

    ``decision`` is a ``vocabulary.REVIEW_DECISIONS`` id; a ``correct`` review
    names the correction record it appended in ``correction_seq``.
    """

    __tablename__ = "flag_reviews"
    __table_args__ = (Index("ix_flag_reviews_seq_id", "seq", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("handovers.seq"))
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    correction_seq: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("handovers.seq"))


# The other tables, so that ``custody.db.schema`` names every table (and Base.metadata
# holds them all once this module is imported).
from custody.db.account_tables import (  # noqa: E402
    BrowserSession,
    Credential,
    Device,
    Enrolment,
)
from custody.db.rollup_tables import (  # noqa: E402
    ActivityRollup,
    ActivityVillageDay,
    CorrectedWeight,
    DailyRollup,
    HouseholdMonth,
)

__all__ = [
    "Base", "Town", "Village", "Household", "Asset", "AssetSerial", "Actor", "Handover",
    "LedgerHead", "AssetState", "HandoverPortion", "ScanAttempt", "PublishedCheckpoint",
    "FlagReview", "Credential", "Device", "BrowserSession", "Enrolment", "DailyRollup",
    "CorrectedWeight", "ActivityRollup", "ActivityVillageDay", "HouseholdMonth",
]
