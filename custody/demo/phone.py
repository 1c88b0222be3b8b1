"""The district's phones: each field scan uploaded to the scan service as the web uploads it.

A ``FieldScan`` becomes the ``scans.ScanRequest`` that ``custody/web/scans.py``
builds from the phone page's multipart form (``static/phone/phone.js``,
``queue.js``): the user's actor and role, a fresh UUID as Idempotency-Key, the
action of the page's task, the photo, a weight only where the user typed one,
no category (the pages ask for none on these moves, and nobody picks one), the
phone's clock in UTC to the millisecond and its GPS fix. It goes to
``scans.submit``, the entry the web uses, at the simulated server time: the
idempotency check, the decoding and verification of the codes, the planning of
the moves from the codes, the custody rules, the ledger, the rollups and the
scan attempt all run as for a phone, answered by the web's own answers
(``custody.web.scan_answers``, which needs no Flask). What is skipped is HTTP itself: no
multipart encoding, no form validation (every value sent is within it), no
device token; and photos are decoded in process by ``scanners.read_photo``,
the function the web's decoder workers run.

Photos. Drawing and decoding a photo takes tens of milliseconds, too slow for
every scan of a week at start-up, so only a sample of each day's scans
(``DemoSpec.photo_share``; the double sends are drawn from it) is
photographed: the two labels' real artwork, photographed by ``camera``,
decoded by the real scanner and stored. The other scans send in the photo
field a *stand-in*: a short text naming the signed codes printed on the two
labels and the EXIF time and GPS the camera would have written. Their scanning
context reads a stand-in as the decoder would read a photo of those labels
(the same code texts, still verified against their signatures; the same EXIF)
and keeps nothing, so those handovers are recorded with no photo. That is the
only difference from a photographed scan: no pixels are drawn, decoded or
stored. A photo the scanner cannot read is retaken (a new photo, a new key)
and after three tries sent as a stand-in.

Repeats. A few scans a day are sent twice: a double send (the same photo again
under a new key, as after a double tap; the scan service answers that it
repeats what is recorded and appends nothing) and a queue replay (the same
request under the same key, as when the answer was lost; it gets the first
answer back). Without a data folder (no ``settings``) nothing is photographed,
so there are no double sends.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import labels
import scanners
from custody.db.engine import Database
from custody.demo import camera
from custody.demo.days import FieldScan
from custody.demo.spec import DemoReport
from custody.domain.model import HandoverDraft, Point
from custody.services import label_sheets, scans
from custody.services.photos import PhotoStore
from custody.web.scan_answers import answer  # the web's own answers, without Flask

STAND_IN = b"custody-demo stand-in photo\n"
RETAKES = 3
GPS_NOISE_M = 15.0
RETAKE_CODES = {"unreadable_photo", "no_code", "no_valid_code", "scan_not_understood"}


class _KeepsNothing:
    """The photo store of stand-ins: there are no pixels to keep, so no photo is recorded."""

    def put(self, data: bytes, *, sha256: str | None = None) -> None:
        """Keep nothing; None tells the scan service that no photo was stored."""
        return None


def read_stand_in(photo: bytes) -> scanners.PhotoContents:
    """What the decoder would read from a photo of the labels a stand-in names."""
    if not photo.startswith(STAND_IN):
        raise scanners.NotAnImage("not a demo stand-in")
    said = json.loads(photo[len(STAND_IN):])
    codes = [scanners.Decoded(text, (), "stand-in") for text in said["codes"]]
    meta = scanners.PhotoMetadata(taken_at=datetime.fromisoformat(said["taken"]),
                                  latitude=said.get("lat"), longitude=said.get("lon"),
                                  make=camera.MAKE, model=camera.MODEL)
    return scanners.PhotoContents(codes, meta)


class DemoPhones:
    """Every field user's phone, sending to the scan service and counting the answers."""

    def __init__(self, db: Database, scheme: labels.IdentityScheme, report: DemoReport,
                 photos: PhotoStore | None):
        self.db, self.scheme, self.report = db, scheme, report
        self.with_photos = (scans.Scanning(db, photos, scanners.read_photo, scheme, answer)
                            if photos is not None else None)
        self.stand_ins = scans.Scanning(db, _KeepsNothing(), read_stand_in, scheme, answer)

    def send(self, scan: FieldScan, taken: datetime, received: datetime, rng: random.Random, *,
             photographed: bool = False, double_send: bool = False,
             replay: bool = False) -> scans.ScanAnswer:
        """Upload one scan (then its double send or replay, if asked); the first answer."""
        point = _gps(rng, scan.at)
        fields = dict(actor_id=scan.actor, role=scan.role, device_id=None, action=scan.action,
                      weight_kg=scan.weight_kg, category=None,
                      client_time=_phone_clock(taken), point=point, note=scan.note)
        ctx, answer = self.with_photos, None
        if photographed and ctx is not None:
            photo, key, answer = self._photograph(ctx, scan, taken, point, received, rng, fields)
        if answer is None:
            ctx, photo, key = self.stand_ins, self._stand_in(scan, taken, point), _key(rng)
            answer = self._submit(ctx, received, photo, key, fields)
        if double_send and ctx is self.with_photos:  # the same photo, a new key
            self.report.double_sends += 1
            self._submit(ctx, received + timedelta(seconds=3), photo, _key(rng), fields)
        if replay:  # the same request, the same key
            self._submit(ctx, received + timedelta(seconds=60), photo, key, fields)
        return answer

    def _photograph(self, ctx: scans.Scanning, scan: FieldScan, taken: datetime, point: Point,
                    received: datetime, rng: random.Random, fields: dict) -> tuple:
        """Photograph and upload until the scanner reads it: (photo, key, answer) or Nones."""
        found = label_sheets.label_data(self.db, self.scheme, [scan.source, scan.dest])
        artwork = [found[a] for a in _labels(scan)]
        seed = f"{scan.source}>{scan.dest}@{taken.isoformat()}"
        for attempt in range(RETAKES):
            started = time.perf_counter()
            photo, key = camera.photograph(artwork, random.Random(f"{seed}#{attempt}"), taken,
                                           point), _key(rng)
            answer = self._submit(ctx, received, photo, key, fields)
            self.report.photo_seconds += time.perf_counter() - started
            if answer.body.get("error", {}).get("code") not in RETAKE_CODES:
                self.report.photos += answer.status in (200, 201)
                return photo, key, answer
        return None, None, None

    def _stand_in(self, scan: FieldScan, taken: datetime, point: Point) -> bytes:
        """The stand-in photo of this scan's two labels."""
        said = {"codes": [self.scheme.make_code(a) for a in _labels(scan)],
                "taken": taken.isoformat(), "lat": point.lat, "lon": point.lon}
        return STAND_IN + json.dumps(said).encode()

    def _submit(self, ctx: scans.Scanning, received: datetime, photo: bytes, key: str,
                fields: dict) -> scans.ScanAnswer:
        """One upload at a server time; the answer counted in the report."""
        answer = scans.submit(replace(ctx, clock=lambda: received),
                              scans.ScanRequest(idempotency_key=key, photo=photo, **fields))
        report = self.report
        report.scans += 1
        if answer.replayed:
            report.replays += 1
        elif answer.status in (200, 201):  # 200: it repeated what is recorded, appended nothing
            report.handovers += len(answer.body["handovers"])
            report.repeats += len(answer.body.get("repeats", ()))
            report.flags.update(str(f) for f in answer.body["flags"])
        else:
            report.refused += 1
            report.refusals[answer.body["error"]["code"]] += 1
        return answer


def planned_draft(scan: FieldScan, taken: datetime, rng: random.Random) -> HandoverDraft:
    """The one handover the scan service plans from this scan's photo (its two labels)."""
    return HandoverDraft(scan.source, scan.dest, scan.actor, scan.role, scan.action,
                         device_time=_phone_clock(taken), point=_gps(rng, scan.at),
                         weight_kg=scan.weight_kg, note=scan.note)


def _labels(scan: FieldScan) -> list[str]:
    """The labels in the scan's photo: two, or one for an inspection of one asset."""
    return list(dict.fromkeys([scan.source, scan.dest]))


def _key(rng: random.Random) -> str:
    """A new Idempotency-Key, a UUID as the phone's queue makes (drawn from the seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _phone_clock(local: datetime) -> datetime:
    """The phone's ``new Date().toISOString()``: UTC, to the millisecond."""
    utc = local.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _gps(rng: random.Random, at: tuple[float, float]) -> Point:
    """The phone's fix near where the user stands: metres of noise, the accuracy it reports."""
    noise = GPS_NOISE_M / 111_000
    return Point(round(at[0] + rng.gauss(0, noise), 7), round(at[1] + rng.gauss(0, noise), 7),
                 round(rng.uniform(5, 25), 1))
