"""The demo district's printed labels: PDF sheets, and phone photos of them read by the scanner.

Sheets come from ``label_sheets.reprint`` (``label_sheets.issue`` registers
anonymous assets, while the demo's have households, booths and places): one
PDF per village and kind, one per district-wide kind, under ``<data>/labels``.

A photographed handover takes the phone's path: the two assets' real label
artwork is photographed (perspective, uneven light, grain, EXIF time and GPS,
JPEG) and uploaded to ``scans.submit``, which decodes it, verifies each code,
plans the move, compares the EXIF with the claim and the registered places,
checks for reused photos, stores the photo by content, records the handover
and keeps the scan attempt, all at the simulated server time. Every photo is
drawn from a generator seeded by its handover: the same seed gives the same
bytes, so the same ledger.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from sqlalchemy import and_, func, or_, select

import labels
import scanners
from custody.config import Settings
from custody.db.engine import Database
from custody.db.schema import Asset, Village
from custody.domain.errors import UnknownAsset
from custody.domain.model import AssetKind, HandoverDraft, Point
from custody.domain.rules import expected_action
from custody.domain.scans import Move, ScanNotUnderstood, plan_moves
from custody.services import label_sheets, scans
from custody.services.handovers import RecordedHandover
from custody.services.photos import PhotoStore

VILLAGE_KINDS = (AssetKind.BOOTH, AssetKind.BIN, AssetKind.TRANSFER_ROOM, AssetKind.BAG)
SHARED_KINDS = (AssetKind.VEHICLE, AssetKind.FACILITY)
PHOTO_SIZE = (1200, 900)  # about 1 MP: a phone's reduced upload, decoded in ~15 ms
LABEL_DPI = 250
RETAKES = 3


@dataclass(frozen=True)
class Sheet:
    """One written PDF and how many labels it holds."""

    path: Path
    labels: int


def sheet_count(db: Database, villages: list[str]) -> int:
    """How many labels ``write_sheets`` will print for these villages."""
    stmt = (select(func.count()).select_from(Asset)
            .outerjoin(Village, Village.id == Asset.village_id)
            .where(or_(Asset.kind.in_([k.value for k in SHARED_KINDS]),
                       and_(Village.name.in_(villages),
                            Asset.kind.in_([k.value for k in VILLAGE_KINDS])))))
    with db.read() as session:
        return session.scalar(stmt)


def write_sheets(db: Database, settings: Settings, villages: list[str], out_dir: Path,
                 progress: Callable[[int], None] | None = None) -> list[Sheet]:
    """Print every label of these villages and the shared kinds; ``progress`` gets labels done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(v, k, out_dir / f"{v}-{k.value}.pdf") for v in villages for k in VILLAGE_KINDS]
    jobs += [(None, k, out_dir / f"{k.value}.pdf") for k in SHARED_KINDS]
    sheets: list[Sheet] = []
    done = 0
    for village, kind, path in jobs:
        try:
            count = label_sheets.reprint(
                db, settings, village=village, kind=kind, out=path,
                progress=(lambda n, base=done: progress(base + n)) if progress else None)
        except UnknownAsset:  # a village without this kind: no sheet rather than an empty one
            continue
        done += count
        sheets.append(Sheet(path, count))
    return sheets


class DemoCamera:
    """A collector's phone: photographs a handover's two labels and uploads the photo.

    The upload goes through ``scans.submit`` as a phone's would, at the simulated
    server time, with an idempotency key made from the handover: a photo the
    scanner cannot read is kept as a refused scan attempt and retaken.
    """

    def __init__(self, db: Database, settings: Settings, size: tuple[int, int] = PHOTO_SIZE):
        self.db, self.size = db, size
        self.scheme = label_sheets.identity(settings)
        self.scanning = scans.Scanning(db, PhotoStore(settings.data_dir / "photos"),
                                       scanners.read_photo, self.scheme)
        self.photos = self.retakes = self.failed = 0
        self.seconds = 0.0

    def __call__(self, draft: HandoverDraft, server_time: datetime) -> RecordedHandover | None:
        """The handover recorded from its photo, or None when the phone could not get one.

        None also when the photo could not stand for this very handover (a move the
        scan service would read differently); the caller then records the draft
        without a photo.
        """
        started = time.perf_counter()
        try:
            kinds = {a: AssetKind(labels.split_asset_id(a)[0]) for a in (draft.source, draft.dest)}
            action = expected_action(kinds[draft.source], kinds[draft.dest])
            try:
                if action is None or plan_moves(action, kinds) != [Move(draft.source, draft.dest)]:
                    return None
            except ScanNotUnderstood:
                return None
            found = label_sheets.label_data(self.db, self.scheme, [draft.source, draft.dest])
            artwork = [found[draft.source], found[draft.dest]]
            scanning = replace(self.scanning, clock=lambda: server_time)
            seed = f"{draft.source}>{draft.dest}@{draft.device_time.isoformat()}"
            for attempt in range(RETAKES):
                photo = photograph(artwork, random.Random(f"{seed}#{attempt}"),
                                   draft.device_time, draft.point, self.size)
                answer = scans.submit(scanning, scans.ScanRequest(
                    actor_id=draft.actor_id, role=draft.role, device_id=None,
                    idempotency_key=f"demo {seed}#{attempt}", action=action, photo=photo,
                    weight_kg=draft.weight_kg, category=draft.category,
                    client_time=draft.device_time, point=draft.point, note=draft.note))
                if answer.status == 201:
                    self.photos += 1
                    (recorded,) = answer.body["handovers"]
                    return RecordedHandover(
                        recorded["seq"], recorded["hash"], recorded["source"], recorded["dest"],
                        recorded["action"], tuple(recorded["flags"]), server_time)
                self.retakes += 1
            self.failed += 1
            return None
        finally:
            self.seconds += time.perf_counter() - started


