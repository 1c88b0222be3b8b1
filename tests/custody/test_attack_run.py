"""An attack run at the HTTP surface, walked over the whole URL map.

Every route gets hostile path arguments, hostile and huge query values and
hostile bodies (malformed JSON, wrong content types, forms full of markup and
SQL), as an anonymous caller, a signed-in administrator (device token) and a
supervisor's browser session. Whatever it is sent, the app answers: never a
5xx, never a stack trace, an error in the reader's language (zh by default),
and nothing already stored changes.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from custody.db.account_tables import Device
from custody.db.schema import Actor, Asset, Handover
from custody.services import ledger
from tests.custody.photos import phone_photo

SKIPPED = {"HEAD", "OPTIONS"}
HOSTILE = ["../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "' OR 1=1 --",
           "<script>alert(1)</script>", "A" * 3000, "99999999999999999999999999", "-1",
           "\u0000x", "测试", "%", "=cmd|' /C calc'!A0", "0x7fffffff"]
QUERY_NAMES = ["from", "to", "level", "node", "by", "day", "date", "period", "q", "next",
               "kind", "village", "status", "flag", "page", "limit", "offset", "actor",
               "category", "format", "lang", "since", "until", "asset", "seq", "month"]


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - SKIPPED):
            yield rule, method


def urls(rule):
    """The rule built with each hostile value in each argument (those its converters take)."""
    base = dict.fromkeys(rule.arguments, "1")
    if not rule.arguments:
        yield rule.rule
        return
    for name in rule.arguments:
        for value in HOSTILE:
            try:
                yield rule.build({**base, name: value}, append_unknown=False)[1]
            except Exception:  # noqa: BLE001 - a converter refusing a value is the point
                yield rule.rule.split("<")[0] + value.replace("/", "%2F")


def sound(response, what):
    """The answer of an app under attack: no 5xx, no trace, a 4xx said in zh."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (what, response.status_code, body[:500])
    assert "Traceback" not in body and 'File "/' not in body, what
    if 400 <= response.status_code < 500 and response.status_code != 405:
        if response.is_json:
            error = response.get_json()["error"]
            assert has_cjk(error["message"]), (what, error)
        elif response.mimetype == "text/html":
            assert has_cjk(body), (what, body[:300])


@pytest.fixture
def stored(db, people, district):
    """What is stored before the attack: counted again after it."""
    def snapshot():
        with db.read() as s:
            return tuple(s.scalar(select(func.count()).select_from(t))
                         for t in (Actor, Asset, Device, Handover))
    return snapshot


def callers(client, people):
    """(name, headers) for an anonymous caller, an admin's phone, a supervisor's browser."""
    with client.session_transaction() as session:
        session["csrf_token"] = "walk"
    signed = client.post("/login", headers={"X-CSRF-Token": "walk"}, data={
        "name": people["supervisor"]["name"], "password": people["supervisor"]["password"]})
    assert signed.status_code == 303
    cookie = client.get_cookie("session")
    with client.session_transaction() as session:
        session["csrf_token"] = "walk"
    return cookie, [("anonymous", {}), ("admin", people["admin"]["auth"]),
                    ("session", {"X-CSRF-Token": "walk", "Accept": "text/html"})]


def test_hostile_path_arguments_on_every_route(app, people, stored):
    client = app.test_client()
    before = stored()
    cookie, who = callers(client, people)
    for rule, method in rules(app):
        if method != "GET":
            continue
        for url in urls(rule):
            for name, headers in who:
                if name != "session":
                    client.delete_cookie("session")
                elif client.get_cookie("session") is None:
                    client.set_cookie(cookie.key, cookie.value)
                sound(client.open(url, method=method, headers=headers),
                      (rule.endpoint, name, url[:120]))
    assert stored() == before


