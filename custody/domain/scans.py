"""What a photographed scan means: which handovers its codes imply, and photo evidence flags.

A phone reports an action and a photo; the photo's codes name the assets.
For each action one kind of asset receives (the destination) and every other
code in the photo gives (a source). Evidence flags compare what the camera
recorded (EXIF time and GPS) with what the phone claimed and with the
registered place of fixed assets.

Camera metadata is evidence, never a gate: a value that cannot be used (no GPS
fix, a clock with no zone, an impossible coordinate or date) is left out of the
comparison, and the scan is recorded. Where that matters, because the camera
wrote a value that cannot be true (``UNUSABLE_METADATA``: a coordinate that is
not a number or out of range, an unreadable time or zone), the handover is
flagged ``photo_metadata_unusable``: the checks it would have fed did not run.
The ordinary absences (no fix, an unset clock, no zone) are only noted.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from custody.domain.errors import ScanNotUnderstood
from custody.domain.model import Action, AssetKind, Category, Flag, Point, Role
from custody.domain.rules import haversine_m

# For each action: the kind that receives, and the kinds expected to give.
ACTION_DEST: dict[Action, AssetKind] = {
    Action.DEPOSIT: AssetKind.BIN,
    Action.COLLECT: AssetKind.VEHICLE,
    Action.UNLOAD: AssetKind.TRANSFER_ROOM,
    Action.LOAD: AssetKind.VEHICLE,
    Action.DELIVER: AssetKind.FACILITY,
}
ACTION_SOURCE: dict[Action, AssetKind] = {
    Action.DEPOSIT: AssetKind.BAG,
    Action.COLLECT: AssetKind.BIN,
    Action.UNLOAD: AssetKind.VEHICLE,
    Action.LOAD: AssetKind.TRANSFER_ROOM,
    Action.DELIVER: AssetKind.VEHICLE,
}

# Reasons (``scanners.PhotoMetadata.ignored``) for which an ignored EXIF value is a flag.
UNUSABLE_METADATA = frozenset({"gps_not_a_number", "gps_out_of_range", "gps_incomplete",
                               "time_unreadable", "zone_unreadable"})

# The camera clock and the phone clock may differ by this much before it is a flag.
PHOTO_TIME_TOLERANCE_S = 15 * 60
# The camera's GPS and the phone's claim (or a fixed asset's place) may differ this much.
PHOTO_PLACE_TOLERANCE_M = 1_000.0
# A phone's clock may run this far ahead of the server's before its time is impossible...
CLOCK_AHEAD_TOLERANCE = timedelta(minutes=15)
# ...and no scan was taken before this system's labels existed: an earlier time is a phone
# clock reset to its default (1970, 2000, its build date) after a flat battery. A fixed floor,
# not an age: an offline queue may legitimately arrive days late.
EARLIEST_PHONE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def phone_time(claimed: datetime | None, received: datetime) -> tuple[datetime | None, bool]:
    """(the phone's time to record, whether it was impossible and left out).

    A scan cannot be taken after the server received it, nor before the
    system existed: a phone whose clock is wrong (set ahead, or reset to 1970
    after a flat battery) would put its tonnage on a day that never saw it.
    Such a time is left out (the record takes the server's time) and the
    handover is flagged ``phone_clock_wrong``.
    """
    if claimed is None:
        return None, False
    if claimed > received + CLOCK_AHEAD_TOLERANCE or claimed < EARLIEST_PHONE_TIME:
        return None, True
    return claimed, False


@dataclass(frozen=True)
class ScanRequest:
    """What a phone sent: who, under which idempotency key, which action, which photo."""

    actor_id: int
    role: Role
    device_id: int | None
    idempotency_key: str
    action: Action
    photo: bytes
    weight_kg: float | None = None
    category: Category | None = None
    client_time: datetime | None = None
    point: Point | None = None
    note: str | None = None

    @cached_property
    def photo_sha256(self) -> str:
        """The photo's sha256 (hashed once: the fingerprint and the store both need it)."""
        return hashlib.sha256(self.photo).hexdigest()

    def fingerprint(self) -> str:
        """A hash of everything that makes two uploads the same upload."""
        parts = [self.photo_sha256, self.action.value, self.weight_kg,
                 self.category.value if self.category else None,
                 self.client_time.isoformat() if self.client_time else None,
                 (self.point.lat, self.point.lon, self.point.accuracy_m) if self.point else None,
                 self.note]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Move:
    """One handover a scan implies."""

    source: str
    dest: str


def plan_moves(action: Action, assets: dict[str, AssetKind]) -> list[Move]:
    """The handovers implied by an action and the assets (id -> kind) read from the photo."""
    if not assets:
        raise ScanNotUnderstood("no asset code in the photo")
    if action is Action.INSPECT:
        return [Move(asset_id, asset_id) for asset_id in sorted(assets)]
    dest_kind = ACTION_DEST[action]
    receivers = sorted(a for a, k in assets.items() if k is dest_kind)
    givers = sorted(a for a, k in assets.items() if a not in receivers)
    if action is Action.LOAD and not givers and len(receivers) == 2:
        raise ScanNotUnderstood("two vehicles and no transfer room: which one loads?")
    if len(receivers) != 1:
        what = "no" if not receivers else f"{len(receivers)}"
        raise ScanNotUnderstood(
            f"{action.value} needs exactly one {dest_kind.value} code in the photo; found {what}")
    if not givers:
        raise ScanNotUnderstood(
            f"{action.value} needs a {ACTION_SOURCE[action].value} code besides the "
            f"{dest_kind.value}")
    return [Move(source, receivers[0]) for source in givers]


def usable_point(lat: float | None, lon: float | None) -> Point | None:
    """A GPS point from two coordinates, or None when either is missing or impossible."""
    if lat is None or lon is None:
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)
            and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Point(lat, lon)


def evidence_flags(*, photo_time: datetime | None, photo_point: Point | None,
                   claimed_time: datetime | None, claimed_point: Point | None,
                   registered: list[Point], ignored: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Flags raised by what the camera recorded against the claim and the registered places.

    ``ignored`` names the camera's values left out as unusable (see the module docstring).
    """
    flags = set()
    if UNUSABLE_METADATA & set(ignored):
        flags.add(Flag.PHOTO_METADATA_UNUSABLE.value)
    if photo_time is not None and photo_time.tzinfo is None:
        photo_time = None  # a camera clock with no zone cannot be compared honestly
    if photo_time and claimed_time:
        if abs((photo_time - claimed_time).total_seconds()) > PHOTO_TIME_TOLERANCE_S:
            flags.add(Flag.PHOTO_TIME_MISMATCH.value)
    if photo_point is not None:
        for other in ([claimed_point] if claimed_point else []) + registered:
            if haversine_m(photo_point, other) > PHOTO_PLACE_TOLERANCE_M + (other.accuracy_m or 0):
                flags.add(Flag.PHOTO_PLACE_MISMATCH.value)
    return tuple(sorted(flags))
