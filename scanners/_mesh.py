"""Curved and folded labels: follow the module grid where it bends, then read it clean.

zxing samples a symbol on one plane (a homography from its finder and
alignment patterns). On a bag, a bottle or a folded T-shirt the print bends:
the grid drifts off the modules by a module or more between the patterns, and
the symbol does not decode although every module is plain to see.

``grids`` takes a symbol zxing located but could not decode (its four
corners), resamples it flat through their homography at ``K`` px a module, and
then finds where the module edges really are: in a window of a few modules
around each module, the edge strength folded modulo one module gives the
local phase of the grid, i.e. how far it drifted there. Each module is sampled
at its own drifted centre and thresholded against its neighbourhood, and the
modules are drawn as a clean symbol that zxing reads in its pure mode. The
module count is not known, so the versions whose size fits the finder
patterns' are tried. Reed-Solomon error correction (and the BCH-protected
format bits) is what keeps a wrong grid from giving a wrong text: it gives none.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from ._base import Points

__all__ = ["grids", "module_count", "plausible", "same_place"]

K = 6  # px a module in the flat resampling
MARGIN = 2  # modules resampled around the symbol's corners
WINDOW = 2  # the grid's phase at a module is measured over +-WINDOW modules
PURE = 4  # px a module in the clean drawing
ROUNDS = (1,)  # grid-following rounds tried (0: the plane alone; 2+ read nothing more)
VERSIONS = [17 + 4 * v for v in range(1, 11)]  # module counts of QR versions 1-10


def _rectified(gray: np.ndarray, quad: Points, lo: float, hi: float, side: int) -> np.ndarray:
    """A side x side image whose square [lo, hi]^2 is the quad (its corners' homography)."""
    square = np.float32([[lo, lo], [hi, lo], [hi, hi], [lo, hi]])
    h = cv2.getPerspectiveTransform(square, np.float32(quad[:4]))
    return cv2.warpPerspective(gray, h, (side, side), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def _flat(gray: np.ndarray, quad: Points, n: int) -> np.ndarray:
    """The symbol resampled through its corners' homography, K px a module, with a margin."""
    return _rectified(gray, quad, MARGIN * K, (n + MARGIN) * K, (n + 2 * MARGIN) * K)


def _phase(edges: np.ndarray, n: int, anchor: float = 0.0) -> np.ndarray:
    """Drift of the grid (px, along the edges' axis) at each module, from edges across axis 1."""
    side = edges.shape[1]
    cols = np.arange(side)
    angle = 2 * np.pi * (cols % K) / K
    cos, sin = np.cos(angle), np.sin(angle)
    # edge strength per module row band, projected on axis 1
    bands = edges.reshape(n + 2 * MARGIN, K, side).sum(axis=1)
    drift = np.zeros((n, n), np.float32)
    for i in range(n):
        rows = bands[i + MARGIN - WINDOW:i + MARGIN + WINDOW + 1].sum(axis=0)
        c = np.convolve(rows * cos, np.ones((2 * WINDOW + 1) * K), "same")
        s = np.convolve(rows * sin, np.ones((2 * WINDOW + 1) * K), "same")
        centres = ((np.arange(n) + MARGIN) * K + K // 2)
        drift[i] = np.arctan2(s[centres], c[centres])
    # neighbours drift apart by far less than half a module: unwrap along each line, then
    # the lines against each other, and keep the finder corner's drift within half a module
    drift = np.unwrap(drift, axis=1)
    means = drift.mean(axis=1)
    drift += (np.unwrap(means) - means)[:, None]
    corner = drift[:7, :7].mean() - anchor * 2 * np.pi / K
    drift -= 2 * np.pi * np.round(corner / (2 * np.pi))
    return drift * K / (2 * np.pi)


def _field(drift: np.ndarray, n: int) -> np.ndarray:
    """A per-module drift spread over every pixel of the flat image."""
    inner = cv2.resize(drift, (n * K, n * K), interpolation=cv2.INTER_LINEAR)
    return np.pad(inner, MARGIN * K, mode="edge")


def _drift(img: np.ndarray, n: int, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """How far the grid drifted at each module (x, y in px), refined ``rounds`` times."""
    dx = np.zeros((n, n), np.float32)
    dy = np.zeros((n, n), np.float32)
    side = img.shape[0]
    grid_x, grid_y = np.meshgrid(np.arange(side, dtype=np.float32),
                                 np.arange(side, dtype=np.float32))
    for done in range(rounds):
        moved = img if not done else cv2.remap(img, grid_x + _field(dx, n), grid_y + _field(dy, n),
                                               cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        gx = np.abs(cv2.Sobel(moved, cv2.CV_32F, 1, 0, ksize=3))
        gy = np.abs(cv2.Sobel(moved, cv2.CV_32F, 0, 1, ksize=3))
        dx = dx + cv2.GaussianBlur(_phase(gx, n, -dx[:7, :7].mean()), (3, 3), 0)
        dy = dy + cv2.GaussianBlur(_phase(gy.T, n, -dy[:7, :7].mean()).T, (3, 3), 0)
    return dx, dy


def _modules(flat: np.ndarray, n: int, rounds: int = 1) -> np.ndarray:
    """The n x n modules (True = dark), each sampled at its drifted centre (or on the plane)."""
    img = flat.astype(np.float32)
    dx, dy = _drift(img, n, rounds)
    centre = (np.arange(n, dtype=np.float32) + MARGIN) * K + K / 2
    mx = centre[None, :] + dx
    my = centre[:, None] + dy
    smooth = cv2.blur(img, (max(3, K // 2), max(3, K // 2)))
    values = cv2.remap(smooth, mx, my, cv2.INTER_LINEAR)
    kernel = np.ones((5, 5), np.uint8)  # halfway between the nearby darkest and lightest
    local = (cv2.erode(values, kernel) + cv2.dilate(values, kernel)) / 2
    return values < local


def _pure(modules: np.ndarray) -> np.ndarray:
    """A clean drawing of the modules: black on white, a 4-module quiet zone."""
    n = modules.shape[0]
    out = np.full((n + 8, n + 8), 255, np.uint8)
    out[4:-4, 4:-4][modules] = 0
    return cv2.resize(out, None, fx=PURE, fy=PURE, interpolation=cv2.INTER_NEAREST)


def _runs(line: np.ndarray) -> list[tuple[bool, int, int]]:
    """(dark, start, end) runs of a 1-D boolean profile."""
    edges = np.flatnonzero(np.diff(line.astype(np.int8))) + 1
    bounds = np.concatenate([[0], edges, [len(line)]])
    return [(bool(line[a]), int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def module_count(gray: np.ndarray, quad: Points, side: int = 160) -> float | None:
    """The symbol's modules a side, from its finder patterns; None if they are not plain.

    Along the diagonal from a corner into the symbol a finder pattern reads dark
    (its ring), light, dark (its 3-module core, centred 3.5 modules in), ... The
    core's centre gives the module size at each finder corner; their median the count.
    """
    flat = _rectified(gray, quad, 0, side, side)
    _, dark = cv2.threshold(flat, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    t = np.arange(side // 2)
    counts = []
    for x, y in ((t, t), (side - 1 - t, t), (t, side - 1 - t)):
        runs = [r for r in _runs(dark[y, x] > 0) if r[2] - r[1] >= 1]
        runs = runs[1:] if runs and not runs[0][0] else runs  # a light start: corner a bit out
        if len(runs) >= 3 and runs[0][0] and runs[2][0]:
            core = (runs[2][1] + runs[2][2]) / 2
            if core > 0:
                counts.append(3.5 * side / core)
    return float(np.median(counts)) if counts else None


def _sizes(gray: np.ndarray, quad: Points) -> list[int]:
    """Module counts worth trying: the two versions nearest the finder patterns' estimate.

    None where the estimate says no QR code (fewer than 19 modules: zxing paired
    finder patterns of two symbols, or of one symbol with something else).
    """
    if not plausible(quad):
        return []
    guess = module_count(gray, quad)
    if guess is None:
        return VERSIONS
    if guess < 19:
        return []
    return sorted(VERSIONS, key=lambda n: abs(n - guess))[:2]


def plausible(quad: Points) -> bool:
    """True if a located symbol may be a QR code: no side over twice another, even at a slant.

    zxing pairs finder patterns of two symbols (or of one with a look-alike)
    into long thin quads, or into one with a corner at the origin: no symbol there.
    """
    if len(quad) < 4:
        return False
    corners = np.float32(quad[:4])
    sides = np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1)
    return bool(sides.min() > 0 and sides.max() <= 2 * sides.min())


def same_place(a: Points, b: Points) -> bool:
    """True if two quads are one symbol: corners within a tenth of its side of each other."""
    pa, pb = np.float32(a[:4]), np.float32(b[:4])
    side = np.linalg.norm(pa[0] - pa[1]) + 1.0
    return len(a) >= 4 and len(b) >= 4 and float(np.abs(pa - pb).max()) < 0.1 * side


def grids(gray: np.ndarray, quad: Points) -> Iterator[np.ndarray]:
    """Clean drawings of the symbol at ``quad``, one per plausible module count."""
    if len(quad) < 4:
        return
    for n in _sizes(gray, quad):
        flat = _flat(gray, quad, n)
        for rounds in ROUNDS:
            yield _pure(_modules(flat, n, rounds))
