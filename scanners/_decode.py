"""The cascade: zxing-cpp on the full photo first, then fallbacks only while they can pay.

Stages, in order, and why each is there. Three measurements per stage: the
issue's ("issue", a held-out set of real phone photos, issue 18); "real": the
ZXing project's own phone photos and the other real photos of
``sample_images/real`` (``tune`` split, 67 codes; its ``holdout`` split is never
tuned on); "generated": ``sample_images/large/holdout`` (6 photos a class, 122 codes).
Gains are codes the stage read and no earlier one did (``benchmarks/scan.py``,
column "read by stage"):

1. ``full``: zxing-cpp on the full-resolution grey image with its own
   downscaled passes. Issue: 80 %; starting from a 1000 px image read 60 %, so
   nothing here reduces the photo first. Real: 62 of 67 (92.5 %), as one plain
   zxing-cpp call. Generated: 77 (63 %), as one plain call.
2. ``crops``: each symbol zxing saw but could not decode, cut out with its
   quiet zone, enlarged and read again by zxing, then by zbar on the plain
   crop and on an adaptive threshold. Issue: +1 to +2 points for a few ms.
   Real: +1 (a code on a folded T-shirt, read by zbar on the plain crop; the
   thresholded crop alone did not read it). Generated: +13 (lots +9,
   perspective +2, curved +1, shadows +1).
3. ``whole``: the other engines on the whole photo -- OpenCV's WeChat CNN
   detector with super-resolution. Issue: +5 to +10 points, mostly the hard
   classes. Real: +0 (it ran on the 4 photos left, all on folded cloth, and
   read none). Generated: +4 (blurred, damaged, lots, rotations). It costs
   ~7 ms where it finds nothing, 20-80 ms where it finds a symbol it cannot read.
4. ``gamma``: a brightening lookup of the half-size image, for dark photos
   only (median grey below 60). Issue: +3 to +4 points on very dark real
   exposures. Real: +0 (no dark photo among them). A label at about -4.5 EV
   with a lamp in the frame is read only here (``tests/scanners/test_scanner_real.py``).
   Generated: +0 (its dark class is all read by the full pass).
5. ``clahe``: local contrast equalisation of the half-size image. Issue: +3 to
   +4 points (shadows, glare, washed-out print). Real: +0. Generated: +1 (motion).

Stages after the first run only while nothing is read or while zxing reports
symbols at places no read code covers: stopping at the first read loses the
second code of a photo (a bag and its bin: 23 % instead of ~100 % on real
many-code photos), running every stage costs three times as much.

Time budget, in units of the photo's own full zxing pass, from measured costs
(median CPU on ``large/holdout``: a full pass ~2.4 ms per megapixel; CLAHE's
half-size stage ~1.2 passes, more on textured backgrounds it turns into
finder-like blobs, so 1.5; gamma's ~0.3, so 0.5; the WeChat CNN a fixed ~20 ms,
what a full pass costs on ~8-9 MP, because its input is ~400 x 400 px). A
fallback starts only if the photo's total stays within 3 passes where nothing
was seen at all, 6 where a symbol was seen -- but never less than 12 MP of
passes there (~11 ms): on a small photo a pass costs so little that 6 of them
would never let the CNN look at a symbol zxing saw and could not read. So on
a 2048 px upload where zxing saw nothing, WeChat (3 passes there by itself,
~2.5 measured) is left out and CLAHE
(and gamma, if dark) run; on a 12 MP photo WeChat runs and CLAHE does not
fit. The budget is a cost model, not a clock: the same photo always gets the
same stages and the same answer, whatever the machine's load. Decoding the
file is outside it.

Left out on purpose: GlobalHistogram binarisation at half scale and
LocalAverage at quarter scale returned a wrong text for a real photo;
sharpening, single colour channels and upscaling whole images read nothing
more; nor did grey erosion of the crops (tried on the real photos of folded
cloth). Codes are deduplicated by position (``_scan``), not text: two symbols
at two places are two reads even with one text; one symbol read twice is one
read, and a later stage that reads another text where a code was already read
is dropped.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from . import _mesh
from ._base import Decoded, Engine, Points
from ._engines import ZbarEngine, default_engines
from ._image import DEFAULT_MAX_PIXELS, Photo, open_photo
from ._metadata import PhotoMetadata
from ._scan import Scan as _Scan

__all__ = ["PhotoContents", "decode", "read_photo"]

log = logging.getLogger("scanners")

MAX_CROPS = 8  # undecoded symbols retried per photo; more is noise, not codes
CROP_TARGET = 400  # px: a crop is enlarged until its long side is about this
DARK_MEDIAN = 60  # a half-size image darker than this (median grey) gets the gamma stage
BUDGET_NONE = 3.0  # what a photo where nothing is seen may cost, in full zxing passes
BUDGET_SEEN = 6.0  # ... where zxing saw a symbol, or read one and another is left
SEEN_FLOOR_MP = 12.0  # ... but never less than this (in megapixels of a full pass): a small
# photo with a symbol seen can afford one CNN call (~7 ms) and the half-size stages
WHOLE_SIDE = 2048  # px: the long side of the image the other engines (WeChat) look at
HALF_COST = {"gamma": 0.5, "clahe": 1.5}  # a half-size stage, in full passes (measured)
_GAMMA = (255 * (np.arange(256) / 255) ** 0.45).astype(np.uint8)


def _scaled(found: Sequence[Decoded], scale: float, dx: float = 0, dy: float = 0
            ) -> list[Decoded]:
    """Map corner points from a resized or cropped image back to the photo."""
    return [Decoded(d.text, tuple((x * scale + dx, y * scale + dy) for x, y in d.points),
                    d.engine) for d in found]


def _read(scan: _Scan, engine: Engine, gray: np.ndarray, scale: float = 1.0,
          dx: float = 0, dy: float = 0) -> list[Decoded]:
    """One engine on one image; its codes and unread symbols mapped to the photo."""
    if id(engine) in scan.broken:
        return []
    try:
        found = engine.read(gray)
    except MemoryError:
        raise  # the photo is too much for this process, not a broken engine
    except Exception:
        log.warning("scanner engine %s failed; skipping it", engine.name, exc_info=True)
        scan.broken.add(id(engine))
        return []
    for quad in getattr(found, "unread", ()):
        scan.unread.append(tuple((x * scale + dx, y * scale + dy) for x, y in quad))
    codes = _scaled(found, scale, dx, dy)
    scan.add(codes)
    return codes


def _clahe(gray: np.ndarray) -> np.ndarray:
    """Local contrast equalisation: shadows, glare and washed-out prints."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _threshold(gray: np.ndarray) -> np.ndarray:
    """Adaptive threshold over about a module: uneven light and dirt, for zbar."""
    block = max(11, (max(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                 block, 4)


def _crops(scan: _Scan, primary: Engine, zbars: Sequence[Engine]) -> None:
    """Retry each uncovered undecoded symbol in an enlarged crop: zxing, then zbar."""
    full = scan.photo.gray(1)
    h, w = full.shape
    for quad in scan.uncovered()[:MAX_CROPS]:
        if not scan.uncovered() or quad not in scan.uncovered():
            continue  # read meanwhile by an earlier crop
        xs, ys = zip(*quad, strict=True)
        side = max(max(xs) - min(xs), max(ys) - min(ys), 8.0)
        x0, y0 = int(max(0, min(xs) - side * 0.3)), int(max(0, min(ys) - side * 0.3))
        x1, y1 = int(min(w, max(xs) + side * 0.3)), int(min(h, max(ys) + side * 0.3))
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        crop = full[y0:y1, x0:x1]
        k = min(4.0, max(1.0, CROP_TARGET / max(crop.shape)))
        big = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC) if k > 1 else crop
        before = len(scan.codes)
        _read(scan, primary, big, 1 / k, x0, y0)
        for zbar in zbars:
            for image in (big, _threshold(big)):
                if len(scan.codes) > before:
                    break
                _read(scan, zbar, image, 1 / k, x0, y0)


def _bent(scan: _Scan, primary: Engine) -> None:
    """Read each uncovered symbol again along its own bent module grid (``_mesh``)."""
    full = scan.photo.gray(1)
    tried: list[Points] = []
    for quad in scan.uncovered()[:MAX_CROPS]:
        if quad not in scan.uncovered() or any(_mesh.same_place(quad, t) for t in tried):
            continue  # read meanwhile, or the same symbol seen twice
        tried.append(quad)
        for drawing in _mesh.grids(full, quad):
            text = primary.read_pure(drawing)
            if text:
                scan.add([Decoded(text, tuple(quad), primary.name)])
                break


def _reduction(size: tuple[int, int], side: int) -> int:
    """The JPEG reduction (1, 2, 4, 8) that brings the long side down to about ``side`` px."""
    for r in (1, 2, 4):
        if max(size) / r <= side * 1.1:
            return r
    return 8


def plan(engines: Sequence[Engine]) -> list[tuple[str, Engine | None]]:
    """The stages in order: (name, engine); ``crops`` uses the first engine and every zbar."""
    primary, others = engines[0], engines[1:]
    whole = [e for e in others if not isinstance(e, ZbarEngine)]
    bent = [("mesh", primary)] if hasattr(primary, "read_pure") else []
    return ([("full", primary), ("crops", None)] + bent + [("whole", e) for e in whole]
            + [("gamma", primary), ("clahe", primary)])


def _cost(name: str, engine: Engine | None, megapixels: float) -> float:
    """What a stage costs on this photo, in full zxing passes (measured medians)."""
    if name in HALF_COST:
        return HALF_COST[name]
    if name in ("crops", "mesh"):
        return 0.0  # a few small crops, only where a symbol was seen
    return getattr(engine, "cost_mp", 0.0) / max(megapixels, 0.01)


def cascade(photo: Photo, engines: Sequence[Engine]) -> _Scan:
    """Run the stages until done or out of budget; the scan says what was read and how."""
    scan = _Scan(photo)
    zbars = [e for e in engines[1:] if isinstance(e, ZbarEngine)]
    megapixels = photo.size[0] * photo.size[1] / 1e6
    spent = 0.0
    for name, engine in plan(engines):
        if scan.stages:
            if scan.done():
                break
            symbols = [q for q in scan.uncovered() if _mesh.plausible(q)]
            if name != "crops" and scan.codes and not symbols:
                break  # only slivers left: finder patterns zxing paired across symbols
            if (name == "crops" and not scan.uncovered()) or (name == "mesh" and not symbols):
                continue
            cost = _cost(name, engine, megapixels)
            limit = (max(BUDGET_SEEN, SEEN_FLOOR_MP / megapixels) if scan.codes or symbols
                     else BUDGET_NONE)
            if spent + cost > limit:
                scan.skipped.append(name)
                continue
        half = photo.gray(2) if name in ("clahe", "gamma") else None
        if name == "gamma" and np.median(half[::4, ::4]) >= DARK_MEDIAN:
            continue
        scan.stages.append(name)
        spent += 1.0 if name == "full" else _cost(name, engine, megapixels)
        if name == "full":
            _read(scan, engine, photo.gray(1))
        elif name == "whole":
            r = _reduction(photo.size, WHOLE_SIDE)
            _read(scan, engine, photo.gray(r), float(r))
        elif name == "crops":
            _crops(scan, engines[0], zbars)
        elif name == "mesh":
            _bent(scan, engine)
        elif name == "clahe":
            _read(scan, engine, _clahe(half), 2.0)
        elif name == "gamma":
            _read(scan, engine, cv2.LUT(half, _GAMMA), 2.0)
    return scan


def run_cascade(photo: Photo, engines: Sequence[Engine]) -> tuple[list[Decoded], list[str]]:
    """The codes of a photo and the names of the stages that ran."""
    scan = cascade(photo, engines)
    return scan.codes, scan.stages


@functools.cache
def _shared_engines() -> tuple[Engine, ...]:
    """The default engines, built once per process."""
    return tuple(default_engines())


def _engines(engines: Sequence[Engine] | None) -> list[Engine]:
    """The engines asked for, else the shared default ones."""
    chosen = list(engines) if engines is not None else list(_shared_engines())
    if not chosen:
        raise RuntimeError("no QR decoder engine could be loaded")
    return chosen


def decode(
    image: bytes | np.ndarray,
    *,
    engines: Sequence[Engine] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[Decoded]:
    """Return every QR code in a photo (file bytes or a gray/BGR array), one per place."""
    if isinstance(image, np.ndarray):
        photo = Photo.from_array(image)
    else:
        photo = open_photo(bytes(image), max_pixels)
    return run_cascade(photo, _engines(engines))[0]


@dataclass(frozen=True, slots=True)
class PhotoContents:
    """What a photo file holds: its QR codes and what its EXIF says."""

    codes: list[Decoded]
    metadata: PhotoMetadata


def read_photo(
    image: bytes,
    *,
    engines: Sequence[Engine] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PhotoContents:
    """The codes in a photo file and its EXIF metadata, from one reading of its header.

    A scan needs both; reading them together spares a second parse of the file.
    """
    photo = open_photo(bytes(image), max_pixels)
    codes = run_cascade(photo, _engines(engines))[0]
    return PhotoContents(codes, photo.metadata)
