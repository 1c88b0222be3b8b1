"""A scan's plan: the registered assets its codes name, and the handovers they imply.

Runs inside the scan's write transaction (the assets are looked up there through
``AssetRepository``, in one round trip with the moves already recorded with this
photo). The plan itself is
the domain's (``custody.domain.scans.plan_moves``); here it meets what is
registered and what the camera recorded. A plan that cannot be made raises its
``MoveRefused`` error: ``NoCode``, ``NoValidCode``, ``ScanNotUnderstood``,
``AmbiguousWeight``, or ``InvalidHandover`` for a draft out of range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import scanners
from custody.db.repositories import Repositories
from custody.domain.errors import AmbiguousWeight, NoCode, NoValidCode
from custody.domain.model import AssetKind, Flag, HandoverDraft, Point
from custody.domain.outcomes import Repeat
from custody.domain.scans import (
    ScanRequest,
    evidence_flags,
    phone_time,
    plan_moves,
    usable_point,
)
from custody.services.conversions import from_e7
from custody.services.scan_photos import PhotoReading


@dataclass(frozen=True)
class Plan:
    """The handovers to append, the moves this photo already recorded, the EXIF left out."""

    drafts: list[HandoverDraft]
    repeats: list[Repeat]
    exif_ignored: list[str]


def plan(repos: Repositories, req: ScanRequest, photo: PhotoReading, received: datetime
         ) -> Plan:
    """Resolve the photo's assets and plan the handovers it implies (``received``: when the
    server received the scan, against which the phone's clock is checked)."""
    codes = photo.codes
    assets, reused = registered(repos, photo.genuine, photo.sha256) if photo.genuine \
        else ({}, {})
    if not assets:
        if codes:
            bad = ", ".join(c["text"][:80] for c in codes)
            raise NoValidCode(f"no genuine code of this system in the photo: {bad}")
        raise NoCode("no code in the photo")
    moves = plan_moves(req.action, {a: AssetKind(k) for a, (k, _) in assets.items()})
    if req.weight_kg is not None and len(moves) > 1:
        raise AmbiguousWeight(f"one weight for {len(moves)} handovers: photograph one bag at a "
                              "time to weigh it, or leave the weight out")
    device_time, clock_wrong = phone_time(req.client_time, received)
    extra, ignored = evidence(req, photo.metadata, bool(reused),
                              [loc for _, loc in assets.values() if loc], device_time)
    if clock_wrong:
        extra = tuple(sorted({*extra, Flag.PHONE_CLOCK_WRONG.value}))
    repeats = [Repeat(m.source, m.dest, reused[(m.source, m.dest)])
               for m in moves if (m.source, m.dest) in reused]
    drafts = [HandoverDraft(
        source=m.source, dest=m.dest, actor_id=req.actor_id, role=req.role,
        action=req.action, device_time=device_time, point=req.point,
        photo_sha256=photo.sha256, weight_kg=req.weight_kg, category=req.category,
        note=req.note, flags_extra=extra,
    ) for m in moves if (m.source, m.dest) not in reused]
    return Plan(drafts, repeats, ignored)


def registered(repos: Repositories, ids: dict[str, dict], photo_sha: str) -> tuple[dict, dict]:
    """({asset id: (kind, registered point)}, {(source, dest): seq} recorded with this photo).

    Each genuine code's report gets its asset's kind, or says it is unknown. The
    reads go in one round trip on PostgreSQL.
    """
    rows, reused = repos.assets.named_by_codes(list(ids), photo_sha)
    assets = {}
    for asset_id, kind, lat_e7, lon_e7 in rows:
        assets[asset_id] = (kind, Point(from_e7(lat_e7), from_e7(lon_e7)) if lat_e7 else None)
        ids[asset_id]["kind"] = kind
    for asset_id, entry in ids.items():
        if asset_id not in assets:
            entry.update(status="UnknownAsset", message=f"no asset {asset_id} is registered")
    return assets, reused


def evidence(req: ScanRequest, meta: scanners.PhotoMetadata, reused: bool,
             places: list[Point], claimed_time: datetime | None
             ) -> tuple[tuple[str, ...], list[str]]:
    """(flags from the photo's EXIF and its earlier use, the EXIF values left out unused)."""
    ignored = list(getattr(meta, "ignored", ()))
    taken = meta.taken_at
    if taken is not None and taken.tzinfo is None:
        ignored.append("time_no_zone")  # cannot be compared honestly with the phone's clock
    photo_point = usable_point(meta.latitude, meta.longitude)
    if photo_point is None and meta.latitude is not None \
            and not any(reason.startswith("gps_") for reason in ignored):
        ignored.append("gps_out_of_range")  # a reader that let an impossible value through
    flags = set(evidence_flags(photo_time=taken, photo_point=photo_point,
                               claimed_time=claimed_time, claimed_point=req.point,
                               registered=places, ignored=tuple(ignored)))
    if reused:
        flags.add("reused_photo")
    return tuple(sorted(flags)), sorted(set(ignored))
