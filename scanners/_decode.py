"""The cascade: zxing-cpp on the full photo first, then fallbacks only while they can pay.

Stages, in order, and why each is there. Measurements per stage: the issue's
("issue": a held-out set of real phone photos, issue 18, not ours); "real": the
ZXing project's phone photos and the other real photos of ``sample_images/real``,
``tune`` split (67 codes; the ``holdout`` split is never tuned on); "generated":
``sample_images/large/tune`` from the harsher generator (severity 0..1 a photo;
6 photos a class, 159 codes). Gains are codes the
stage read and no earlier one did (``benchmarks/scan.py``, "read by stage").
Costs are CPU time on the 2-core machine, where a full zxing pass takes ~1 ms a
megapixel (3 ms on a 3 MP photo, 11 ms on 12 MP):

1. ``full``: zxing-cpp on the full-resolution grey image with its own
   downscaled passes. Issue: 80 %; starting from a 1000 px image read 60 %, so
   nothing here reduces the photo first. Real: 62 of 67, as one plain zxing-cpp
   call. Generated: 106 of 159, as one plain call.
2. ``crops``: each symbol zxing saw but could not decode, cut out with its
   quiet zone, enlarged and read again by zxing, then by zbar on the plain
   crop and on an adaptive threshold (``_stages``). Issue: +1 to +2 points.
   Real: +1 (a folded T-shirt, by zbar). Generated: +7 (lots 3, damaged, glare,
   perspective, small). A few ms. It also tries the slivers zxing makes by pairing
   finder patterns across symbols: their crops read real codes too.
3. ``mesh``: each plausible symbol still unread resampled flat and its module
   grid followed where the print bends, then drawn clean for zxing's pure mode
   (``_mesh``): curved bags, folded fabric. Real: +3 (folded T-shirts; cloth
   20 -> 23 of 24). Generated: +0 (its curved class fails where zxing locates
   no symbol, or on blur and washed-out print rather than on the bend). 1-3 ms
   a symbol.
4. ``deblur``: up to two plausible symbols still unread, their crops scaled to
   400 px and Wiener-deconvolved in linear light by defocus discs of 1/40 and
   1/24 of the symbol's side (``_restore``), read again by zxing. Real: +0.
   Generated: +1 (a strongly defocused label). 4-12 ms a symbol, 7-24 ms where
   it ran (9 of the 160 tune photos). Most strong motion blur and glare is not
   reached: zxing locates no symbol there, so no crop is made.
5. ``whole``: the other engines on the whole photo -- OpenCV's WeChat CNN
   detector with super-resolution -- at full size up to 2048 px, halved above
   (small codes keep their pixels; full size on 12 MP read nothing more on
   either tune set). Issue: +5 to +10 points, mostly the hard classes. Real: +0.
   Generated: +1 (dark). ~8 ms where it finds nothing; where it finds a symbol it
   cannot read, 35-60 ms (36-90 on a full-size 12 MP image).
6. ``gamma``: a brightening lookup of the half-size image, for dark photos
   only (median grey below 60). Issue: +3 to +4 points on very dark real
   exposures. Real and generated: +0 (their dark photos are read by the full
   pass). A label at about -4.5 EV with a lamp in the frame is read only here
   (``tests/scanners/test_scanner_real.py``). ~0.3-0.6 of a full pass.
7. ``clahe``: local contrast equalisation of the half-size image. Issue: +3 to
   +4 points (shadows, glare, washed-out print). Real and generated: +0.
   ~1-1.6 full passes.

Stages after the first run only while nothing is read or while a symbol zxing
saw lies where no read code does: stopping at the first read loses the second
code of a photo (a bag and its bin: 23 % instead of ~100 % on real many-code
photos), running every stage costs three times as much. Once a code is read,
slivers (a quad with one side over twice another) earn the cheap crops only:
on the old generator's tune set that cut the CPU median from 2.25 to 1.86 times the
file's decoding, and the p95 from 80 to 50 ms, with no read lost.

Time budget, in units of the photo's own full zxing pass (the CNN's fixed cost,
~8 ms where it finds nothing, is ``cost_mp`` megapixels of a pass; crops, mesh and
deblur are not counted). Gamma 0.6 and CLAHE 1.6 passes are the most measured
(CPU, fastest of 21, 60 no-code photos 0.02-12 MP, plain and darkened to a
quarter and an eighth), the half-size conversion included, plus 0.05 MP of a
pass each for fixed costs (~35 us: on a 0.03 MP photo CLAHE alone costs more
than the pass). A fallback starts only if the photo's total stays within 3
passes where nothing was seen at all, 6.5 where a symbol was seen -- but never
less than 12 MP of passes there: on a small photo a pass costs so little that
6.5 of them would never let the CNN look at a symbol zxing saw and could not
read. So on a 2048 px upload where zxing saw nothing, WeChat is left out and
CLAHE runs, or gamma if dark (a dark photo's own pass is cheap, and gamma and
CLAHE together measured up to 4 passes); on a 12 MP photo WeChat runs and
CLAHE does not fit; below ~0.13 MP only the full pass runs. Measured so, the
most a photo without a code cost was 2.8 passes. The budget is a cost model,
not a clock: the same photo always gets the same stages and the same answer,
whatever the machine's load. Decoding the file is outside it.

Left out on purpose: GlobalHistogram binarisation at half scale and
LocalAverage at quarter scale returned a wrong text for a real photo;
sharpening, single colour channels and upscaling whole images read nothing
more; nor did grey erosion of the crops (tried on the real photos of folded
cloth), a fixed family of cylinder un-warps of the located symbol (two axes,
two curvatures, four bows: nothing on the real cloth or the committed curved
photos, ~3 ms a model), a second grid-following round in ``mesh``; nor, on
the crops of located symbols (generated and real tune), Wiener deconvolution
by straight motion paths (1/16 and 1/10 of the side) along the two directions
where the crop's spectrum lost most, inpainting clipped highlights
(``cv2.inpaint``), dividing out a large-blur background, or zxing's
GlobalHistogram and FixedThreshold binarizers (one read, already deblur's). Codes
are deduplicated by position (``_scan``), not text: two symbols at two places
are two reads even with one text; one symbol read twice is one read, and a
later stage that reads another text where a code was already read is dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from . import _mesh
from ._base import Decoded, Engine
from ._engines import ZbarEngine, default_engines
from ._image import DEFAULT_MAX_PIXELS, Photo, open_photo
from ._metadata import PhotoMetadata
from ._scan import Scan as _Scan
from ._stages import bent, clahe, crops, deblur, read

__all__ = ["PhotoContents", "decode", "read_photo"]


DARK_MEDIAN = 60  # a half-size image darker than this (median grey) gets the gamma stage
BUDGET_NONE = 3.0  # what a photo where nothing is seen may cost, in full zxing passes
BUDGET_SEEN = 6.5  # ... where zxing saw a symbol, or read one and another is left
SEEN_FLOOR_MP = 12.0  # ... but never less than this (in megapixels of a full pass): a small
# photo with a symbol seen can afford one CNN call (~7 ms) and the half-size stages
WHOLE_SIDE = 2048  # px: the long side of the image the other engines (WeChat) look at
HALF_COST = {"gamma": 0.6, "clahe": 1.6}  # a half-size stage, in full passes (the most measured)
HALF_FIXED_MP = 0.05  # ... plus its fixed costs (tables, conversions: ~35 us), in MP of a pass
_GAMMA = (255 * (np.arange(256) / 255) ** 0.45).astype(np.uint8)


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
    return ([("full", primary), ("crops", None)] + bent + [("deblur", primary)]
            + [("whole", e) for e in whole]
            + [("gamma", primary), ("clahe", primary)])


def _cost(name: str, engine: Engine | None, megapixels: float) -> float:
    """What a stage costs on this photo, in full zxing passes (measured medians)."""
    if name in HALF_COST:
        return HALF_COST[name] + HALF_FIXED_MP / max(megapixels, 0.01)
    if name in ("crops", "mesh", "deblur"):
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
            if (name == "crops" and not scan.uncovered()) or (name in ("mesh", "deblur")
                                                              and not symbols):
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
            read(scan, engine, photo.gray(1))
        elif name == "whole":
            r = _reduction(photo.size, WHOLE_SIDE)
            read(scan, engine, photo.gray(r), float(r))
        elif name == "crops":
            crops(scan, engines[0], zbars)
        elif name == "mesh":
            bent(scan, engine)
        elif name == "deblur":
            deblur(scan, engine)
        elif name == "clahe":
            read(scan, engine, clahe(half), 2.0)
        elif name == "gamma":
            read(scan, engine, cv2.LUT(half, _GAMMA), 2.0)
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
