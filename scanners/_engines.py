"""Decoder engines: one small interface over zxing-cpp, OpenCV and zbar.

An engine turns a grayscale ``uint8`` array into ``Decoded`` codes, QR only.
Engines are tried in a cascade by ``scanners._decode``; an engine that raises
is logged and skipped there, never fatal.
"""

from __future__ import annotations

import logging
import threading

import cv2
import numpy as np

from ._base import Decoded, Engine, Points, Reading
from ._wechat import WeChatEngine

__all__ = [
    "Decoded", "Engine", "OpenCVEngine", "Reading", "ZbarEngine", "ZxingEngine", "default_engines"
]

log = logging.getLogger("scanners")

def _corners(position) -> Points:
    """A zxing-cpp position as four (x, y) corners, clockwise from top left."""
    p = position
    return tuple((float(c.x), float(c.y))
                 for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))


class ZxingEngine(Engine):
    """zxing-cpp: the fastest and most tolerant engine.

    Raw text (``TextMode.Plain``) so GS1 and ECI payloads are not rewritten;
    its own downscaled passes (``try_downscale``) on, which read far more real
    photos than starting from a reduced image; symbols it sees but cannot
    decode come back as ``Reading.unread`` for the cascade to retry.
    """

    name = "zxing"

    def __init__(self, try_downscale: bool = True) -> None:
        import zxingcpp

        self._zxing = zxingcpp
        self.try_downscale = try_downscale

    def __reduce__(self):
        """Pickle by constructor arguments so the engine can be sent to a worker process."""
        return (type(self), (self.try_downscale,))

    def read(self, gray: np.ndarray) -> Reading:
        """Read QR codes with zxing-cpp's local-average binarizer; report unread symbols."""
        z = self._zxing
        found, unread = [], []
        codes = z.read_barcodes(
            gray, formats=z.BarcodeFormat.QRCode, binarizer=z.Binarizer.LocalAverage,
            text_mode=z.TextMode.Plain, try_downscale=self.try_downscale, return_errors=True,
        )
        for code in codes:
            if code.valid and code.text:
                found.append(Decoded(code.text, _corners(code.position), self.name))
            else:
                unread.append(_corners(code.position))
        return Reading(found, unread)

    def read_pure(self, drawing: np.ndarray) -> str | None:
        """The text of a clean drawing of one upright symbol (zxing's pure mode), else None."""
        z = self._zxing
        code = z.read_barcode(drawing, formats=z.BarcodeFormat.QRCode, is_pure=True,
                              try_rotate=False, try_downscale=False, try_invert=False,
                              text_mode=z.TextMode.Plain)
        return code.text if code is not None and code.valid and code.text else None


class OpenCVEngine(Engine):
    """OpenCV's QR detector; the Aruco-based one reads ~50 % more of our corpus than the classic."""

    name = "opencv"

    def __init__(self, aruco: bool = True) -> None:
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
    """Build every engine the cascade uses that can load here; warn once for the others.

    zxing-cpp reads; the WeChat CNN (when its verified models are installed) is
    the fallback that pays most on hard photos; zbar reads the crops of symbols
    zxing saw but could not decode. OpenCV's own detector is not among them: it
    added nothing the others did not read, at several times their cost.
    """
    engines: list[Engine] = []
    for name, factory in (("zxing", ZxingEngine), ("wechat", WeChatEngine), ("zbar", ZbarEngine)):
        try:
            engines.append(factory())
        except Exception as exc:  # ImportError, OSError, or model files missing or not verified
            _warn_once(name, exc)
    return engines
