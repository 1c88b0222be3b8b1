"""Camera metadata is evidence, not a gate; every upload that reaches the decoder is kept.

Photos carry EXIF written here as phones write it (Pillow's EXIF writer, the
rationals as the camera stores them, 0/0 included), and go through the scan API
as the phone pages send them.
"""

from __future__ import annotations

import io
import math
import uuid
from datetime import datetime
from types import SimpleNamespace

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover, ScanAttempt
from tests.custody.conftest import ROOM_AT
from tests.custody.photos import phone_photo

SHANGHAI = (31.2304, 121.4737)  # about 80 km from the district's sites
NO_FIX = (IFDRational(0, 0),) * 3


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees as the EXIF degrees/minutes/seconds rationals a phone writes."""
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return IFDRational(d, 1), IFDRational(m, 1), IFDRational(round(s * 100), 100)


def camera_exif(taken: str | None = None, offset: str | None = "+08:00", lat=None, lon=None,
                lat_ref: str = "N", lon_ref: str = "E") -> bytes:
    """An EXIF block: DateTimeOriginal and its offset, GPS (floats or raw rationals)."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Xiaomi", "Redmi 12C"
    if taken is not None:
        ifd = exif.get_ifd(0x8769)
        ifd[0x9003] = taken
        if offset:
            ifd[0x9011] = offset
    if lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = lat_ref, dms(lat) if isinstance(lat, float) else lat
        gps[3], gps[4] = lon_ref, dms(lon) if isinstance(lon, float) else lon
    return exif.tobytes()


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def post(client, person, photo, action="deposit", key=None, **fields):
    data = {"action": action, **fields, "photo": (io.BytesIO(photo), "scan.jpg")}
    headers = {**person["auth"], "Idempotency-Key": key or str(uuid.uuid4())}
    return client.post("/api/v1/scans", data=data, headers=headers,
                       content_type="multipart/form-data")


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Handover)),
                s.scalar(select(func.count()).select_from(ScanAttempt)))


# --- the mismatch flags are raised when they should be ------------------------------------

CLAIM = {"client_time": "2026-11-22T08:00:00+08:00", "lat": "30.7", "lon": "120.8",
         "accuracy_m": "10"}


@pytest.mark.parametrize(("taken", "offset", "raised"), [
    ("2026:11:22 08:05:00", "+08:00", False),  # five minutes: within tolerance
    ("2026:11:22 09:30:00", "+08:00", True),  # 90 minutes after the phone's time
    ("2026:11:22 00:00:00", "+00:00", False),  # the same instant, written in UTC
    ("2026:11:21 08:00:00", "+08:00", True),  # a day old: a photo taken earlier
])
def test_the_photo_time_mismatch_flag_is_raised_when_the_clocks_differ(
        client, people, district, taken, offset, raised):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin,
                        exif=camera_exif(taken, offset))
    response = post(client, people["collector"], photo, **CLAIM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert ("photo_time_mismatch" in body["flags"]) is raised
    assert all(("photo_time_mismatch" in h["flags"]) is raised for h in body["handovers"])
    assert body["exif_ignored"] == []


@pytest.mark.parametrize(("where", "raised"), [
    ((30.7005, 120.8004), False),  # beside the phone's own fix
    (SHANGHAI, True),  # a photo taken 80 km away
])
def test_the_photo_place_mismatch_flag_is_raised_against_the_phone_s_claim(
        client, people, district, where, raised):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin,
                        exif=camera_exif("2026:11:22 08:00:00", lat=where[0], lon=where[1]))
    body = post(client, people["collector"], photo, **CLAIM).get_json()
    assert body["status"] == "recorded"
    assert ("photo_place_mismatch" in body["flags"]) is raised


def test_the_photo_place_mismatch_flag_is_raised_against_a_registered_site(
        client, people, district):
    # No fix from the phone at all: the camera's GPS is compared with the transfer room's
    # registered place.
    far = phone_photo(district.cart, district.room, exif=camera_exif(lat=SHANGHAI[0],
                                                                     lon=SHANGHAI[1]))
    body = post(client, people["collector"], far, action="unload").get_json()
    assert body["flags"].count("photo_place_mismatch") == 1
    near = phone_photo(district.cart, district.room, seed=2,
                       exif=camera_exif(lat=ROOM_AT[0] + 0.001, lon=ROOM_AT[1]))
    body = post(client, people["collector"], near, action="unload").get_json()
    assert "photo_place_mismatch" not in body["flags"]


