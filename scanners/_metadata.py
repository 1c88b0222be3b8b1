"""Photo metadata from EXIF: when and where it was taken, and with what camera."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image, UnidentifiedImageError

from ._exceptions import EmptyImage, NotAnImage
from ._image import _register_heif

__all__ = ["PhotoMetadata", "metadata_from_exif", "read_photo_metadata"]

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME, _DATETIME_ORIGINAL, _OFFSET_ORIGINAL = 0x0132, 0x9003, 0x9011
_ORIENTATION, _MAKE, _MODEL = 0x0112, 0x010F, 0x0110


@dataclass(frozen=True, slots=True)
class PhotoMetadata:
    """What the camera recorded; any field it did not record is None."""

    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    orientation: int | None = None
    make: str | None = None
    model: str | None = None


def _text(value) -> str | None:
    """A clean EXIF string, or None."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ").strip()
    return value or None


def _taken_at(exif_ifd, base) -> datetime | None:
    """DateTimeOriginal (else DateTime), timezone-aware when OffsetTimeOriginal is present."""
    raw = _text(exif_ifd.get(_DATETIME_ORIGINAL)) or _text(base.get(_DATETIME))
    try:
        taken = datetime.strptime(raw, "%Y:%m:%d %H:%M:%S") if raw else None
    except ValueError:
        return None
    offset = _text(exif_ifd.get(_OFFSET_ORIGINAL))
    if taken and offset and len(offset) == 6 and offset[0] in "+-":
        try:
            delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
            taken = taken.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))
        except ValueError:
            pass
    return taken


def _degrees(dms, ref) -> float | None:
    """Degrees/minutes/seconds rationals and an N/S/E/W reference -> signed degrees."""
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if _text(ref) in ("S", "W") else value


def _gps(gps) -> tuple[float | None, float | None, float | None]:
    """Latitude, longitude and altitude (metres, negative below sea level)."""
    lat = _degrees(gps.get(2), gps.get(1)) if 2 in gps else None
    lon = _degrees(gps.get(4), gps.get(3)) if 4 in gps else None
    alt = None
    if 6 in gps:
        try:
            alt = float(gps[6])
            below = gps.get(5) in (1, b"\x01")
            alt = -alt if below else alt
        except (TypeError, ValueError, ZeroDivisionError):
            alt = None
    return lat, lon, alt


def read_photo_metadata(data: bytes) -> PhotoMetadata:
    """Read capture time, GPS, orientation and camera from a photo's EXIF (None if absent)."""
    if not data:
        raise EmptyImage("the photo file is empty (0 bytes)")
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        img = None  # too big to decode, but its EXIF is still worth nothing to us here
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise NotAnImage(f"not an image ({len(data)} bytes): {exc}") from None
    if img is None:
        return PhotoMetadata()
    try:
        base = img.getexif()
    except Exception:  # malformed EXIF is the same as no EXIF
        return PhotoMetadata()
    return metadata_from_exif(base)


def metadata_from_exif(base: Image.Exif) -> PhotoMetadata:
    """The metadata in an image's EXIF block, as Pillow's ``getexif()`` gives it."""
    try:
        exif_ifd, gps = base.get_ifd(_EXIF_IFD), base.get_ifd(_GPS_IFD)
        lat, lon, alt = _gps(gps)
        orientation = base.get(_ORIENTATION)
        return PhotoMetadata(
            taken_at=_taken_at(exif_ifd, base),
            latitude=lat,
            longitude=lon,
            altitude=alt,
            orientation=int(orientation) if isinstance(orientation, int) else None,
            make=_text(base.get(_MAKE)),
            model=_text(base.get(_MODEL)),
        )
    except Exception:  # malformed EXIF is the same as no EXIF
        return PhotoMetadata()