def photograph(artwork: list[labels.LabelData], rng: random.Random, taken: datetime,
               point: Point | None, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A phone photo (JPEG with EXIF) of these labels side by side on a textured surface."""
    gen = np.random.default_rng(rng.getrandbits(64))
    w, h = size
    frame = _surface(gen, w, h)
    for i, label in enumerate(artwork):
        card = _artwork(label)
        centre = (w * ((i + 0.5) / len(artwork) + rng.uniform(-0.03, 0.03)),
                  h * rng.uniform(0.4, 0.6))
        _place(frame, card, centre, w * rng.uniform(0.34, 0.4) * 2 / len(artwork),
               rng.uniform(-10, 10), rng.uniform(0, 0.12), gen)
    light = cv2.resize(np.repeat(gen.uniform(0.8, 1.1, (3, 3, 1)), 3, axis=2).astype(np.float32),
                       (w, h), interpolation=cv2.INTER_LINEAR)
    frame = cv2.multiply(frame, light, dtype=cv2.CV_8U)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.6)
    grain = gen.integers(0, 2 * rng.randint(3, 6) + 1, (h, w), dtype=np.uint8)
    frame = cv2.subtract(cv2.add(frame, cv2.merge([grain] * 3)), int(grain.max()) // 2)
    out = io.BytesIO()
    Image.fromarray(frame).save(out, "JPEG", quality=rng.randint(75, 88),
                                exif=_exif(taken, point))
    return out.getvalue()


@lru_cache(maxsize=256)  # bins, carts and rooms are photographed again and again
def _artwork(label: labels.LabelData) -> np.ndarray:
    """The printed label as RGB pixels, drawn by ``labels.png_label``."""
    return np.asarray(Image.open(io.BytesIO(labels.png_label(label, dpi=LABEL_DPI,
                                                             catalog=label_sheets.CATALOG)))
                      .convert("RGB"))


def _surface(gen: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A bin lid, a bag or a truck's side: a base colour with blotches at two scales."""
    small = (max(2, w // 30), max(2, h // 30))
    coarse = cv2.resize(gen.normal(0, 18, (3, 4, 1)).astype(np.float32), small,
                        interpolation=cv2.INTER_CUBIC)
    shade = coarse + gen.normal(0, 8, (small[1], small[0])).astype(np.float32)
    colour = gen.uniform(40, 170, 3).astype(np.float32) + shade[..., None]
    return cv2.resize(np.clip(colour, 0, 255).astype(np.uint8), (w, h),
                      interpolation=cv2.INTER_LINEAR)


def _place(frame: np.ndarray, card: np.ndarray, centre: tuple[float, float], width: float,
           angle: float, tilt: float, gen: np.random.Generator) -> None:
    """Warp a label into the frame, rotated and seen slightly from one side, in place."""
    card_h, card_w = card.shape[:2]
    half_w, half_h = width / 2, width * card_h / card_w / 2
    quad = np.float32([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]])
    quad[:, 0] *= 1 + tilt * np.sign(quad[:, 1])  # keystone: the far edge looks shorter
    quad += gen.normal(0, width * 0.005, quad.shape).astype(np.float32)
    a = np.deg2rad(angle)
    turn = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = np.float32([[0, 0], [card_w, 0], [card_w, card_h], [0, card_h]])
    m = cv2.getPerspectiveTransform(corners, quad @ turn.T + np.float32(centre))
    cv2.warpPerspective(card, m, (frame.shape[1], frame.shape[0]), dst=frame,
                        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)


def _exif(taken: datetime, point: Point | None) -> bytes:
    """A budget phone's EXIF: camera, local capture time with its offset, and GPS."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Xiaomi", "Redmi 12C"
    offset = taken.strftime("%z")
    exif.get_ifd(0x8769).update({0x9003: taken.strftime("%Y:%m:%d %H:%M:%S"),
                                 0x9011: f"{offset[:3]}:{offset[3:]}"})
    if point is not None:
        exif.get_ifd(0x8825).update({1: "N" if point.lat >= 0 else "S", 2: _dms(point.lat),
                                     3: "E" if point.lon >= 0 else "W", 4: _dms(point.lon)})
    return exif.tobytes()


def _dms(degrees: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees as EXIF's degrees, minutes and seconds (to a thousandth of a second)."""
    value = abs(degrees)
    d, rest = int(value), (value - int(value)) * 60
    m = int(rest)
    return Fraction(d), Fraction(m), Fraction(round((rest - m) * 60 * 1000), 1000)
