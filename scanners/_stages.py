"""What each cascade stage does to one photo: read, retry crops, follow bent grids.

``_decode`` decides which stages run and in what order; these functions do
the work and record it on the ``Scan``: codes (deduplicated by place) and the
symbols an engine saw but could not decode.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from itertools import islice

import cv2
import numpy as np

from . import _mesh, _restore
from ._base import Decoded, Engine, Points
from ._scan import Scan

__all__ = ["bent", "clahe", "crops", "deblur", "read"]

log = logging.getLogger("scanners")

MAX_CROPS = 8  # undecoded symbols retried per photo; more is noise, not codes
MAX_DEBLUR = 2  # ... deconvolved: ~6 ms a disc on a 400 px crop
CROP_TARGET = 400  # px: a crop is enlarged until its long side is about this


def _scaled(found: Sequence[Decoded], scale: float, dx: float = 0, dy: float = 0
            ) -> list[Decoded]:
    """Map corner points from a resized or cropped image back to the photo."""
    return [Decoded(d.text, tuple((x * scale + dx, y * scale + dy) for x, y in d.points),
                    d.engine) for d in found]


def read(scan: Scan, engine: Engine, gray: np.ndarray, scale: float = 1.0,
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


def clahe(gray: np.ndarray) -> np.ndarray:
    """Local contrast equalisation: shadows, glare and washed-out prints."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _threshold(gray: np.ndarray) -> np.ndarray:
    """Adaptive threshold over about a module: uneven light and dirt, for zbar."""
    block = max(11, (max(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                 block, 4)


def _box(quad: Points, shape: tuple[int, ...]) -> tuple[int, int, int, int, float]:
    """The crop around a symbol with its quiet zone: x0, y0, x1, y1 and the symbol's side."""
    h, w = shape[:2]
    xs, ys = zip(*quad, strict=True)
    side = max(max(xs) - min(xs), max(ys) - min(ys), 8.0)
    x0, y0 = int(max(0, min(xs) - side * 0.3)), int(max(0, min(ys) - side * 0.3))
    x1, y1 = int(min(w, max(xs) + side * 0.3)), int(min(h, max(ys) + side * 0.3))
    return x0, y0, x1, y1, side


def crops(scan: Scan, primary: Engine, zbars: Sequence[Engine]) -> None:
    """Retry each uncovered undecoded symbol in an enlarged crop: zxing, then zbar."""
    full = scan.photo.gray(1)
    for quad in scan.uncovered()[:MAX_CROPS]:
        if not scan.uncovered() or quad not in scan.uncovered():
            continue  # read meanwhile by an earlier crop
        x0, y0, x1, y1, _ = _box(quad, full.shape)
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        crop = full[y0:y1, x0:x1]
        k = min(4.0, max(1.0, CROP_TARGET / max(crop.shape)))
        big = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC) if k > 1 else crop
        before = len(scan.codes)
        read(scan, primary, big, 1 / k, x0, y0)
        for zbar in zbars:
            for image in (big, _threshold(big)):
                if len(scan.codes) > before:
                    break
                read(scan, zbar, image, 1 / k, x0, y0)


def _untried(scan: Scan, quads: Sequence[Points]) -> Iterator[Points]:
    """Each quad still unread when its turn comes, one per place (a symbol seen twice is
    tried once); lazy, so what an earlier quad's retry read is skipped."""
    tried: list[Points] = []
    for quad in quads:
        if quad in scan.uncovered() and not any(_mesh.same_place(quad, t) for t in tried):
            tried.append(quad)
            yield quad


def bent(scan: Scan, primary: Engine) -> None:
    """Read each uncovered symbol again along its own bent module grid (``_mesh``)."""
    full = scan.photo.gray(1)
    for quad in _untried(scan, scan.uncovered()[:MAX_CROPS]):
        for drawing in _mesh.grids(full, quad):
            text = primary.read_pure(drawing)
            if text:
                scan.add([Decoded(text, tuple(quad), primary.name)])
                break


def deblur(scan: Scan, primary: Engine) -> None:
    """Read each uncovered symbol again, its 400 px crop deconvolved by defocus discs."""
    if id(primary) in scan.broken:
        return
    full = scan.photo.gray(1)
    plausible = [q for q in scan.uncovered() if _mesh.plausible(q)][:MAX_CROPS]
    for quad in islice(_untried(scan, plausible), MAX_DEBLUR):
        x0, y0, x1, y1, side = _box(quad, full.shape)
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        k = CROP_TARGET / max(x1 - x0, y1 - y0)
        crop = cv2.resize(full[y0:y1, x0:x1], None, fx=k, fy=k,
                          interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)
        for image in _restore.deblurred(crop, side * k):
            found = [c for c in primary.read(image) if c.text]
            if found:  # only codes: symbols seen in a deconvolved crop are its ringing
                scan.add(_scaled(found, 1 / k, x0, y0))
                break
