"""Undo a crop's defocus before zxing reads it again: Wiener deconvolution with discs.

For a symbol zxing located but could not decode, ``deblurred`` yields its crop
deconvolved by defocus discs of a few sizes (fractions of the symbol's side: a
module is 1/21 to 1/41 of it), in linear light, where the blur happened.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

__all__ = ["deblurred"]

_LINEAR = ((np.arange(256) / 255.0) ** 2.2).astype(np.float32)
NSR = 0.01  # Wiener noise-to-signal: lower rings on JPEG noise, higher leaves the blur
DISCS = (1 / 40, 1 / 24)  # disc radii tried, as fractions of the symbol's side


def _disc(radius: float) -> np.ndarray:
    """A defocus disc of ``radius`` px, normalised."""
    n = int(np.ceil(radius)) * 2 + 1
    ys, xs = np.mgrid[:n, :n] - n // 2
    k = np.clip(radius + 0.5 - np.sqrt(xs ** 2 + ys ** 2), 0, 1).astype(np.float32)
    return k / k.sum()


def _wiener(spectrum: np.ndarray, shape: tuple[int, int], kernel: np.ndarray) -> np.ndarray:
    """Deconvolve a padded image's spectrum by a centred kernel; the result in linear light."""
    pad = np.zeros(shape, np.float32)
    kh, kw = kernel.shape
    pad[:kh, :kw] = kernel
    pad = np.roll(pad, (-(kh // 2), -(kw // 2)), (0, 1))
    h = cv2.dft(pad, flags=cv2.DFT_COMPLEX_OUTPUT)
    h_re, h_im = h[..., 0], h[..., 1]
    power = h_re ** 2 + h_im ** 2 + NSR
    s_re, s_im = spectrum[..., 0], spectrum[..., 1]
    out = np.dstack(((s_re * h_re + s_im * h_im) / power, (s_im * h_re - s_re * h_im) / power))
    return cv2.idft(out, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)


def _srgb(lin: np.ndarray) -> np.ndarray:
    """Linear light back to an 8-bit image, stretched to the crop's own range."""
    lo, hi = np.percentile(lin[::3, ::3], (1, 99))
    out = np.clip((lin - lo) / max(hi - lo, 1e-6), 0, 1) ** (1 / 2.2)
    return (out * 255).astype(np.uint8)


def deblurred(crop: np.ndarray, side: float) -> Iterator[np.ndarray]:
    """The crop deconvolved by each disc; ``side`` is the symbol's side in crop pixels."""
    lin = _LINEAR[crop]
    m = max(8, int(side / 8))  # reflected margin: the FFT's wrap-around stays outside
    padded = cv2.copyMakeBorder(lin, m, m, m, m, cv2.BORDER_REFLECT)
    h, w = padded.shape
    shape = (cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w))
    canvas = cv2.copyMakeBorder(padded, 0, shape[0] - h, 0, shape[1] - w, cv2.BORDER_REFLECT)
    spectrum = cv2.dft(canvas, flags=cv2.DFT_COMPLEX_OUTPUT)
    for frac in DISCS:
        out = _wiener(spectrum, shape, _disc(side * frac))
        yield _srgb(out[m:m + crop.shape[0], m:m + crop.shape[1]])
