"""Enrolling a phone by QR, as the supervisor's browser and the phone's page do it over HTTP."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

import scanners
from custody.db.schema import Enrolment, ScanAttempt
from custody.domain.errors import EnrolmentUnusable
from custody.services import devices, enrolment
from tests.custody.photos import phone_photo
from tests.custody.test_phone import HTML, sign_in

JSON = {"Accept": "application/json"}


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def csrf_of(client) -> str:
    """The CSRF token of the client's session."""
    with client.session_transaction() as session:
        return session["csrf_token"]


def make_code(app, people, user: str = "collector-user", lang: str = "zh") -> tuple[str, str]:
    """Sign in as the supervisor, make an enrolment code for ``user``; (link, page text)."""
    pc = app.test_client()
    csrf = sign_in(pc, people["supervisor"])
    form = pc.get("/supervise/enrol", headers={**HTML, "Accept-Language": lang})
    assert form.status_code == 200 and user in form.get_data(as_text=True)
    made = pc.post("/supervise/enrol", data={"user": user, "name": "A52", "csrf_token": csrf},
                   headers={**HTML, "Accept-Language": lang})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    body = made.get_data(as_text=True)
    link = re.search(r'id="enrol-link" href="([^"]+)"', body).group(1)
    assert "<svg" in body  # the QR itself
    return link, body


def open_link(app, link: str):
    """A fresh phone opening the link, then its script posting the code back."""
    phone = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = phone.get("/" + path, headers=HTML)
    return phone, "/" + path, page


def redeem(phone, path: str):
    """What the enrolment page's script sends (with a CSRF token from any page)."""
    phone.get("/login", headers=HTML)
    return phone.post(path, headers={**JSON, "X-CSRF-Token": csrf_of(phone)})


def test_a_supervisor_enrols_a_phone_by_qr_and_the_phone_is_signed_in_as_that_person(
        app, people, db, district):
    link, page = make_code(app, people)
    assert "collector-user" in page and "只能使用一次" in page
    phone, path, opened = open_link(app, link)
    assert opened.status_code == 200 and "collector-user" in opened.get_data(as_text=True)
    with db.read() as session:
        (stored,) = session.scalars(select(Enrolment))
    assert path.rsplit("/", 1)[1] not in stored.code_hash  # only the hash is kept
    answer = redeem(phone, path)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    token = answer.get_json()["token"]
    assert answer.get_json()["user"] == "collector-user"
    # the phone's session: its own page, as that person
    assert phone.get("/phone", headers=HTML).headers["Location"] == "/phone/collect"
    assert phone.get("/phone/collect", headers=HTML).status_code == 200
    # the token sends scans, exactly as the phone page does
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    scan = phone.post("/api/v1/scans", data={"action": "deposit",
                                             "photo": (io.BytesIO(photo), "p.jpg")},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4()),
                 **JSON})
    assert scan.status_code == 201
    with db.read() as session:
        (attempt,) = session.scalars(select(ScanAttempt))
    device = devices.get_device(db, answer.get_json()["device_id"])
    assert attempt.device_id == device.id and device.name == "A52"
    assert device.actor_name == "collector-user"


def test_a_code_works_once_and_a_used_code_gets_a_clear_page_in_both_languages(app, people):
    link, _ = make_code(app, people)
    phone, path, _ = open_link(app, link)
    assert redeem(phone, path).status_code == 200
    other, _, again = open_link(app, link)
    assert again.status_code == 410
    assert "已经使用过" in again.get_data(as_text=True)
    english = other.get(path, headers={**HTML, "Accept-Language": "en"})
    assert "already been used" in english.get_data(as_text=True)
    late = redeem(other, path)
    assert late.status_code == 410 and late.get_json()["error"]["reason"] == "used"


def test_an_expired_code_gets_a_clear_page(app, people, db):
    link, _ = make_code(app, people)
    with db.write_engine.begin() as conn:
        conn.execute(update(Enrolment).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    phone, path, page = open_link(app, link)
    assert page.status_code == 410 and "已过期" in page.get_data(as_text=True)
    assert redeem(phone, path).status_code == 410


def test_an_unknown_code_is_a_404_page_and_guessing_is_throttled(app):
    phone = app.test_client()
    page = phone.get("/phone/enrol/not-a-code", headers=HTML)
    assert page.status_code == 404 and "不认识" in page.get_data(as_text=True)
    statuses = [phone.get(f"/phone/enrol/guess{n}", headers=HTML).status_code
                for n in range(25)]
    assert 429 in statuses and 500 not in statuses


def test_revoking_the_device_signs_the_phone_out_on_its_next_request(app, people, db):
    link, _ = make_code(app, people)
    phone, path, _ = open_link(app, link)
    enrolled = redeem(phone, path).get_json()
    assert phone.get("/phone/collect", headers=HTML).status_code == 200
    devices.revoke_device(db, enrolled["device_id"])
    # the page: the session made with the token ends with the device
    page = phone.get("/phone/collect", headers=HTML)
    assert page.status_code == 302 and page.headers["Location"].startswith("/phone/start")
    # the upload: the token itself is refused
    scan = phone.post("/api/v1/scans", headers={"Authorization": f"Bearer {enrolled['token']}",
                                                "Idempotency-Key": "k1", **JSON})
    assert scan.status_code == 401 and scan.get_json()["error"]["code"] == "invalid_token"
    # trading the token for a new session: refused too
    again = app.test_client().post("/phone/session", headers={
        "Authorization": f"Bearer {enrolled['token']}", **JSON})
    assert again.status_code == 401


def test_a_phone_without_a_session_trades_its_token_for_one(app, people):
    phone = app.test_client()
    hop = phone.get("/phone/collect", headers=HTML)
    assert hop.headers["Location"] == "/phone/start?next=/phone/collect"
    start = phone.get(hop.headers["Location"], headers=HTML)
    assert start.status_code == 200 and "/login?next=/phone/collect" in start.get_data(
        as_text=True)
    traded = phone.post("/phone/session", headers={**people["collector"]["auth"], **JSON})
    assert traded.status_code == 200 and traded.get_json()["home"] == "/phone"
    page = phone.get("/phone/collect", headers=HTML)
    assert page.status_code == 200
    assert "登出" not in page.get_data(as_text=True)  # an enrolled phone stays signed in


def test_a_supervisor_cannot_enrol_an_admins_phone_and_bad_forms_are_4xx(app, people):
    pc = app.test_client()
    csrf = sign_in(pc, people["supervisor"])
    assert "admin-user" not in pc.get("/supervise/enrol", headers=HTML).get_data(as_text=True)
    for data, status in [({"user": "admin-user", "name": "x"}, 403),
                         ({"user": "nobody", "name": "x"}, 404),
                         ({"user": "collector-user", "name": ""}, 400),
                         ({"user": "collector-user", "name": "x" * 101}, 400)]:
        answer = pc.post("/supervise/enrol", data={**data, "csrf_token": csrf}, headers=HTML)
        assert answer.status_code == status, data
    collector = app.test_client()
    sign_in(collector, people["collector"])
    assert collector.get("/supervise/enrol", headers=HTML).status_code == 403


def test_two_phones_racing_with_one_code_get_one_device(db, people):
    made = enrolment.start(db, people["collector"]["id"], "A52", people["supervisor"]["id"])
    first = enrolment.redeem(db, made.code)
    with pytest.raises(EnrolmentUnusable):
        enrolment.redeem(db, made.code)
    assert devices.get_device(db, first.device_id).actor_id == people["collector"]["id"]
    assert devices.authenticate_token(db, first.token).name == "collector-user"
