"""Decoder engines: one small interface over zxing-cpp, OpenCV and zbar.

An engine turns a grayscale ``uint8`` array into ``Decoded`` codes, QR only.
Engines are tried in a cascade by ``scanners._decode``; an engine that raises
is logged and skipped there, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Decoded", "Engine", "OpenCVEngine", "Reading", "ZbarEngine", "ZxingEngine", "default_engines"
]

log = logging.getLogger("scanners")

Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Decoded:
    """One code read from a photo: its text, corners (x, y) in the photo, and engine."""

    text: str
    points: Points
    engine: str


class Reading(list):
    """An engine's codes, plus how many more symbols it saw but could not decode."""

    def __init__(self, codes: Iterable[Decoded] = (), suspects: int = 0) -> None:
        super().__init__(codes)
        self.suspects = suspects


class Engine:
    """Base class of a decoder engine: override ``read``."""

    name = "engine"

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Return every QR code found in a 2-D uint8 grayscale image."""
        raise NotImplementedError


class ZxingEngine(Engine):
    """zxing-cpp: the fastest and most tolerant engine."""

    name = "zxing"

    def __init__(self) -> None:
        import zxingcpp

        self._zxing = zxingcpp
        self._formats = zxingcpp.BarcodeFormat.QRCode

    def __reduce__(self):
        """Pickle by class so the engine can be sent to a worker process."""
        return (type(self), ())

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Read QR codes with zxing-cpp; if it sees a QR it cannot read, retry other binarizers."""
        reading = self._read(gray, self._zxing.Binarizer.LocalAverage)
        if reading or not reading.suspects:
            return reading
        binarizers = self._zxing.Binarizer
        for binarizer in (binarizers.GlobalHistogram, binarizers.FixedThreshold):
            retry = self._read(gray, binarizer)
            if retry:
                return retry
        return reading

    def _read(self, gray: np.ndarray, binarizer) -> Reading:
        """One zxing-cpp pass with the given binarizer."""
        found, suspects = [], 0
        codes = self._zxing.read_barcodes(
            gray, formats=self._formats, binarizer=binarizer, return_errors=True
        )
        for code in codes:
            if not code.valid:
                suspects += 1  # a QR seen but not read: a finer image may read it
                continue
            p = code.position
            corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
            points = tuple((float(c.x), float(c.y)) for c in corners)
            found.append(Decoded(code.text, points, self.name))
        return Reading(found, suspects)


class OpenCVEngine(Engine):
    """OpenCV's QR detector; the Aruco-based one reads ~50 % more of our corpus than the classic."""

    name = "opencv"

    def __init__(self, aruco: bool = True) -> None:
        import cv2

        self._aruco = aruco
        self._factory = cv2.QRCodeDetectorAruco if aruco else cv2.QRCodeDetector
        self._local = threading.local()  # a detector keeps state between calls: one per thread
        if not aruco:
            self.name = "opencv-classic"

    def __reduce__(self):
        """Pickle by constructor arguments so the engine can be sent to a worker process."""
        return (type(self), (self._aruco,))

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Read QR codes with cv2 detectAndDecodeMulti."""
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = self._factory()
        ok, texts, corners, _ = detector.detectAndDecodeMulti(gray)
        if not ok or corners is None:
            return []
        found = []
        for text, quad in zip(texts, corners, strict=False):
            if text:
                points = tuple((float(x), float(y)) for x, y in quad.reshape(-1, 2))
                found.append(Decoded(text, points, self.name))
        return found


class ZbarEngine(Engine):
    """zbar through pyzbar; needs the libzbar0 system library."""

    name = "zbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def __reduce__(self):
        """Pickle by class so the engine can be sent to a worker process."""
        return (type(self), ())

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Read QR codes with zbar."""
        found = []
        for code in self._pyzbar.decode(gray, symbols=self._symbols):
            try:
                text = code.data.decode("utf-8")
            except UnicodeDecodeError:
                text = code.data.decode("latin-1")
            points = tuple((float(p.x), float(p.y)) for p in code.polygon)
            found.append(Decoded(text, points, self.name))
        return found


_warned: set[str] = set()


def _warn_once(name: str, exc: BaseException) -> None:
    """Log that an engine is unavailable, once per process."""
    if name not in _warned:
        _warned.add(name)
        log.warning("scanner engine %s unavailable, continuing without it: %s", name, exc)


def default_engines() -> list[Engine]:
    """Build every engine that can load here, in cascade order; warn once for the others."""
    engines: list[Engine] = []
    for name, factory in (("zxing", ZxingEngine), ("opencv", OpenCVEngine), ("zbar", ZbarEngine)):
        try:
            engines.append(factory())
        except Exception as exc:  # ImportError, or OSError from a missing shared library
            _warn_once(name, exc)
    return engines
