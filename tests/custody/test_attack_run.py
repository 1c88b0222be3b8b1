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


def as_caller(client, name: str, cookie) -> None:
    """The supervisor's browser session for the caller named "session", none for the others."""
    if name != "session":
        client.delete_cookie("session")
    elif client.get_cookie("session") is None:
        client.set_cookie(cookie.key, cookie.value)


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
                as_caller(client, name, cookie)
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
                as_caller(client, name, cookie)
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


HEADERS = [{"Accept-Language": "../../etc/passwd"}, {"Accept-Language": "x" * 8000},
           {"Accept-Language": "zh;q=nan, en;q=1e999"}, {"Accept": "*/*;q=abc"},
           {"Authorization": "Bearer " + "A" * 10_000}, {"Authorization": "Basic Zm9vOmJhcg=="},
           {"Authorization": "Bearer \u00e9\u00e9"}, {"Authorization": "Bearer"},
           {"Cookie": "session=" + "x" * 4000}, {"Cookie": "session=..;lang=../../x"},
           {"X-Forwarded-For": "' OR 1=1 --, <script>"}, {"Host": "evil.example"},
           {"Idempotency-Key": "k" * 10_000}, {"Idempotency-Key": "\u00e9"},
           {"Content-Length": "abc"}, {"Range": "bytes=999999999-"}]


def test_hostile_headers_on_every_get_route(app, people, stored):
    client = app.test_client()
    before = stored()
    for rule, method in rules(app):
        if method != "GET":
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        for headers in HEADERS:
            client.delete_cookie("session")
            sound(client.get(url, headers=headers), (rule.endpoint, headers))
    assert stored() == before


@pytest.mark.parametrize("headers", HEADERS, ids=range(len(HEADERS)))
def test_hostile_headers_on_a_scan(client, people, district, stored, headers):
    before = stored()
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": "h",
                                    **headers})
    sound(response, headers)
    if response.status_code >= 400:
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
                as_caller(client, name, cookie)
                sound(client.open(url, method=method, data={"csrf_token": "walk"},
                                  headers=headers), (rule.endpoint, name, url[:120]))
    assert stored() == before


def test_every_error_code_has_a_message_in_each_language(app):
    """A refusal never falls back to an English-only message: each domain error's code (and
    each HTTP error's) has its own message, and a code without one still answers in zh."""
    from flask_babel import force_locale

    from custody.domain import errors
    from custody.web.errors import error_body
    from custody.web.messages import ERRORS

    codes = {c.code for c in vars(errors).values()
             if isinstance(c, type) and issubclass(c, errors.DomainError)}
    assert codes - set(ERRORS) == set()
    with app.test_request_context(), force_locale("zh"):
        body = error_body("i'm_a_teapot", "I'm a teapot")["error"]
    assert has_cjk(body["message"]) and body["detail"] == "I'm a teapot"
