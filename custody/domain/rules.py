"""The custody rules: they decide a handover's flags, never whether it is recorded.

A handover that breaks the normal path is evidence all the same; the rules only
mark it for a supervisor to look at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from geopy.distance import geodesic

from custody.domain.model import (
    CONTAINER_KINDS,
    NORMAL_MOVES,
    Action,
    AssetInfo,
    AssetKind,
    AssetState,
    Flag,
    HandoverDraft,
    Point,
)

DEFAULT_MAX_SPEED_KMH = 120.0


@dataclass(frozen=True)
class RuleContext:
    """Everything the rules look at for one handover."""

    draft: HandoverDraft
    source: AssetInfo
    dest: AssetInfo
    source_state: AssetState
    dest_state: AssetState
    seen_at: datetime  # device time if given, else server time
    max_speed_kmh: float = DEFAULT_MAX_SPEED_KMH


def expected_action(source: AssetKind, dest: AssetKind) -> Action | None:
    """The action of the normal path for this pair of kinds, if the move is on it."""
    return NORMAL_MOVES.get((source, dest))


def evaluate(ctx: RuleContext) -> tuple[str, ...]:
    """The sorted flags this handover raises."""
    flags: set[str] = set(ctx.draft.flags_extra)
    if _category_mismatch(ctx):
        flags.add(Flag.CATEGORY_MISMATCH)
    if ctx.draft.action is not Action.INSPECT:
        if _off_path(ctx):
            flags.add(Flag.OFF_PATH)
        if _unknown_origin(ctx):
            flags.add(Flag.UNKNOWN_ORIGIN)
    if _late_upload(ctx):
        flags.add(Flag.LATE_UPLOAD)
    if ctx.source_state.reached_facility or ctx.dest_state.reached_facility:
        flags.add(Flag.AFTER_TERMINAL)
    if _impossible_travel(ctx, ctx.source, ctx.source_state) or _impossible_travel(
        ctx, ctx.dest, ctx.dest_state
    ):
        flags.add(Flag.IMPOSSIBLE_TRAVEL)
    return tuple(sorted(flags))


def _category_mismatch(ctx: RuleContext) -> bool:
    """Two categories that should agree (asset, asset, declared) do not."""
    known = {c for c in (ctx.source.category, ctx.dest.category, ctx.draft.category) if c}
    return len(known) > 1


def _off_path(ctx: RuleContext) -> bool:
    """The kinds, or the stated action, are not a step of the normal path."""
    action = expected_action(ctx.source.kind, ctx.dest.kind)
    return action is None or (ctx.draft.action is not None and ctx.draft.action is not action)


def _unknown_origin(ctx: RuleContext) -> bool:
    """A container hands on waste it was never seen to receive."""
    return ctx.source.kind in CONTAINER_KINDS and not ctx.source_state.holding


def _late_upload(ctx: RuleContext) -> bool:
    """Taken before the receiving container was last emptied, but sent after it was.

    An offline phone's queue arrives late: the waste it records went into a
    container that has since handed its contents on, so it is not really there.
    """
    when, state = ctx.draft.device_time, ctx.dest_state
    return (ctx.draft.action is not Action.INSPECT and ctx.dest.kind in CONTAINER_KINDS
            and when is not None and state.last_seen is not None and not state.holding
            and when < state.last_seen)


def _impossible_travel(ctx: RuleContext, asset: AssetInfo, state: AssetState) -> bool:
    """The asset moved faster than a vehicle could since it was last seen."""
    here = ctx.draft.point
    if here is None:
        return False
    previous = state.last_point or asset.location
    if previous is None:
        return False
    slack = (previous.accuracy_m or 0.0) + (here.accuracy_m or 0.0) + _FIXED_SLACK_M
    if state.last_seen is None:
        if not asset.kind.is_fixed:
            return False
        # A fixed asset seen far from where it is registered.
        limit_m = slack + _REGISTERED_PLACE_SLACK_M
    else:
        hours = abs((ctx.seen_at - state.last_seen).total_seconds()) / 3600.0
        limit_m = slack + ctx.max_speed_kmh * 1000.0 * hours
    return _farther_than(previous, here, limit_m)


def _farther_than(a: Point, b: Point, limit_m: float) -> bool:
    """Geodesic distance a-b above limit_m (a quick spherical bound settles clear cases)."""
    rough = haversine_m(a, b)
    if rough < limit_m * (1 - _SPHERE_ERROR):
        return False
    if rough > limit_m * (1 + _SPHERE_ERROR):
        return True
    return geodesic((a.lat, a.lon), (b.lat, b.lon)).meters > limit_m


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


# A sphere is within 0.6 % of the WGS-84 geodesic everywhere; beyond that margin
# the quick bound decides, inside it geopy's exact geodesic does.
_SPHERE_ERROR = 0.006


# GPS in a village is rarely better than this; it keeps noise from raising flags.
_FIXED_SLACK_M = 50.0
# A booth, room or facility scanned this far from its registered place is suspect.
_REGISTERED_PLACE_SLACK_M = 2_000.0


def point_or_none(lat: float | None, lon: float | None, acc: float | None) -> Point | None:
    """A Point when both coordinates are present."""
    if lat is None or lon is None:
        return None
    return Point(lat, lon, acc)
