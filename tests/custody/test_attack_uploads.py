"""The attack run on uploads and file paths: bombs, non-images, huge dimensions, traversal.

Every bad upload is a 4xx in the reader's language (zh by default) and stores nothing; no
path leads out of its folder.
"""

from __future__ import annotations

import io

import pytest

from custody.services import ledger
from tests.custody.photos import phone_photo
from tests.custody.test_attack_run import sound


def bomb_png() -> bytes:
    """A PNG that claims 60000 x 60000 pixels (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = zlib.compress(b"\x00" * (60000 // 8 + 1) * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 1, 0,
                                                                0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def exif_bomb(district) -> bytes:
    """A real label photo carrying a huge, self-referencing EXIF block."""
    from PIL import Image

    photo = Image.open(io.BytesIO(phone_photo(district.kitchen_bag, district.kitchen_bin)))
    exif = Image.Exif()
    exif[0x010E] = "A" * 60_000  # ImageDescription
    exif[0x9286] = b"\x00" * 1000  # UserComment
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def zip_bomb() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("photo.jpg", b"\x00" * 20_000_000)
    return out.getvalue()


@pytest.mark.parametrize("photo", ["empty", "text", "zip", "bomb", "truncated", "svg", "gif"])
def test_hostile_uploads_are_4xx_in_zh_and_store_nothing(client, people, district, stored,
                                                        photo):
    data = {"empty": b"", "text": b"hello, I am not a photo",
            "zip": zip_bomb(), "bomb": bomb_png(),
            "truncated": phone_photo(district.kitchen_bag, district.kitchen_bin)[:5000],
            "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "gif": b"GIF89a" + b"\xff\xff\xff\xff" + b"\x00" * 20}[photo]
    before = stored()
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit", "photo": (io.BytesIO(data), "../../x.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": photo})
    assert 400 <= response.status_code < 500, response.get_json()
    sound(response, photo)
    assert stored() == before


def test_an_exif_bomb_is_read_for_its_codes_and_recorded(client, people, district, db):
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit",
                                 "photo": (io.BytesIO(exif_bomb(district)), "p.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": "exif"})
    assert response.status_code == 201, response.get_json()
    assert ledger.verify(db).ok


def test_an_oversized_upload_is_413_in_zh(client, people, district, stored):
    before = stored()
    huge = b"\xff\xd8\xff" + b"\x00" * (40 * 1024 * 1024)
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit", "photo": (io.BytesIO(huge), "p.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": "big"})
    assert response.status_code == 413
    sound(response, "huge")
    assert stored() == before


@pytest.mark.parametrize("url", [
    "/map-assets/../../custody/config.py", "/map-assets/..%2f..%2fcustody%2fconfig.py",
    "/map-assets/%2e%2e/%2e%2e/custody/config.py", "/map-assets//etc/passwd",
    "/static/../__init__.py", "/static/..%2f__init__.py", "/static/%2e%2e/config.py",
    "/photos/..%2f..%2fcustody.sqlite.jpg", "/photos/../../custody.sqlite/original",
    "/supervise/assets/..%2f..%2fetc%2fpasswd/label.svg",
    "/supervise/assessment/bulletin/..%2f..%2fsecret_key.pdf"])
def test_no_path_leads_out_of_its_folder(client, people, url):
    for headers in ({}, people["admin"]["auth"]):
        response = client.get(url, headers=headers, follow_redirects=True)
        assert response.status_code in (400, 401, 404) or response.request.path.startswith(
            "/login"), (url, response.status_code)
        body = response.get_data()
        assert b"root:" not in body and b"SECRET" not in body and b"def " not in body


def huge_jpeg(district) -> bytes:
    """A real photo whose frame header claims 65000 x 65000 pixels."""
    photo = bytearray(phone_photo(district.kitchen_bag, district.kitchen_bin))
    sof = photo.index(b"\xff\xc0")
    photo[sof + 5:sof + 9] = (65000).to_bytes(2, "big") * 2
    return bytes(photo)


def test_a_photo_claiming_huge_dimensions_is_refused_in_zh(client, people, district, stored):
    before = stored()
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit",
                                 "photo": (io.BytesIO(huge_jpeg(district)), "p.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": "dims"})
    assert 400 <= response.status_code < 500, response.get_json()
    sound(response, "dims")
    assert stored() == before
