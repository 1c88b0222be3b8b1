"""The cascade: cheap stages first, expensive fallbacks only when they find nothing.

Stage order (measured with ``benchmarks/scan.py``):

1. the first engine on a reduced image (long side about 1000 px): finds nearly
   every code in a phone photo at a fraction of the cost of a full decode;
2. the first engine at finer reductions down to full resolution, so a small
   code in a 12 MP frame is still found;
3. the other engines on the working image and at full resolution;
4. image fixes -- contrast equalisation (CLAHE), sharpening, adaptive
   threshold, inversion, a coarser pyramid level -- with every engine.

The first stage that reads anything wins; codes are deduplicated by text.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ._engines import Decoded, Engine, default_engines
from ._image import DEFAULT_MAX_PIXELS, Photo, open_photo
from ._metadata import PhotoMetadata

__all__ = ["PhotoContents", "decode", "read_photo", "stages"]

log = logging.getLogger("scanners")

FAST_LONG_SIDE = 1000  # the cheap stage's working size; a label is ~3 px/module here


def _clahe(gray: np.ndarray) -> np.ndarray:
    """Local contrast equalisation: rescues low light, shadow and glare."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _sharpen(gray: np.ndarray) -> np.ndarray:
    """Unsharp mask: rescues mild focus and motion blur."""
    blur = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 1.8, blur, -0.8, 0)


def _threshold(gray: np.ndarray) -> np.ndarray:
    """Adaptive threshold over a window of about a module: rescues uneven light and dirt."""
    block = max(15, (max(gray.shape) // 60) | 1)
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5
    )


def _invert(gray: np.ndarray) -> np.ndarray:
    """Light-on-dark codes, for engines that do not try it themselves."""
    return cv2.bitwise_not(gray)


def _plain(gray: np.ndarray) -> np.ndarray:
    """The image as decoded."""
    return gray


FIXES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "clahe": _clahe,
    "sharpen": _sharpen,
    "threshold": _threshold,
    "invert": _invert,
}

Stage = tuple[int, str, Engine]


def _fast_reduction(photo: Photo) -> int:
    """The largest power-of-two reduction that keeps the long side >= FAST_LONG_SIDE."""
    long_side, reduction = max(photo.size), 1
    while reduction < 8 and long_side // (reduction * 2) >= FAST_LONG_SIDE:
        reduction *= 2
    return reduction


def stages(photo: Photo, engines: Sequence[Engine]) -> Iterator[Stage]:
    """Yield (reduction, fix, engine) in cascade order, without repeats."""
    fast = _fast_reduction(photo)
    first, others = engines[0], list(engines[1:])
    plan: list[Stage] = []
    r = fast
    while r >= 1:
        plan.append((r, "plain", first))
        r //= 2
    mid = max(1, fast // 2)
    plan += [(fast, "plain", e) for e in others] + [(mid, "plain", e) for e in others]
    for fix in FIXES:
        plan += [(fast, fix, e) for e in engines]
    if max(photo.size) // (fast * 2) >= 300:
        plan += [(fast * 2, "plain", e) for e in engines]
    plan += [(1, fix, first) for fix in ("clahe", "sharpen")]
    seen: set[tuple[int, str, int]] = set()
    for stage in plan:
        key = (stage[0], stage[1], id(stage[2]))
        if key not in seen:
            seen.add(key)
            yield stage


def _scaled(found: list[Decoded], reduction: int) -> list[Decoded]:
    """Map corner points from a reduced image back to the photo."""
    if reduction == 1:
        return found
    return [
        Decoded(d.text, tuple((x * reduction, y * reduction) for x, y in d.points), d.engine)
        for d in found
    ]


def run_cascade(photo: Photo, engines: Sequence[Engine]) -> tuple[list[Decoded], Stage | None]:
    """Run stages until one reads a code; return the codes and the winning stage."""
    broken: set[int] = set()
    fixed: dict[tuple[int, str], np.ndarray] = {}
    for stage in stages(photo, engines):
        reduction, fix, engine = stage
        if id(engine) in broken:
            continue
        key = (reduction, fix)
        if key not in fixed:
            fixed[key] = FIXES.get(fix, _plain)(photo.gray(reduction))
        try:
            found = engine.read(fixed[key])
        except MemoryError:
            raise  # the photo is too much for this process, not a broken engine
        except Exception:
            log.warning("scanner engine %s failed; skipping it", engine.name, exc_info=True)
            broken.add(id(engine))
            continue
        if found:
            codes = _scaled(found, reduction)
            if getattr(found, "suspects", 0) and reduction > 1:
                codes += _finer(photo, engine, reduction)
            unique: dict[str, Decoded] = {}
            for d in codes:
                unique.setdefault(d.text, d)
            return list(unique.values()), stage
    return [], None


def _finer(photo: Photo, engine: Engine, reduction: int) -> list[Decoded]:
    """Codes an engine reads at finer reductions, while it still sees symbols it cannot read.

    One code read and another only seen (a bin further away than the bag) is
    the multi-code case where stopping at the first success would lose a code.
    """
    codes: list[Decoded] = []
    while reduction > 1:
        reduction //= 2
        try:
            found = engine.read(photo.gray(reduction))
        except MemoryError:
            raise
        except Exception:
            return codes
        codes += _scaled(found, reduction)
        if not getattr(found, "suspects", 0):
            break
    return codes


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
    """Return every QR code in a photo (file bytes or a gray/BGR array), unique by text."""
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
