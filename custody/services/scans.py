"""A phone's scan: decode the photo, verify the codes, record the handovers, once per key.

The order keeps evidence whole: the photo is decoded and stored first (no
lock held), then one write transaction looks up its assets, appends every
handover it implies and inserts the attempt, under its unique (actor,
idempotency key), with its answer. A retry, even one racing the first upload, finds that attempt (or
fails on its key and then finds it) and gets the same answer; nothing is
recorded twice. Attempts that fail (no readable code, a forged code, a photo
that is not an image) are kept too, with their answer. An answer is stored
without its scan id, which is the attempt's own id and is put back on reading.

A scan is the hot path of the web app, so no ORM session is used: the
statements run on the raw driver cursor (``custody.db.prepared``; an ORM
session costs about a millisecond of CPU, a Core statement about 0.15 ms, a raw
one 0.03 ms), and the attempt row goes in the round trip that writes the
handovers.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

import labels
import scanners
from custody.db.engine import Database
from custody.db.prepared import Prepared, fetch_all, pipeline
from custody.db.schema import Asset, Handover, ScanAttempt
from custody.domain.errors import DomainError
from custody.domain.model import Action, AssetKind, Category, HandoverDraft, Point, Role
from custody.domain.scans import ScanNotUnderstood, evidence_flags, plan_moves
from custody.services import handovers
from custody.services.conversions import from_e7
from custody.services.photos import PhotoStore

RETAKE = {"zh": "照片中没有可读的二维码，请靠近、对准后重新拍照。",
          "en": "No readable QR code in the photo: move closer, hold steady and retake it."}


class IdempotencyConflict(DomainError):
    """The same idempotency key was used for a different upload."""

    code = "idempotency_conflict"


@dataclass(frozen=True)
class ScanRequest:
    """What a phone sent."""

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
class ScanAnswer:
    """The HTTP status and JSON body a scan gets, now and on every retry."""

    status: int
    body: dict
    replayed: bool = False


@dataclass
class Scanning:
    """What a scan needs besides the request: where things are and how to read them.

    ``clock``, when given, is the server time a scan is received and recorded at:
    the demo replays past days with it. Without it the ledger stamps its own time
    once it holds the head lock, so server times rise with the sequence.
    """

    db: Database
    photos: PhotoStore
    read: Callable[[bytes], scanners.PhotoContents]  # codes and EXIF of a photo file
    identity: labels.IdentityScheme
    max_speed_kmh: float = 120.0
    clock: Callable[[], datetime] | None = None


def submit(ctx: Scanning, req: ScanRequest) -> ScanAnswer:
    """Handle one upload: the stored answer for a retried key, else a new attempt."""
    fingerprint = req.fingerprint()
    earlier = _earlier_answer(ctx.db, req, fingerprint)
    if earlier is not None:
        return earlier
    return _save(ctx, req, fingerprint, _read_photo(ctx, req))


# The scan path's reads, run on the raw driver cursor (see custody.db.prepared).
_EARLIER = Prepared(select(ScanAttempt.id, ScanAttempt.request_hash, ScanAttempt.http_status,
                           ScanAttempt.response)
                    .where(ScanAttempt.actor_id == bindparam("actor_id"),
                           ScanAttempt.idempotency_key == bindparam("key")))
_ASSET = Prepared(select(Asset.asset_id, Asset.kind, Asset.lat_e7, Asset.lon_e7)
                  .where(Asset.asset_id == bindparam("id")))
_INSERT_ATTEMPT = Prepared(insert(ScanAttempt).values(
    {c.name: bindparam(c.name) for c in ScanAttempt.__table__.columns if c.name != "id"})
    .returning(ScanAttempt.id))
# The moves this photo is already evidence for: the same photo again adds no second move.
_MOVES_WITH_PHOTO = Prepared(select(Handover.source_id, Handover.dest_id, Handover.seq).where(
    Handover.photo_sha256 == bindparam("sha"), Handover.record_kind == "handover")
    .order_by(Handover.seq))


def _earlier_answer(db: Database, req: ScanRequest, fingerprint: str) -> ScanAnswer | None:
    """The answer already given for this key, if any (422 if the body differs)."""
    with db.lookup_engine.connect() as conn:
        found = _EARLIER.execute(conn, {"actor_id": req.actor_id, "key": req.idempotency_key})
    if not found:
        return None
    ((scan_id, request_hash, http_status, response),) = found
    if request_hash != fingerprint:
        raise IdempotencyConflict(
            f"Idempotency-Key {req.idempotency_key!r} was already used for a different upload "
            f"(scan {scan_id}); use a new key for a new scan")
    return ScanAnswer(http_status, stored_answer(scan_id, response), replayed=True)


def stored_answer(scan_id: int, response: str) -> dict:
    """The answer a scan attempt got, from its stored JSON and its id."""
    return _with_scan_id(json.loads(response), scan_id)


def _with_scan_id(body: dict, scan_id: int) -> dict:
    """The answer with the attempt's id in it (in the error too, for a refusal)."""
    if "error" in body:
        body = {**body, "error": {**body["error"], "scan_id": scan_id}}
    return {**body, "scan_id": scan_id}


