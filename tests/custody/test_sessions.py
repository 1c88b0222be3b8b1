"""Browser sessions end on the server: a cookie captured before sign-out, deactivation or a
password change is refused on its next request."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from custody.db.schema import BrowserSession
from custody.services import accounts
from tests.custody.test_accounts_web import HTML, csrf, sign_in


def signed_in(app, who: dict):
    """A browser signed in as ``who``, and the session cookie an eavesdropper would copy."""
    browser = app.test_client()
    assert sign_in(browser, who["name"], who["password"]).status_code == 303
    return browser, browser.get_cookie("session").value


def replay(app, cookie: str):
    """A second browser presenting a captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_captured_cookie_stops_working_after_sign_out(app, people):
    browser, cookie = signed_in(app, people["supervisor"])
    assert replay(app, cookie).get("/api/v1/me").status_code == 200  # a working copy
    assert browser.post("/logout", data={"csrf_token": csrf(browser)}).status_code == 303
    thief = replay(app, cookie)
    assert thief.get("/api/v1/me").status_code == 401
    page = thief.get("/supervise", headers=HTML)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_signing_out_ends_only_that_session(app, people):
    pc, _ = signed_in(app, people["supervisor"])
    phone, _ = signed_in(app, people["supervisor"])
    pc.post("/logout", data={"csrf_token": csrf(pc)})
    assert pc.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 200


def test_deactivation_ends_every_session_at_once_and_for_good(app, db, people):
    wang = people["collector"]
    browser, cookie = signed_in(app, wang)
    accounts.set_active(db, wang["id"], False)
    assert browser.get("/api/v1/me").status_code == 401
    accounts.set_active(db, wang["id"], True)
    assert replay(app, cookie).get("/api/v1/me").status_code == 401  # not revived
    assert signed_in(app, wang)[0].get("/api/v1/me").status_code == 200


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, db, people):
    li = people["driver"]
    _, cookie = signed_in(app, li)
    accounts.set_password(db, li["id"], "a brand new password")
    assert replay(app, cookie).get("/api/v1/me").status_code == 401
    assert signed_in(app, {**li, "password": "a brand new password"})[0] \
        .get("/api/v1/me").status_code == 200


def test_an_expired_session_is_refused(app, db, people):
    _, cookie = signed_in(app, people["admin"])
    with db.WriteSession.begin() as s:
        s.execute(update(BrowserSession).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert replay(app, cookie).get("/api/v1/me").status_code == 401


def test_the_server_keeps_only_a_hash_of_the_cookie_secret(app, db, people):
    browser, _ = signed_in(app, people["admin"])
    with browser.session_transaction() as cookie_session:
        secret = cookie_session["sid"]
    with db.read() as s:
        (row,) = s.scalars(select(BrowserSession)).all()
    assert secret not in row.secret_hash and len(row.secret_hash) == 64
    assert row.actor_id == people["admin"]["id"] and row.ended_at is None


@pytest.mark.parametrize("forged", ["", "x" * 500, "not-a-session"])
def test_a_made_up_session_secret_is_anonymous(app, forged):
    browser = app.test_client()
    with browser.session_transaction() as cookie_session:
        cookie_session["sid"] = forged
    assert browser.get("/api/v1/me").status_code == 401
