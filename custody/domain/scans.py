"""What a photographed scan means: which handovers its codes imply, and photo evidence flags.

A phone reports an action and a photo; the photo's codes name the assets.
For each action one kind of asset receives (the destination) and every other
code in the photo gives (a source). Evidence flags compare what the camera
recorded (EXIF time and GPS) with what the phone claimed and with the
registered place of fixed assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custody.domain.errors import DomainError
from custody.domain.model import Action, AssetKind, Flag, Point
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

# The camera clock and the phone clock may differ by this much before it is a flag.
PHOTO_TIME_TOLERANCE_S = 15 * 60
# The camera's GPS and the phone's claim (or a fixed asset's place) may differ this much.
PHOTO_PLACE_TOLERANCE_M = 1_000.0


class ScanNotUnderstood(DomainError):
    """The codes in the photo do not say who gave and who received."""

    code = "scan_not_understood"


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


def evidence_flags(*, photo_time: datetime | None, photo_point: Point | None,
                   claimed_time: datetime | None, claimed_point: Point | None,
                   registered: list[Point]) -> tuple[str, ...]:
    """Flags raised by what the camera recorded against the claim and the registered places."""
    flags = set()
    if photo_time and claimed_time:
        if abs((photo_time - claimed_time).total_seconds()) > PHOTO_TIME_TOLERANCE_S:
            flags.add(Flag.PHOTO_TIME_MISMATCH.value)
    if photo_point is not None:
        for other in ([claimed_point] if claimed_point else []) + registered:
            if haversine_m(photo_point, other) > PHOTO_PLACE_TOLERANCE_M + (other.accuracy_m or 0):
                flags.add(Flag.PHOTO_PLACE_MISMATCH.value)
    return tuple(sorted(flags))
