"""Assets, categories, roles and the handover record, as plain values.

What people call these identifiers, in each language, is in the ``vocabulary`` package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from custody.domain.errors import InvalidHandover


class Category(StrEnum):
    """The four sorted-waste categories (GB/T 19095-2019)."""

    KITCHEN = "kitchen"
    RECYCLABLE = "recyclable"
    HAZARDOUS = "hazardous"
    OTHER = "other"


class AssetKind(StrEnum):
    """Everything that carries a QR identity."""

    BAG = "bag"
    BIN = "bin"
    BOOTH = "booth"
    TRANSFER_ROOM = "transfer_room"
    VEHICLE = "vehicle"
    FACILITY = "facility"

    @property
    def letter(self) -> str:
        """The letter that starts this kind's asset ids."""
        return KIND_LETTERS[self]

    @property
    def is_fixed(self) -> bool:
        """Fixed assets have a registered location."""
        return self in FIXED_KINDS

    @property
    def has_category(self) -> bool:
        """Bags and bins always hold exactly one category."""
        return self in (AssetKind.BAG, AssetKind.BIN)


KIND_LETTERS = {
    AssetKind.BAG: "B",
    AssetKind.BIN: "N",
    AssetKind.BOOTH: "S",
    AssetKind.TRANSFER_ROOM: "R",
    AssetKind.VEHICLE: "V",
    AssetKind.FACILITY: "F",
}
FIXED_KINDS = frozenset({AssetKind.BOOTH, AssetKind.TRANSFER_ROOM, AssetKind.FACILITY})

SERIAL_DIGITS = 8
ASSET_ID_RE = re.compile(r"^[BNSRVF][0-9]{8}$")


def make_asset_id(kind: AssetKind, serial: int) -> str:
    """The asset id for a kind and serial, e.g. ``B00000042``."""
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise ValueError(f"serial {serial} out of range")
    return f"{kind.letter}{serial:0{SERIAL_DIGITS}d}"


class Role(StrEnum):
    """What an actor does in the system."""

    COLLECTOR = "collector"
    BOOTH_KEEPER = "booth_keeper"
    DRIVER = "driver"
    FACILITY_OPERATOR = "facility_operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Action(StrEnum):
    """What a handover does to the waste."""

    DEPOSIT = "deposit"  # bag -> bin at a booth
    COLLECT = "collect"  # bin -> collection cart
    UNLOAD = "unload"  # vehicle -> transfer room
    LOAD = "load"  # transfer room -> truck
    DELIVER = "deliver"  # vehicle -> facility
    INSPECT = "inspect"  # an observation; nothing moves


class Flag(StrEnum):
    """Why a recorded handover deserves a second look."""

    CATEGORY_MISMATCH = "category_mismatch"
    OFF_PATH = "off_path"
    AFTER_TERMINAL = "after_terminal"
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    UNKNOWN_ORIGIN = "unknown_origin"
    PHOTO_TIME_MISMATCH = "photo_time_mismatch"  # EXIF time far from the phone's claim
    PHOTO_PLACE_MISMATCH = "photo_place_mismatch"  # EXIF GPS far from the claim or the site
    PHOTO_METADATA_UNUSABLE = "photo_metadata_unusable"  # EXIF time or GPS impossible: ignored
    REUSED_PHOTO = "reused_photo"  # the same photo was evidence for another scan
    REPEAT_SCAN = "repeat_scan"  # the scan repeats the current state: counted once only
    MIXED_LOAD = "mixed_load"  # a vehicle for one category took another category
    BAG_REUSED = "bag_reused"  # a bag already deposited in another bin: counted once
    LATE_UPLOAD = "late_upload"  # sent after the receiving container was emptied
    PHONE_CLOCK_WRONG = "phone_clock_wrong"  # the phone's time is impossible: server time used


class RecordKind(StrEnum):
    """A ledger record is a handover or a correction of an earlier one."""

    HANDOVER = "handover"
    CORRECTION = "correction"


# The normal path: bag -> bin -> vehicle -> transfer_room -> vehicle -> facility.
NORMAL_MOVES: dict[tuple[AssetKind, AssetKind], Action] = {
    (AssetKind.BAG, AssetKind.BIN): Action.DEPOSIT,
    (AssetKind.BIN, AssetKind.VEHICLE): Action.COLLECT,
    (AssetKind.VEHICLE, AssetKind.TRANSFER_ROOM): Action.UNLOAD,
    (AssetKind.TRANSFER_ROOM, AssetKind.VEHICLE): Action.LOAD,
    (AssetKind.VEHICLE, AssetKind.FACILITY): Action.DELIVER,
}
CONTAINER_KINDS = frozenset({AssetKind.BIN, AssetKind.VEHICLE, AssetKind.TRANSFER_ROOM})


@dataclass(frozen=True)
class Point:
    """A GPS fix: degrees, and the reported accuracy in metres."""

    lat: float
    lon: float
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise InvalidHandover(f"GPS point out of range: {self.lat}, {self.lon}")
        if self.accuracy_m is not None and not 0 <= self.accuracy_m < 100_000:
            raise InvalidHandover(f"GPS accuracy out of range: {self.accuracy_m}")


@dataclass(frozen=True)
class AssetInfo:
    """What the rules need to know of an asset."""

    asset_id: str
    kind: AssetKind
    category: Category | None = None
    location: Point | None = None


@dataclass(frozen=True)
class AssetState:
    """Where and when an asset was last seen, derived from the ledger."""

    last_seq: int | None = None
    last_seen: datetime | None = None
    last_point: Point | None = None
    holding: bool = False  # a container that received waste it has not handed on
    reached_facility: bool = False


@dataclass(frozen=True)
class HandoverDraft:
    """A handover as reported, before it is checked and sealed into the ledger."""

    source: str
    dest: str
    actor_id: int
    role: Role
    action: Action | None = None
    device_time: datetime | None = None
    point: Point | None = None
    photo_sha256: str | None = None
    weight_kg: float | None = None
    category: Category | None = None
    note: str | None = None
    corrects_seq: int | None = None
    flags_extra: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.source == self.dest and self.action is not Action.INSPECT:
            raise InvalidHandover("source and destination are the same asset")
        if self.weight_kg is not None and not 0 <= self.weight_kg <= 100_000:
            raise InvalidHandover(f"weight out of range: {self.weight_kg} kg")
        if self.photo_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.photo_sha256):
            raise InvalidHandover("photo_sha256 must be 64 lower-case hex digits")
        if self.note is not None and len(self.note) > 2000:
            raise InvalidHandover("note longer than 2000 characters")
        if self.device_time is not None and self.device_time.tzinfo is None:
            raise InvalidHandover("device time must carry a time zone")
