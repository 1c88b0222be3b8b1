"""EXIF metadata: capture time, GPS, orientation, camera; None when absent, never an error."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

import scanners


def _rational(value: float) -> TiffImagePlugin.IFDRational:
    """An EXIF rational."""
    return TiffImagePlugin.IFDRational(round(value * 10000), 10000)


def _photo_with_exif(kit) -> bytes:
    """A JPEG carrying the EXIF a phone writes: time, offset, GPS with altitude, camera."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Xiaomi", "Redmi 12C", 1
    exif[0x0132] = "2026:05:01 07:00:00"
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003], ifd[0x9011] = "2026:05:01 08:15:30", "+08:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (_rational(30), _rational(45), _rational(36.0))
    gps[3], gps[4] = "E", (_rational(120), _rational(45), _rational(18.0))
    gps[5], gps[6] = 0, _rational(4.5)
    return kit.encode(np.full((60, 80), 128, np.uint8), exif=exif)


def test_metadata_has_time_gps_altitude_orientation_and_camera(kit):
    meta = scanners.read_photo_metadata(_photo_with_exif(kit))
    assert meta.taken_at == datetime(2026, 5, 1, 8, 15, 30, tzinfo=timezone(timedelta(hours=8)))
    assert meta.latitude == pytest.approx(30.76, abs=1e-6)
    assert meta.longitude == pytest.approx(120.755, abs=1e-6)
    assert meta.altitude == pytest.approx(4.5)
    assert (meta.orientation, meta.make, meta.model) == (1, "Xiaomi", "Redmi 12C")


def test_southern_and_western_coordinates_are_negative(kit):
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (_rational(33), _rational(52), _rational(0))
    gps[3], gps[4] = "W", (_rational(70), _rational(30), _rational(0))
    meta = scanners.read_photo_metadata(kit.encode(np.zeros((8, 8), np.uint8), exif=exif))
    assert meta.latitude == pytest.approx(-33.8667, abs=1e-4)
    assert meta.longitude == pytest.approx(-70.5)
    assert meta.altitude is None and meta.taken_at is None


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_without_exif_gives_all_none(kit, fmt):
    meta = scanners.read_photo_metadata(kit.encode(np.zeros((8, 8), np.uint8), fmt))
    assert meta == scanners.PhotoMetadata()


def test_metadata_is_frozen(kit):
    meta = scanners.read_photo_metadata(_photo_with_exif(kit))
    with pytest.raises(AttributeError):
        meta.latitude = 0.0


def test_garbage_dates_are_none_not_errors(kit):
    exif = Image.Exif()
    exif[0x0132] = "not a date"
    meta = scanners.read_photo_metadata(kit.encode(np.zeros((8, 8), np.uint8), exif=exif))
    assert meta.taken_at is None


def test_metadata_of_a_non_image_is_refused():
    with pytest.raises(scanners.NotAnImage):
        scanners.read_photo_metadata(b"plain text")
    with pytest.raises(scanners.EmptyImage):
        scanners.read_photo_metadata(b"")


def test_read_photo_gives_the_codes_and_the_same_metadata_from_one_parse(kit):
    exif = Image.Exif()
    exif[0x0132], exif[0x010F] = "2026:05:01 07:00:00", "Xiaomi"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (_rational(30), _rational(45), _rational(36.0))
    gps[3], gps[4] = "E", (_rational(120), _rational(45), _rational(18.0))
    data = kit.encode(kit.scene([kit.TEXT_BAG]), exif=exif)
    contents = scanners.read_photo(data)
    assert [c.text for c in contents.codes] == [kit.TEXT_BAG]
    assert contents.metadata == scanners.read_photo_metadata(data)
    assert contents.metadata.make == "Xiaomi" and contents.metadata.latitude is not None


def test_read_photo_of_a_photo_without_exif_has_empty_metadata(kit):
    contents = scanners.read_photo(kit.encode(kit.scene([kit.TEXT_BIN]), "PNG"))
    assert [c.text for c in contents.codes] == [kit.TEXT_BIN]
    assert contents.metadata == scanners.PhotoMetadata()


_R = TiffImagePlugin.IFDRational
NO_FIX = (_R(0, 0), _R(0, 0), _R(0, 0))
NOT_A_NUMBER = (_R(30, 0), _R(0, 1), _R(0, 1))


def _gps_photo(kit, lat, lon, lat_ref="N", lon_ref="E", status=None) -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    if lat is not None:
        gps[1], gps[2] = lat_ref, lat
    if lon is not None:
        gps[3], gps[4] = lon_ref, lon
    if status:
        gps[9] = status
    return kit.encode(np.zeros((8, 8), np.uint8), exif=exif)


@pytest.mark.parametrize(("lat", "lon", "status", "reason"), [
    (NO_FIX, NO_FIX, None, "gps_no_fix"),  # what many cameras write without a fix
    ((_R(0, 1),) * 3, (_R(0, 1),) * 3, None, "gps_no_fix"),  # 0°N 0°E
    ((_rational(30),) * 3, (_rational(120),) * 3, "V", "gps_no_fix"),  # status: void
    (NOT_A_NUMBER, (_rational(120),) * 3, None, "gps_not_a_number"),
    ((_rational(95), _R(0, 1), _R(0, 1)), (_rational(120),) * 3, None, "gps_out_of_range"),
    ((_rational(30),) * 3, (_rational(200), _R(0, 1), _R(0, 1)), None, "gps_out_of_range"),
    ((_rational(30),) * 3, None, None, "gps_incomplete"),
    ((_rational(30), _rational(1)), (_rational(120),) * 3, None, "gps_not_a_number"),
])
def test_unusable_gps_is_left_out_and_named(kit, lat, lon, status, reason):
    meta = scanners.read_photo_metadata(_gps_photo(kit, lat, lon, status=status))
    assert (meta.latitude, meta.longitude) == (None, None)
    assert meta.ignored == (reason,)


@pytest.mark.parametrize(("written", "offset", "reason", "taken"), [
    ("0000:00:00 00:00:00", None, "time_unset", None),
    ("    :  :     :  :  ", None, "time_unset", None),
    ("2026:13:45 99:00:00", None, "time_unreadable", None),
    ("yesterday", "+08:00", "time_unreadable", None),
    ("2026:05:01 08:15:30", "+25:00", "zone_unreadable", datetime(2026, 5, 1, 8, 15, 30)),
    ("2026:05:01 08:15:30", "CST", "zone_unreadable", datetime(2026, 5, 1, 8, 15, 30)),
])
def test_unusable_times_are_left_out_and_named(kit, written, offset, reason, taken):
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = written
    if offset:
        ifd[0x9011] = offset
    meta = scanners.read_photo_metadata(kit.encode(np.zeros((8, 8), np.uint8), exif=exif))
    assert meta.taken_at == taken and meta.ignored == (reason,)


def test_a_good_photo_ignores_nothing_and_the_isolated_reader_says_the_same(kit):
    data = _gps_photo(kit, NO_FIX, NO_FIX)
    assert scanners.read_photo_metadata(_photo_with_exif(kit)).ignored == ()
    with scanners.IsolatedScanner(workers=1) as scanner:
        assert scanner.read(data).metadata.ignored == ("gps_no_fix",)