def test_hostile_and_huge_query_values_on_every_get_route(app, people, stored):
    client = app.test_client()
    before = stored()
    for rule, method in rules(app):
        if method != "GET":
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        for value in ["' OR 1=1 --", "<script>alert(1)</script>", "\u0000x", "-1",
                      "99999999999999999999999999", "9" * 20_000, "2026-02-30", "1e400"]:
            query = {name: value for name in QUERY_NAMES}
            for headers in ({}, people["admin"]["auth"],
                            {**people["supervisor"]["auth"], "Accept": "text/html"}):
                sound(client.get(url, query_string=query, headers=headers),
                      (rule.endpoint, value[:40]))
    assert stored() == before


BODIES = [
    ("application/json", b"{not json"),
    ("application/json", b'{"name": "' + b"x" * 200_000 + b'"}'),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"\\ud800"'),
    ("application/json", "\"\u0000\"".encode()),
    ("text/plain", b"name=x&password=y"),
    ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nx"),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"%zz=%zz&name=%ff%fe&" + b"a=" + b"b" * 50_000),
]


def test_hostile_bodies_on_every_state_changing_route(app, people, stored):
    client = app.test_client()
    before = stored()
    cookie, who = callers(client, people)
    for rule, method in rules(app):
        if method == "GET":
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        for content_type, body in BODIES:
            for name, headers in who:
                if name != "session":
                    client.delete_cookie("session")
                elif client.get_cookie("session") is None:
                    client.set_cookie(cookie.key, cookie.value)
                sound(client.open(url, method=method, data=body, content_type=content_type,
                                  headers={**headers, "Idempotency-Key": "attack"}),
                      (rule.endpoint, name, content_type, body[:40]))
    assert stored() == before


FORM_FIELDS = ["name", "password", "role", "device_name", "display_name", "reason",
               "decision", "note", "kind", "count", "category", "village", "asset_ids",
               "ids", "weight_kg", "new_role", "active", "code", "household", "next",
               "actor_id", "action", "lat", "lon"]


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "' OR 1=1 --", "=HYPERLINK()",
                                   "x" * 5000, "-1", "99999999999999999999999", "\u0000"])
def test_every_browser_form_takes_hostile_text_as_text(app, people, stored, value):
    """Each POST as a signed-in supervisor with a valid CSRF token and every field hostile."""
    client = app.test_client()
    cookie, _who = callers(client, people)
    for rule, method in rules(app):
        if method != "POST" or rule.endpoint in ("auth.logout", "auth.login"):
            continue
        client.set_cookie(cookie.key, cookie.value)
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        response = client.post(url, data={**dict.fromkeys(FORM_FIELDS, value),
                                          "csrf_token": "walk"},
                               headers={"X-CSRF-Token": "walk", "Accept": "text/html"})
        sound(response, (rule.endpoint, value[:20]))
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_no_browser_form_works_without_its_csrf_token(app, people, stored):
    """A signed-in browser tricked into posting any form without the token changes nothing."""
    client = app.test_client()
    before = stored()
    cookie, _who = callers(client, people)
    for rule, method in rules(app):
        if method == "GET" or rule.endpoint == "auth.login":
            continue
        client.set_cookie(cookie.key, cookie.value)
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        response = client.open(url, method=method, data={"name": "x", "role": "admin"},
                               headers={"Accept": "text/html"})
        assert response.status_code in (400, 403), (rule.endpoint, response.status_code)
        sound(response, rule.endpoint)
    assert stored() == before


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


def test_hostile_path_arguments_on_every_state_changing_route(app, people, stored):
    client = app.test_client()
    before = stored()
    cookie, who = callers(client, people)
    for rule, method in rules(app):
        if method == "GET" or not rule.arguments:
            continue
        for url in urls(rule):
            for name, headers in who:
                if name != "session":
                    client.delete_cookie("session")
                elif client.get_cookie("session") is None:
                    client.set_cookie(cookie.key, cookie.value)
                sound(client.open(url, method=method, data={"csrf_token": "walk"},
                                  headers=headers), (rule.endpoint, name, url[:120]))
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
