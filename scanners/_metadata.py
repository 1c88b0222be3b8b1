"""Photo metadata from EXIF: when and where it was taken, and with what camera.

Camera metadata is evidence, never a gate: a value that cannot be used is left
out (None) and named in ``PhotoMetadata.ignored`` with the reason, so the caller
can say what it could not check. The reasons:

``gps_no_fix``        GPS status V (void), rationals of 0/0, or 0°N 0°E: the camera had no fix
``gps_not_a_number``  a coordinate with a zero denominator, or not a number at all
``gps_out_of_range``  latitude beyond ±90° or longitude beyond ±180°
``gps_incomplete``    a latitude without a longitude, or the other way round
``time_unset``        the EXIF placeholder of an unset clock (``0000:00:00 00:00:00``, blanks)
``time_unreadable``   a capture time that is no date and time
``zone_unreadable``   an OffsetTimeOriginal that is no UTC offset (the time stays, zoneless)
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image, UnidentifiedImageError

from ._exceptions import EmptyImage, NotAnImage
from ._heif import register_heif

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
    ignored: tuple[str, ...] = ()  # values present but unusable, by reason (module docstring)


def _text(value) -> str | None:
    """A clean EXIF string, or None."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ").strip()
    return value or None


_UNSET_TIME = frozenset("0: ")  # an unset camera clock writes zeros, blanks or colons


def _taken_at(exif_ifd, base, ignored: list[str]) -> datetime | None:
    """DateTimeOriginal (else DateTime), timezone-aware when OffsetTimeOriginal is present."""
    raw = _text(exif_ifd.get(_DATETIME_ORIGINAL)) or _text(base.get(_DATETIME))
    if raw is None:
        return None
    if set(raw) <= _UNSET_TIME:
        ignored.append("time_unset")
        return None
    try:
        taken = datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        ignored.append("time_unreadable")
        return None
    offset = _text(exif_ifd.get(_OFFSET_ORIGINAL))
    if offset:
        zone = _zone(offset)
        if zone is None:
            ignored.append("zone_unreadable")
        else:
            taken = taken.replace(tzinfo=zone)
    return taken


def _zone(offset: str) -> timezone | None:
    """A ``+08:00`` offset as a zone, or None if it is no UTC offset."""
    if len(offset) != 6 or offset[0] not in "+-" or offset[3] != ":" \
            or not (offset[1:3] + offset[4:6]).isdigit():
        return None
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if offset[0] == "-" else delta)


def _degrees(dms, ref) -> float | str | None:
    """Degrees/minutes/seconds rationals and an N/S/E/W reference -> signed degrees.

    None when absent; a reason (str) when present but unusable.
    """
    try:
        parts = tuple(dms)
        if len(parts) != 3:
            return "gps_not_a_number"
        if all(getattr(x, "denominator", 1) == 0 and getattr(x, "numerator", 0) == 0
               for x in parts):
            return "gps_no_fix"  # 0/0: what many cameras write without a fix
        d, m, s = (float(x) for x in parts)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return "gps_not_a_number"
    value = d + m / 60 + s / 3600
    if not math.isfinite(value):
        return "gps_not_a_number"
    return -value if _text(ref) in ("S", "W") else value


def _gps(gps, ignored: list[str]) -> tuple[float | None, float | None, float | None]:
    """Latitude, longitude and altitude (metres, negative below sea level).

    Both coordinates or neither: an unusable one drops the pair.
    """
    if not gps:
        return None, None, None
    if _text(gps.get(9)) == "V":  # GPSStatus: measurement void
        ignored.append("gps_no_fix")
        return None, None, None
    lat = _degrees(gps.get(2), gps.get(1)) if 2 in gps else None
    lon = _degrees(gps.get(4), gps.get(3)) if 4 in gps else None
    problems = [v for v in (lat, lon) if isinstance(v, str)]
    if problems:
        ignored.append(min(problems))  # one reason is enough: gps_no_fix < gps_not_a_number
        lat = lon = None
    elif (lat is None) != (lon is None):
        ignored.append("gps_incomplete")
        lat = lon = None
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        ignored.append("gps_out_of_range")
        lat = lon = None
    elif lat == 0 and lon == 0:  # 0°N 0°E, in the Gulf of Guinea: a zeroed fix
        ignored.append("gps_no_fix")
        lat = lon = None
    alt = None
    if 6 in gps:
        try:
            alt = float(gps[6])
            below = gps.get(5) in (1, b"\x01")
            alt = -alt if below else alt
        except (TypeError, ValueError, ZeroDivisionError):
            alt = None
        if alt is not None and not math.isfinite(alt):
            alt = None
    return lat, lon, alt


def read_photo_metadata(data: bytes) -> PhotoMetadata:
    """Read capture time, GPS, orientation and camera from a photo's EXIF (None if absent)."""
    if not data:
        raise EmptyImage("the photo file is empty (0 bytes)")
    register_heif()
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
        ignored: list[str] = []
        lat, lon, alt = _gps(gps, ignored)
        taken_at = _taken_at(exif_ifd, base, ignored)
        orientation = base.get(_ORIENTATION)
        return PhotoMetadata(
            taken_at=taken_at,
            latitude=lat,
            longitude=lon,
            altitude=alt,
            orientation=int(orientation) if isinstance(orientation, int) else None,
            make=_text(base.get(_MAKE)),
            model=_text(base.get(_MODEL)),
            ignored=tuple(ignored),
        )
    except Exception:  # malformed EXIF is the same as no EXIF
        return PhotoMetadata()