@dataclass
class _PhotoReading:
    """What the photo says, found before any lock is taken."""

    sha256: str | None  # None: not stored (it was no usable photo)
    refusal: tuple[int, dict] | None = None
    codes: list[dict] = field(default_factory=list)
    genuine: dict[str, dict] = field(default_factory=dict)  # asset id -> its code's report
    metadata: scanners.PhotoMetadata = field(default_factory=scanners.PhotoMetadata)


def _read_photo(ctx: Scanning, req: ScanRequest) -> _PhotoReading:
    """Decode the photo and read its EXIF, store it, verify its codes."""
    try:
        contents = ctx.read(req.photo)
    except scanners.ScanError as exc:
        kind = type(exc).__name__
        status = 413 if isinstance(exc, scanners.ImageTooLarge) else 422
        code = "unreadable_photo" if isinstance(exc, scanners.DecodeFailed) else "not_a_photo"
        if isinstance(exc, scanners.DecodeFailed):
            return _PhotoReading(None, (422, _error(code, f"{RETAKE['en']} ({kind})",
                                                    RETAKE["zh"])))
        return _PhotoReading(None, (status, _error(code, f"{exc} ({kind})",
                                                   "不是可用的照片，请重新拍照。")))
    sha = ctx.photos.put(req.photo, sha256=req.photo_sha256)
    codes, genuine = _verify_codes(ctx, contents.codes)
    return _PhotoReading(sha, None, codes, genuine, contents.metadata)


def _plan(conn: Connection, req: ScanRequest, photo: _PhotoReading
          ) -> tuple[int, dict, list[HandoverDraft]]:
    """Resolve the assets and plan the handovers: (status, body, drafts)."""
    codes = photo.codes
    assets, reused = _registered(conn, photo.genuine, photo.sha256) if photo.genuine \
        else ({}, False)
    if not assets:
        if codes:
            bad = ", ".join(c["text"][:80] for c in codes)
            return 422, _error("no_valid_code", f"no genuine code of this system in the photo: "
                                                f"{bad}", "照片中的二维码不是本系统的有效标签。",
                               codes=codes), []
        return 422, _error("no_code", RETAKE["en"], RETAKE["zh"]), []
    try:
        moves = plan_moves(req.action, {a: AssetKind(k) for a, (k, _) in assets.items()})
    except ScanNotUnderstood as exc:
        return 422, _error(exc.code, str(exc), "照片中的标签与所选操作不符，请检查后重新拍照。",
                           codes=codes), []
    if req.weight_kg is not None and len(moves) > 1:
        return 422, _error("ambiguous_weight", f"one weight for {len(moves)} handovers: "
                           "photograph one bag at a time to weigh it, or leave the weight out",
                           "一个重量对应多次交接：请逐袋称重拍照，或不填重量。",
                           codes=codes), []
    extra = _evidence(req, photo.metadata, reused,
                      [loc for _, loc in assets.values() if loc])
    repeats = [{"source": m.source, "dest": m.dest, "repeat_of": reused[(m.source, m.dest)]}
               for m in moves if (m.source, m.dest) in reused]
    moves = [m for m in moves if (m.source, m.dest) not in reused]
    drafts = [HandoverDraft(
        source=m.source, dest=m.dest, actor_id=req.actor_id, role=req.role, action=req.action,
        device_time=req.client_time, point=req.point, photo_sha256=photo.sha256,
        weight_kg=req.weight_kg, category=req.category, note=req.note, flags_extra=extra,
    ) for m in moves]
    return 201, {"codes": codes, "repeats": repeats}, drafts