# --- unusable camera values are ignored, and the scan is recorded --------------------------

@pytest.mark.parametrize(("exif", "ignored", "flagged"), [
    (camera_exif("2026:11:22 08:00:00", lat=NO_FIX, lon=NO_FIX), ["gps_no_fix"], False),
    (camera_exif(lat=(IFDRational(30, 0), IFDRational(0, 1), IFDRational(0, 1)),
                 lon=(IFDRational(120, 1), IFDRational(0, 1), IFDRational(0, 1))),
     ["gps_not_a_number"], True),
    (camera_exif(lat=95.0, lon=120.8), ["gps_out_of_range"], True),
    (camera_exif(lat=30.7, lon=190.0), ["gps_out_of_range"], True),
    (camera_exif("2026:11:22 11:00:00", offset=None), ["time_no_zone"], False),
    (camera_exif("0000:00:00 00:00:00"), ["time_unset"], False),
    (camera_exif("2026:02:30 25:61:00"), ["time_unreadable"], True),
    (camera_exif("2026:11:22 11:00:00", offset="+99:00"), ["time_no_zone", "zone_unreadable"],
     True),
])
def test_unusable_camera_values_are_ignored_and_the_scan_is_recorded(
        client, people, district, db, exif, ignored, flagged):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin, exif=exif)
    response = post(client, people["collector"], photo, **CLAIM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["exif_ignored"] == ignored
    assert ("photo_metadata_unusable" in body["flags"]) is flagged
    # nothing unusable is compared: no mismatch flag from a value that was left out
    assert not {"photo_time_mismatch", "photo_place_mismatch"} & set(body["flags"])
    assert counts(db) == (1, 1)
    with db.read() as s:
        assert s.scalars(select(ScanAttempt.status)).one() == "recorded"


def test_a_reader_that_lets_nan_through_does_not_refuse_the_scan(settings, db, people,
                                                                 district):
    """The service itself does not trust the reader: NaN and out-of-range points are left out."""
    from custody.web import create_app

    def read(photo: bytes) -> scanners.PhotoContents:
        contents = scanners.read_photo(photo)
        return scanners.PhotoContents(contents.codes, scanners.PhotoMetadata(
            taken_at=datetime.fromisoformat("2026-11-22T08:00:00+08:00"),
            latitude=math.nan, longitude=math.nan))

    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=read)})
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = post(app.test_client(), people["collector"], photo, **CLAIM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["exif_ignored"] == ["gps_out_of_range"]
    assert "photo_metadata_unusable" in body["flags"]
    assert counts(db) == (1, 1)


def test_the_isolated_decoder_carries_what_was_ignored(settings, db, people, district):
    """The production path (decoder worker processes) gives the same answer."""
    from custody.web import create_app

    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin,
                        exif=camera_exif(lat=NO_FIX, lon=NO_FIX))
    try:
        body = post(app.test_client(), people["collector"], photo, **CLAIM).get_json()
    finally:
        app.extensions["custody.scanning"].read.__self__.close()
    assert body["status"] == "recorded" and body["exif_ignored"] == ["gps_no_fix"]


# --- every upload that reaches the decoder leaves an attempt row ---------------------------

class DecoderGaveUp:
    """A decoder whose worker timed out on every photo."""

    @staticmethod
    def read(photo: bytes):
        raise scanners.DecodeTimeout("decoder took longer than 20 s")


