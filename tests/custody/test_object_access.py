"""Object-level access: a scan attempt is its uploader's (and its managers'); originals with
their EXIF GPS are for those who manage only. Walked with phones' tokens and browser sessions."""

import io
import uuid
from types import SimpleNamespace

import pytest
from PIL import Image

import scanners
from custody.domain.model import Role
from custody.services import accounts, devices
from tests.custody.photos import phone_photo
from tests.custody.test_accounts_web import sign_in

HTML = {"Accept": "text/html"}


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


@pytest.fixture
def staff(db, people) -> dict:
    """The people fixture plus a second collector (same role as the uploader)."""
    actor_id = accounts.create_user(db, "zhao", Role.COLLECTOR, "zhao-password")
    _, token = devices.issue_device_token(db, actor_id, "zhao's phone")
    return {**people, "other collector": {"id": actor_id, "name": "zhao",
                                          "password": "zhao-password",
                                          "auth": {"Authorization": f"Bearer {token}"}}}


def gps_photo(district) -> bytes:
    """A phone JPEG whose EXIF says where the collector stood."""
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (30.0, 42.0, 7.5), 3: "E", 4: (120.0, 48.0, 1.25)})
    return phone_photo(district.kitchen_bag, district.kitchen_bin, exif=exif.tobytes())


@pytest.fixture
def upload(client, staff, district):
    """The collector's recorded scan: (scan id, photo sha256, the photo's bytes)."""
    photo = gps_photo(district)
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                           headers={**staff["collector"]["auth"],
                                    "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return body["scan_id"], body["photo_sha256"], photo


def reader(app, staff, who: str, via: str):
    """(a client, the headers) for ``who`` reading as a phone (token) or a browser (session)."""
    client = app.test_client()
    if who == "anonymous":
        return client, {}
    if via == "token":
        return client, staff[who]["auth"]
    assert sign_in(client, staff[who]["name"], staff[who]["password"]).status_code == 303
    return client, {}


SCAN_READERS = {"collector": 200, "other collector": 404, "driver": 404, "booth_keeper": 404,
                "facility_operator": 404, "supervisor": 200, "admin": 200}


@pytest.mark.parametrize("via", ["token", "session"])
@pytest.mark.parametrize("who", sorted(SCAN_READERS))
def test_a_scan_attempt_is_read_by_its_uploader_and_managers_only(app, staff, upload, who,
                                                                  via):
    scan_id, _, _ = upload
    client, headers = reader(app, staff, who, via)
    response = client.get(f"/api/v1/scans/{scan_id}", headers=headers)
    assert response.status_code == SCAN_READERS[who]
    if response.status_code == 200:
        assert response.get_json()["answer"]["scan_id"] == scan_id
    else:  # exactly what a scan that does not exist gets: its existence is not revealed
        missing = client.get(f"/api/v1/scans/{scan_id + 1000}", headers=headers)
        assert (missing.status_code, missing.get_json()) == (404, response.get_json())
        assert "codes" not in response.get_data(as_text=True)


def test_an_anonymous_reader_must_sign_in(client, upload):
    assert client.get(f"/api/v1/scans/{upload[0]}").status_code == 401


ORIGINAL_READERS = {"collector": 403, "other collector": 403, "driver": 403,
                    "booth_keeper": 403, "facility_operator": 403, "supervisor": 200,
                    "admin": 200}


@pytest.mark.parametrize("via", ["token", "session"])
@pytest.mark.parametrize("who", sorted(ORIGINAL_READERS))
def test_an_original_with_its_gps_is_for_managers_only(app, staff, upload, who, via):
    _, sha, photo = upload
    client, headers = reader(app, staff, who, via)
    response = client.get(f"/photos/{sha}/original", headers=headers)
    assert response.status_code == ORIGINAL_READERS[who]
    if response.status_code == 200:
        assert response.data == photo  # as uploaded, EXIF GPS included
    else:
        assert response.data != photo and b"GPS" not in response.data
        missing = client.get(f"/photos/{'0' * 64}/original", headers=headers)
        assert missing.status_code == 403  # refused before looking: nothing to compare


def test_an_anonymous_browser_asking_for_an_original_is_sent_to_sign_in(client, upload):
    response = client.get(f"/photos/{upload[1]}/original", headers=HTML)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_public_copy_stays_public_and_has_no_gps(client, upload):
    _, sha, photo = upload
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the upload had GPS
    public = client.get(f"/photos/{sha}.jpg")
    assert public.status_code == 200
    copy = Image.open(io.BytesIO(public.data))
    assert not copy.getexif().get_ifd(0x8825) and not copy.getexif()