def _verify_codes(ctx: Scanning, decoded: list) -> tuple[list[dict], dict[str, dict]]:
    """Each decoded text checked: (report per code, {asset id: its report} for genuine ones)."""
    codes, ids = [], {}
    for item in decoded:
        entry = {"text": item.text, "engine": item.engine}
        try:
            asset_id = ctx.identity.verify(item.text)
        except labels.CodeError as exc:
            entry.update(status=type(exc).__name__, message=str(exc))
        else:
            entry.update(status="ok", asset_id=asset_id)
            ids[asset_id] = entry
        codes.append(entry)
    return codes, ids


def _registered(conn: Connection, ids: dict[str, dict], photo_sha: str) -> tuple[dict, dict]:
    """({asset id: (kind, registered point)}, {(source, dest): seq} recorded with this photo).

    Each genuine code's report gets its asset's kind, or says it is unknown. The
    reads go in one round trip on PostgreSQL.
    """
    with pipeline(conn):
        cursors = [_ASSET.submit(conn, {"id": asset_id}) for asset_id in ids]
        earlier_use = _MOVES_WITH_PHOTO.submit(conn, {"sha": photo_sha})
        rows = [row for cursor in cursors for row in fetch_all(cursor)]
        reused = {(source, dest): seq for source, dest, seq in reversed(fetch_all(earlier_use))}
    assets = {}
    for asset_id, kind, lat_e7, lon_e7 in rows:
        assets[asset_id] = (kind, Point(from_e7(lat_e7), from_e7(lon_e7)) if lat_e7 else None)
        ids[asset_id]["kind"] = kind
    for asset_id, entry in ids.items():
        if asset_id not in assets:
            entry.update(status="UnknownAsset", message=f"no asset {asset_id} is registered")
    return assets, reused


def _evidence(req: ScanRequest, meta: scanners.PhotoMetadata, reused: dict,
              places: list[Point]) -> tuple[str, ...]:
    """Flags from the photo's EXIF and from its earlier use as evidence."""
    taken = meta.taken_at
    if taken is not None and taken.tzinfo is None:
        taken = None  # a camera clock with no zone cannot be compared honestly
    photo_point = (Point(meta.latitude, meta.longitude) if meta.latitude is not None
                   and meta.longitude is not None else None)
    flags = set(evidence_flags(photo_time=taken, photo_point=photo_point,
                               claimed_time=req.client_time, claimed_point=req.point,
                               registered=places))
    if reused:
        flags.add("reused_photo")
    return tuple(sorted(flags))


def _save(ctx: Scanning, req: ScanRequest, fingerprint: str, photo: _PhotoReading,
          refused: tuple[int, dict] | None = None) -> ScanAnswer:
    """One transaction: the handovers and the attempt (unique per key), or the earlier answer.

    The assets are looked up inside it, so the whole of a scan's database work
    after decoding is one connection and one commit; the attempt row is written
    in the round trip that writes the handovers.
    """
    photo_sha = photo.sha256
    now = ctx.clock() if ctx.clock else None
    received_at = now or datetime.now(UTC)

    def attempt(conn: Connection, status: int, body: dict):
        return _submit_attempt(conn, req, fingerprint, received_at, photo_sha, status, body)

    try:
        with ctx.db.write_engine.begin() as conn:
            refusal = refused or photo.refusal
            status, body, drafts = (*refusal, []) if refusal else _plan(conn, req, photo)
            if status == 201:
                codes, repeats = body["codes"], body["repeats"]

                def recorded_attempt(recorded: list) -> tuple[dict, object]:
                    answer = _recorded_body(req, photo_sha, codes, recorded, repeats)
                    return answer, attempt(conn, _recorded_status(answer), answer)

                try:
                    _, (body, cursor) = handovers.append_all(
                        conn, drafts, max_speed_kmh=ctx.max_speed_kmh, now=now,
                        alongside=recorded_attempt, count_once=True)
                    status = _recorded_status(body)
                except DomainError as exc:
                    raise _Refused(422, _error(exc.code, str(exc), "无法记录，请联系主管。",
                                               codes=codes)) from exc
            else:
                cursor = attempt(conn, status, body)
            ((attempt_id,),) = fetch_all(cursor)
        return ScanAnswer(status, _with_scan_id(body, attempt_id))
    except _Refused as refusal:
        return _save(ctx, req, fingerprint, photo, (refusal.status, refusal.body))
    except (IntegrityError, ctx.db.write_engine.dialect.loaded_dbapi.IntegrityError):
        # the attempt row is sent on the raw cursor: its driver's own error arrives unwrapped
        earlier = _earlier_answer(ctx.db, req, fingerprint)
        if earlier is None:
            raise
        return earlier


