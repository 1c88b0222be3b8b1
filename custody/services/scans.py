"""A phone's scan, top to bottom: upload → decode → verify codes → plan → rules → ledger → rollups.

    submit                                   one upload, answered once per idempotency key
    ├── scan_attempts.earlier_answer         a retried key: the answer it got, nothing more
    ├── policy.check                         the role × action table (custody.domain.policy)
    ├── scan_photos.read_photo               decode, keep the photo, verify each code
    └── _record                              one write transaction:
        ├── scan_planning.plan               the registered assets, the handovers implied
        ├── handovers.append_all             the rules, the ledger, the rollups
        └── scan_attempts.Attempt.submit     the attempt row, in the same round trip

The order keeps evidence whole: the photo is decoded and stored first (no lock
held), then one write transaction looks up its assets, appends every handover
it implies and inserts the attempt, unique per (actor, idempotency key), with
its answer. Every upload that reaches this far leaves exactly one attempt row,
whatever its outcome: a refusal by the role's table (checked before decoding,
so it costs no decoding), a photo that is no usable photo, a plan that cannot
be made, or a draft the ledger refuses (its handovers are rolled back and the
attempt alone is kept). A retry, even one racing the first upload, finds that
attempt (or fails on its key and then finds it) and gets the same answer.
Camera metadata (EXIF time and GPS) is evidence, never a gate
(``custody.domain.scans``).

The outcome is a domain result (``ScanRecorded``) or a refusal (``ScanRefusal``
of an error from ``custody.domain.errors``); ``Scanning.answer`` renders it as
the phone is answered, and the attempt keeps that answer.

Every statement goes through the repositories (``custody.db.repositories``)
over one connection; a scan is the hot path of the web app, so no ORM session
is used (one costs about a millisecond of CPU) and the repositories run the
scan's statements on the raw driver cursor (a Core statement costs about
0.15 ms, a raw one 0.03 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import labels
import scanners
from custody.db.engine import Database
from custody.db.repositories import Repositories, RowConflict, writing
from custody.domain import policy
from custody.domain.errors import DomainError
from custody.domain.outcomes import Repeat, ScanOutcome, ScanRecorded, ScanRefusal
from custody.domain.scans import ScanRequest
from custody.services import handovers, scan_planning
from custody.services.photos import PhotoStore
from custody.services.scan_attempts import (
    Answering,
    Attempt,
    ScanAnswer,
    earlier_answer,
    with_scan_id,
)
from custody.services.scan_photos import PhotoReading, read_photo

__all__ = ["ScanAnswer", "ScanRequest", "Scanning", "submit"]


@dataclass
class Scanning:
    """What a scan needs besides the request: where things are, how to read them, and how
    to answer.

    ``answer`` renders an outcome as the phone is answered (the web layer's
    scan answers). ``clock``, when given, is the server
    time a scan is received and recorded at: the demo replays past days with it.
    Without it the ledger stamps its own time once it holds the head lock, so
    server times rise with the sequence.
    """

    db: Database
    photos: PhotoStore
    read: Callable[[bytes], scanners.PhotoContents]  # codes and EXIF of a photo file
    identity: labels.IdentityScheme
    answer: Answering
    max_speed_kmh: float = 120.0
    clock: Callable[[], datetime] | None = None


def submit(ctx: Scanning, req: ScanRequest) -> ScanAnswer:
    """Handle one upload: the stored answer for a retried key, else a new attempt."""
    fingerprint = req.fingerprint()
    earlier = earlier_answer(ctx.db, req, fingerprint)
    if earlier is not None:
        return earlier
    try:
        return _attempt(ctx, req, fingerprint)
    except RowConflict:
        # Another upload with this key was kept first. Its answer is this one's.
        earlier = earlier_answer(ctx.db, req, fingerprint)
        if earlier is None:
            raise
        return earlier


def _attempt(ctx: Scanning, req: ScanRequest, fingerprint: str) -> ScanAnswer:
    """Check the role, read the photo, record the handovers: the attempt kept once."""
    try:
        policy.check(req.role, req.action, req.weight_kg)
        photo = read_photo(req.photo, req.photo_sha256, read=ctx.read, photos=ctx.photos,
                           identity=ctx.identity)
    except DomainError as exc:  # not this role's work, or no usable photo: nothing stored
        return _refused(ctx, _received(ctx, req, fingerprint, None)[0], ScanRefusal(exc))
    attempt, now = _received(ctx, req, fingerprint, photo.sha256)
    try:
        return _record(ctx, attempt, photo, now)
    except DomainError as exc:  # the ledger refused a draft: its transaction rolled back
        return _refused(ctx, attempt, ScanRefusal(exc, photo.codes))


def _received(ctx: Scanning, req: ScanRequest, fingerprint: str, photo_sha: str | None
              ) -> tuple[Attempt, datetime | None]:
    """The attempt as received now, and the server time to record at (None: the ledger's)."""
    now = ctx.clock() if ctx.clock else None
    return Attempt(req, fingerprint, now or datetime.now(UTC), photo_sha), now


def _record(ctx: Scanning, attempt: Attempt, photo: PhotoReading,
            now: datetime | None) -> ScanAnswer:
    """One transaction: plan the handovers, append them, keep the attempt with its answer.

    The assets are looked up inside it, so the whole of a scan's database work
    after decoding is one connection and one commit. A plan that cannot be made
    is kept as a refusal here (nothing is written yet); a draft the ledger
    refuses raises, rolling the transaction back.
    """
    with writing(ctx.db) as repos:
        try:
            plan = scan_planning.plan(repos, attempt.req, photo, attempt.received_at)
        except DomainError as exc:
            return _kept(repos, ctx, attempt, ScanRefusal(exc, photo.codes))

        def kept_alongside(recorded: list) -> tuple:  # in the round trip of the handovers
            outcome = _recorded(attempt.req, photo, plan, recorded)
            answer = ctx.answer(outcome)
            return answer, attempt.submit(repos, outcome, answer)

        _, ((status, body), attempt_id) = handovers.append_all(
            repos.conn, plan.drafts, max_speed_kmh=ctx.max_speed_kmh, now=now,
            alongside=kept_alongside, count_once=True)
        scan_id = attempt_id.get()
    return ScanAnswer(status, with_scan_id(body, scan_id))


def _refused(ctx: Scanning, attempt: Attempt, refusal: ScanRefusal) -> ScanAnswer:
    """A refusal kept in a transaction of its own."""
    with writing(ctx.db) as repos:
        return _kept(repos, ctx, attempt, refusal)


def _kept(repos: Repositories, ctx: Scanning, attempt: Attempt, outcome: ScanOutcome
          ) -> ScanAnswer:
    """Keep the attempt with the answer to its outcome; that answer, with the scan id."""
    status, body = answer = ctx.answer(outcome)
    scan_id = attempt.submit(repos, outcome, answer).get()
    return ScanAnswer(status, with_scan_id(body, scan_id))


def _recorded(req: ScanRequest, photo: PhotoReading, plan: scan_planning.Plan,
              recorded: list) -> ScanRecorded:
    """What the scan recorded: the appended handovers, the moves repeated, every flag.

    A move that repeats the current state (custody.domain.contents, rule 8) is
    listed with the record it repeats, and appends nothing; so is a move this
    photo already recorded.
    """
    flags = {f for r in recorded for f in r.flags}
    if plan.repeats:
        flags |= {"repeat_scan", "reused_photo"}
    return ScanRecorded(
        action=req.action, photo_sha256=photo.sha256, codes=photo.codes,
        handovers=[r for r in recorded if r.seq is not None],
        repeats=plan.repeats + [Repeat(r.source, r.dest, r.repeat_of)
                                for r in recorded if r.seq is None],
        flags=sorted(flags), exif_ignored=plan.exif_ignored)