def outcomes(d) -> list[tuple[str, dict, int, str]]:
    """(name, what the phone sends, the HTTP status, the attempt's status)."""
    forged = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/B00000009AAAAAAAAAAAAAAAAA"
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")
    gps_nan = camera_exif(lat=(IFDRational(30, 0),) * 3, lon=(IFDRational(120, 0),) * 3)
    return [
        ("recorded", {"photo": phone_photo(d.kitchen_bag, d.kitchen_bin)}, 201, "recorded"),
        ("recorded despite 0/0 GPS", {"photo": phone_photo(
            d.hazardous_bag, d.other_bin, exif=camera_exif(lat=NO_FIX, lon=NO_FIX))},
         201, "recorded"),
        ("recorded despite NaN GPS", {"photo": phone_photo(
            d.kitchen_bag, d.other_bin, seed=3, exif=gps_nan)}, 201, "recorded"),
        ("no code", {"photo": phone_photo()}, 422, "no_code"),
        ("not a photo", {"photo": b"%PDF-1.4 not a photo"}, 422, "not_a_photo"),
        ("empty file", {"photo": b""}, 422, "not_a_photo"),
        ("image bomb", {"photo": bomb.getvalue()}, 413, "not_a_photo"),
        ("forged code", {"photo": phone_photo(extra_codes=(forged,))}, 422, "no_valid_code"),
        ("codes that do not fit", {"photo": phone_photo(d.kitchen_bag, seed=4)}, 422,
         "scan_not_understood"),
        ("one weight for two bags", {"photo": phone_photo(d.kitchen_bag, d.hazardous_bag,
                                                          d.kitchen_bin, seed=5),
                                     "weight_kg": "2"}, 422, "ambiguous_weight"),
        ("role not allowed", {"photo": phone_photo(d.room, d.truck, seed=6),
                              "action": "load"}, 403, "role_not_allowed"),
    ]


def test_every_outcome_leaves_exactly_one_attempt_row(client, people, district, db):
    collector = people["collector"]
    for n, (name, sent, status, state) in enumerate(outcomes(district), start=1):
        fields = {k: v for k, v in sent.items() if k != "photo"}
        response = post(client, collector, sent["photo"], **fields)
        assert response.status_code == status, (name, response.get_json())
        body = response.get_json()
        scan_id = body["scan_id"]
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(ScanAttempt)) == n, name
            row = s.get(ScanAttempt, scan_id)
        assert (row.status, row.http_status) == (state, status), name
        if status != 201:
            assert body["error"]["scan_id"] == scan_id, name


def test_a_decoder_that_gave_up_leaves_an_attempt_row(settings, db, people, district):
    from custody.web import create_app

    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": DecoderGaveUp})
    response = post(app.test_client(), people["collector"],
                    phone_photo(district.kitchen_bag, district.kitchen_bin))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unreadable_photo"
    assert counts(db) == (0, 1)


def test_a_note_with_a_nul_is_a_clear_400_on_every_database(client, people, district, db):
    """PostgreSQL cannot store NUL in text: the schema says so before anything is written."""
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = post(client, people["collector"], photo, note="bin lid\x00broken")
    assert response.status_code == 400
    assert response.get_json()["error"]["problems"][0]["field"] == "note"
    assert counts(db) == (0, 0)


def test_the_domain_leaves_out_impossible_points_and_flags_only_impossible_values():
    from custody.domain.model import Point
    from custody.domain.scans import evidence_flags, usable_point

    assert usable_point(30.7, 120.8) == Point(30.7, 120.8)
    for lat, lon in ((math.nan, 120.8), (30.7, math.inf), (95.0, 120.8), (30.7, -181.0),
                     (None, 120.8), ("x", 1.0)):
        assert usable_point(lat, lon) is None
    quiet = dict(photo_time=None, photo_point=None, claimed_time=None, claimed_point=None,
                 registered=[])
    assert evidence_flags(**quiet, ignored=("gps_no_fix", "time_unset", "time_no_zone")) == ()
    for reason in ("gps_not_a_number", "gps_out_of_range", "gps_incomplete",
                   "time_unreadable", "zone_unreadable"):
        assert evidence_flags(**quiet, ignored=(reason,)) == ("photo_metadata_unusable",)
    naive = datetime(2026, 11, 22, 3, 0)  # no zone: never compared
    assert evidence_flags(**{**quiet, "photo_time": naive,
                             "claimed_time": datetime.fromisoformat(CLAIM["client_time"])}) == ()