def _submit_attempt(conn: Connection, req: ScanRequest, fingerprint: str,
                    received_at: datetime, photo_sha: str | None, status: int, body: dict):
    """Send the attempt row (its id comes back on the returned cursor: ``fetch_all``)."""
    state = {201: "recorded", 200: "repeat_scan"}.get(status) or body["error"]["code"]
    return _INSERT_ATTEMPT.submit(conn, {
        "actor_id": req.actor_id, "device_id": req.device_id,
        "idempotency_key": req.idempotency_key, "request_hash": fingerprint,
        "received_at": _as_stored(conn, ScanAttempt.__table__.c.received_at, received_at),
        "action": req.action.value, "photo_sha256": photo_sha, "status": state[:20],
        "http_status": status, "response": json.dumps(body, ensure_ascii=False),
    })


@functools.lru_cache(maxsize=16)  # a few engines' dialects; tests make many, keep none long
def _bind_processor(column, dialect):
    """The column type's conversion of a value for this dialect's driver (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _as_stored(conn: Connection, column, value):
    """A value as SQLAlchemy would hand it to the driver for this column (the raw cursor
    skips SQLAlchemy's type conversions)."""
    process = _bind_processor(column, conn.dialect)
    return process(value) if process else value


class _Refused(Exception):
    """A draft the ledger refused: roll back the handovers, keep the attempt."""

    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body


def _recorded_status(answer: dict) -> int:
    """201 when the scan appended a record, 200 when it only repeated what is recorded."""
    return 201 if answer["handovers"] else 200


def _recorded_body(req: ScanRequest, photo_sha: str, codes: list[dict], recorded: list,
                   photo_repeats: list[dict]) -> dict:
    """The answer of a scan that was understood: what was recorded, repeated, flagged.

    A move that repeats the current state (custody.domain.contents, rule 8) is
    listed under ``repeats`` with the record it repeats, and appends nothing.
    """
    appended = [r for r in recorded if r.seq is not None]
    repeats = photo_repeats + [{"source": r.source, "dest": r.dest, "repeat_of": r.repeat_of}
                               for r in recorded if r.seq is None]
    flags = {f for r in recorded for f in r.flags}
    if photo_repeats:
        flags |= {"repeat_scan", "reused_photo"}
    flags = sorted(flags)
    n = len(appended)
    if n:
        message = {"zh": f"已记录 {n} 次交接" + ("，有需要核查的标记" if flags else ""),
                   "en": f"Recorded {n} handover{'s' if n != 1 else ''}"
                         + (" with flags to check" if flags else "")}
    else:
        message = {"zh": "这次交接已经记录过，不重复计量。",
                   "en": "This handover is already recorded; it is counted once only."}
    return {
        "status": "recorded" if n else "repeat", "action": req.action.value,
        "photo_sha256": photo_sha, "codes": codes, "flags": flags,
        "handovers": [{"seq": r.seq, "hash": r.hash, "source": r.source, "dest": r.dest,
                       "action": r.action, "flags": list(r.flags),
                       "server_time": r.server_time.isoformat().replace("+00:00", "Z"),
                       **({"corrects_seq": r.corrects_seq} if r.corrects_seq else {})}
                      for r in appended],
        "repeats": repeats,
        "message": message,
    }


def _error(code: str, message: str, message_zh: str, **extra) -> dict:
    """A refusal in the app's one error shape."""
    return {"error": {"code": code, "message": message, "message_zh": message_zh, **extra}}
