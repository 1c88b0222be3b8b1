"""Photo bytes -> oriented grayscale arrays, refusing bad input before decoding.

The header is read first (format, size, EXIF orientation) so an image bomb is
refused in milliseconds. JPEGs are then decoded at reduced size by libjpeg's
scaled IDCT (cv2 IMREAD_REDUCED_GRAYSCALE_*), which is most of the speed of the
cheap path; full resolution is decoded only when a cascade stage asks for it.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ._exceptions import EmptyImage, ImageTooLarge, NotAnImage, TruncatedImage
from ._heif import register_heif
from ._metadata import PhotoMetadata, metadata_from_exif

__all__ = ["DEFAULT_MAX_PIXELS", "Photo", "open_photo"]

DEFAULT_MAX_PIXELS = 120_000_000  # a 108 MP phone photo passes; a 20000x20000 bomb does not
_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"}
_REDUCED = {
    1: cv2.IMREAD_GRAYSCALE,
    2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
    4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
    8: cv2.IMREAD_REDUCED_GRAYSCALE_8,
}
def orient(gray: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) to an array, as a viewer would show it."""
    ops = {
        2: np.fliplr,
        3: lambda a: np.rot90(a, 2),
        4: np.flipud,
        5: lambda a: a.T,
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a[::-1, ::-1].T,
        8: lambda a: np.rot90(a, 1),
    }
    op = ops.get(orientation)
    return gray if op is None else np.ascontiguousarray(op(gray))


def _jpeg_is_complete(data: bytes) -> bool:
    """True if an end-of-image marker follows the first scan (trailers after it are fine)."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:  # odd padding between segments: do not refuse, look anywhere
            return data.find(b"\xff\xd9", pos) != -1
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return data.find(b"\xff\xd9", pos) != -1
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return False


class Photo:
    """A photo whose grayscale pixels are decoded lazily, at the reduction a stage asks for."""

    def __init__(self, data: bytes | None, fmt: str, size: tuple[int, int], orientation: int,
                 exif: Image.Exif | None = None):
        self.data = data
        self._exif = exif
        self.format = fmt
        self.orientation = orientation
        w, h = size
        self.size = (h, w) if orientation in (5, 6, 7, 8) else (w, h)  # as displayed
        self._cache: dict[int, np.ndarray] = {}

    @property
    def metadata(self) -> PhotoMetadata:
        """Capture time, GPS and camera from the EXIF read with the header (empty if none)."""
        return metadata_from_exif(self._exif) if self._exif is not None else PhotoMetadata()

    @classmethod
    def from_array(cls, array: np.ndarray) -> Photo:
        """Wrap an already decoded image (gray, BGR or BGRA, uint8)."""
        if array.ndim == 3 and array.shape[2] in (3, 4):
            code = cv2.COLOR_BGR2GRAY if array.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
            array = cv2.cvtColor(np.ascontiguousarray(array, dtype=np.uint8), code)
        elif array.ndim != 2:
            raise TypeError(f"expected an HxW or HxWx3/4 array, got shape {array.shape}")
        photo = cls(None, "array", (array.shape[1], array.shape[0]), 1)
        photo._cache[1] = np.ascontiguousarray(array, dtype=np.uint8)
        return photo

    def gray(self, reduction: int = 1) -> np.ndarray:
        """Grayscale pixels, oriented, with each side divided by ``reduction`` (1, 2, 4, 8)."""
        if reduction not in self._cache:
            finer = [r for r in self._cache if r < reduction]
            if finer:
                src = self._cache[max(finer)]
                k = reduction // max(finer)
                h, w = (max(k, n - n % k) for n in src.shape)  # whole blocks: OpenCV's
                # fast area path; an odd side made it a slow general resize (~1 zxing pass)
                self._cache[reduction] = cv2.resize(src[:h, :w], (w // k, h // k),
                                                    interpolation=cv2.INTER_AREA)
            elif self.format in ("JPEG", "MPO"):
                self._cache[reduction] = self._jpeg(reduction)
            else:
                self._cache[1] = self._pillow()
                return self.gray(reduction)
        return self._cache[reduction]

    def _jpeg(self, reduction: int) -> np.ndarray:
        """Decode a JPEG with libjpeg's scaled IDCT, falling back to Pillow."""
        buf = np.frombuffer(self.data, np.uint8)
        gray = cv2.imdecode(buf, _REDUCED[reduction] | cv2.IMREAD_IGNORE_ORIENTATION)
        if gray is None:
            full = self._pillow()
            self._cache[1] = full
            return full if reduction == 1 else self.gray(reduction)
        return orient(gray, self.orientation)

    def _pillow(self) -> np.ndarray:
        """Decode any supported format fully with Pillow."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = Image.open(io.BytesIO(self.data))
                img.draft("L", img.size)
                gray = np.asarray(img.convert("L"))
        except OSError as exc:
            if "truncated" in str(exc) or "broken data stream" in str(exc):
                raise TruncatedImage(f"{self.format} file is truncated: {exc}") from None
            raise NotAnImage(f"corrupt {self.format} data: {exc}") from None
        return orient(gray, self.orientation)


def open_photo(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Photo:
    """Read the header of photo bytes and refuse empty, non-image, truncated or huge files."""
    if not data:
        raise EmptyImage("the photo file is empty (0 bytes)")
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"image has too many pixels: {exc}") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        msg = f"not a JPEG, PNG, WebP or HEIC image ({len(data)} bytes): {exc}"
        raise NotAnImage(msg) from None
    fmt = img.format or "unknown"
    if fmt not in _FORMATS:
        raise NotAnImage(f"unsupported image format {fmt}; send JPEG, PNG, WebP or HEIC")
    w, h = img.size
    if w * h > max_pixels:
        raise ImageTooLarge(f"image is {w}x{h} = {w * h} pixels, the limit is {max_pixels}")
    if fmt in ("JPEG", "MPO") and not _jpeg_is_complete(data):
        raise TruncatedImage(f"JPEG file is truncated ({len(data)} bytes, no end-of-image marker)")
    try:
        exif = img.getexif()
        orientation = int(exif.get(0x0112, 1) or 1)
    except Exception:  # a malformed EXIF block must not refuse a readable photo
        exif, orientation = None, 1
    return Photo(data, fmt, (w, h), orientation if 1 <= orientation <= 8 else 1, exif)
