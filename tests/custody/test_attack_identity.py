"""The attack run on identities and sessions: forged codes, a fixed session, a replayed scan."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from custody.db.schema import Handover, ScanAttempt
from tests.custody.photos import IDENTITY, TEST_HOST, phone_photo
from tests.custody.test_accounts_web import HTML, csrf


def forgeries(asset: str, other: str) -> dict[str, str]:
    """Codes an attacker can print: each names ``asset`` but is not its genuine code."""
    genuine = IDENTITY.make_token(asset)
    tag = genuine[len(asset) + 1:]
    return {"wrong_key_id": f"{asset}B{tag}",
            "bad_tag": f"{asset}A{'A' * len(tag)}",
            "tag_of_another_asset": f"{asset}A{IDENTITY.make_token(other)[len(other) + 1:]}",
            "lower_case": genuine.lower(),
            "truncated_tag": genuine[:-3]}


@pytest.mark.parametrize("forgery", ["wrong_key_id", "bad_tag", "tag_of_another_asset",
                                     "truncated_tag"])
def test_a_forged_code_opens_no_trace_and_records_nothing(client, people, district, db,
                                                          forgery):
    token = forgeries(district.kitchen_bag, district.hazardous_bag)[forgery]
    page = client.get(f"/T/{token}", headers=HTML)
    assert 400 <= page.status_code < 500 and page.status_code != 405, page.status_code
    text = page.get_data(as_text=True)
    assert district.kitchen_bag not in text or "凤桥村" not in text  # nothing about the bag
    api = client.get(f"/T/{token}", headers={"Accept": "application/json"})
    assert 400 <= api.status_code < 500
    photo = phone_photo(district.kitchen_bin, extra_codes=(
        f"HTTPS://{TEST_HOST}/T/{token}",))
    response = client.post("/api/v1/scans", content_type="multipart/form-data",
                           data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                           headers={**people["collector"]["auth"], "Idempotency-Key": forgery})
    assert response.status_code == 422, response.get_json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_json()["error"]["message"])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 0


def test_signing_in_never_keeps_a_session_the_attacker_planted(app, people):
    """Session fixation: a cookie set before signing in is not the one signed in."""
    victim = app.test_client()
    csrf(victim)
    planted = victim.get_cookie("session").value
    wang = people["supervisor"]
    signed = victim.post("/login", data={"name": wang["name"], "password": wang["password"],
                                         "csrf_token": csrf(victim)}, headers=HTML)
    assert signed.status_code == 303
    assert victim.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/supervise", headers=HTML).status_code in (302, 401)


def test_a_captured_scan_replayed_by_another_phone_records_nothing_more(client, people,
                                                                        district, db):
    """Someone who captured a collector's upload posts it again, under their own token."""
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    form = {"action": "deposit", "weight_kg": "1.5", "client_time": "2026-11-25T01:00:00Z"}
    first = client.post("/api/v1/scans", content_type="multipart/form-data",
                        data={**form, "photo": (io.BytesIO(photo), "p.jpg")},
                        headers={**people["collector"]["auth"], "Idempotency-Key": "k-1"})
    assert first.status_code == 201
    replay = client.post("/api/v1/scans", content_type="multipart/form-data",
                         data={**form, "photo": (io.BytesIO(photo), "p.jpg")},
                         headers={**people["booth_keeper"]["auth"], "Idempotency-Key": "k-1"})
    assert replay.status_code == 200 and replay.get_json()["status"] == "repeat"
    # The same key with another body: refused, not a silent replay of the first answer.
    other = client.post("/api/v1/scans", content_type="multipart/form-data",
                        data={**form, "weight_kg": "9", "photo": (io.BytesIO(photo), "p.jpg")},
                        headers={**people["collector"]["auth"], "Idempotency-Key": "k-1"})
    assert 400 <= other.status_code < 500, other.get_json()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 1
        assert s.scalar(select(func.count()).select_from(ScanAttempt)) == 2


def test_a_revoked_phone_loses_the_browser_session_it_traded_its_token_for(
        client, people, district, db):
    """A lost phone: its token was traded for a session cookie; revoking the phone ends both,
    and its queued scan (sent with the session's CSRF header) records nothing."""
    wang = people["collector"]
    traded = client.post("/phone/session", headers={**wang["auth"], "Accept": "application/json"})
    assert traded.status_code == 200
    csrf_token = client.get("/phone/session.json").get_json()["csrf_token"]
    assert client.get("/phone/collect", headers=HTML).status_code == 200
    admin = people["admin"]["auth"]
    assert client.delete(f"/api/v1/devices/{wang['device_id']}", headers=admin).status_code == 204
    page = client.get("/phone/collect", headers=HTML)
    assert page.status_code in (302, 401), page.status_code
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    queued = client.post("/api/v1/scans", content_type="multipart/form-data",
                         data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                         headers={"X-CSRF-Token": csrf_token, "Idempotency-Key": "lost",
                                  "Accept": "application/json"})
    assert queued.status_code == 401, queued.get_json()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 0


@pytest.mark.parametrize("path", ["/lang/en", "/lang/zh", "/phone/start", "/login"])
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "\\\\evil.example", "https:evil.example", "/%2F%2Fevil.example",
                                    "javascript:alert(1)", " //evil.example", "/\t/evil.example"])
def test_no_next_leads_off_site(client, path, target):
    response = client.get(path, query_string={"next": target}, headers=HTML)
    assert response.status_code < 500
    location = response.headers.get("Location", "")
    parsed = urlsplit(location)  # as a browser resolves it: on this site, or nowhere
    assert (parsed.scheme, parsed.netloc) in (("", ""), ("http", "localhost")), location
    assert not parsed.path.startswith(("//", "/\\")), location
    body = response.get_data(as_text=True)
    assert f'"{target}"' not in body or target.startswith("/")  # not echoed as a link target
