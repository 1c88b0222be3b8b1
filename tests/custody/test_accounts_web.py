"""Signing in from a browser and from a phone, CSRF, and enrolling phones over the API."""

import pytest

from custody.services import accounts

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def csrf(client) -> str:
    """The CSRF token of the client's session (made by visiting the login page)."""
    client.get("/login")
    with client.session_transaction() as session:
        return session["csrf_token"]


def sign_in(client, name: str, password: str, **extra):
    """Post the login form the way a browser does."""
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": csrf(client), **extra})


def test_the_login_page_speaks_one_language_and_carries_a_csrf_field(client):
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "登录" in body and "Sign in" not in body
    assert 'name="csrf_token"' in body and 'name="viewport"' in body
    english = client.get("/login", headers={**HTML, "Accept-Language": "en"})
    assert "Sign in" in english.get_data(as_text=True)


def test_password_login_and_logout(client, people):
    wang = people["collector"]
    response = sign_in(client, wang["name"], wang["password"])
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/v1/me").get_json() == {
        "actor_id": wang["id"], "name": wang["name"], "role": "collector", "via": "session"}
    assert wang["name"] in client.get("/login", headers=HTML).get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf(client)})
    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_a_wrong_password_signs_nobody_in(client, people):
    response = sign_in(client, people["driver"]["name"], "not the password", )
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, people):
    wang = people["collector"]
    response = sign_in(client, wang["name"], wang["password"], next="/api/v1/me")
    assert response.headers["Location"] == "/api/v1/me"
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = sign_in(client, wang["name"], wang["password"], next=evil)
        assert response.headers["Location"] == "/phone"  # their own page, never off site


def test_an_anonymous_browser_is_sent_to_the_login_page(client):
    response = client.get("/api/v1/devices", headers=HTML)
    assert response.status_code == 401  # API paths always answer JSON
    response = client.post("/logout", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/logout")


def test_a_device_token_signs_in_a_phone(client, people):
    li = people["driver"]
    me = client.get("/api/v1/me", headers=li["auth"]).get_json()
    assert me == {"actor_id": li["id"], "name": li["name"], "role": "driver", "via": "token"}


def test_a_revoked_token_is_refused_on_the_very_next_request(client, people):
    li, boss = people["driver"], people["supervisor"]
    assert client.get("/api/v1/me", headers=li["auth"]).status_code == 200
    response = client.delete(f"/api/v1/devices/{li['device_id']}", headers=boss["auth"])
    assert response.status_code == 204
    response = client.get("/api/v1/me", headers=li["auth"])
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert "invalid_token" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("header", ["Bearer cdy_1_nonsense", "Bearer ", "Basic d2FuZzp4"])
def test_bad_credentials_are_refused_even_on_public_pages(client, header):
    response = client.get("/healthz", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_deactivated_actor_is_refused_on_the_next_request(client, db, people):
    wang = people["collector"]
    sign_in(client, wang["name"], wang["password"])
    assert client.get("/api/v1/me").status_code == 200
    accounts.set_active(db, wang["id"], False)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=wang["auth"]).status_code == 401


def test_a_password_change_ends_other_browser_sessions(client, db, people):
    wang = people["collector"]
    sign_in(client, wang["name"], wang["password"])
    accounts.set_password(db, wang["id"], "a brand new password")
    assert client.get("/api/v1/me").status_code == 401


def test_csrf_guards_every_unsafe_browser_request(client, people):
    boss = people["supervisor"]
    sign_in(client, boss["name"], boss["password"])
    enrol = {"user": people["collector"]["name"], "name": "spare phone"}
    for headers in [{}, {"X-CSRF-Token": "wrong"}]:
        response = client.post("/api/v1/devices", json=enrol, headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "csrf_failed"
    response = client.post("/logout", data={"csrf_token": "wrong"}, headers=HTML)
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    response = client.post("/api/v1/devices", json=enrol, headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 201
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 303


def test_the_login_form_itself_needs_its_csrf_token(client, people):
    wang = people["collector"]
    response = client.post("/login", data={"name": wang["name"], "password": wang["password"]})
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_token_requests_need_no_csrf_token(client, people):
    response = client.post("/api/v1/devices", headers=people["admin"]["auth"],
                           json={"user": "driver-user", "name": "truck cab phone"})
    assert response.status_code == 201


def test_enrolling_a_phone_shows_its_token_once(client, people):
    admin = people["admin"]
    response = client.post("/api/v1/devices", headers=admin["auth"],
                           json={"user": "collector-user", "name": "王师傅的手机"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/devices/{body['id']}"
    shown = client.get(response.headers["Location"], headers=admin["auth"]).get_json()
    assert shown["name"] == "王师傅的手机" and "token" not in shown
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["name"] == "collector-user"
    listed = client.get("/api/v1/devices?user=collector-user", headers=admin["auth"]).get_json()
    assert [d["name"] for d in listed["devices"]] == ["王师傅的手机", "collector-user's phone"]


def test_enrolment_errors(client, people):
    boss = people["supervisor"]["auth"]
    cases = [({"user": "nobody", "name": "x"}, 404), ({"user": "driver-user"}, 400),
             ({"user": "driver-user", "name": "  "}, 422), ({"user": "admin-user", "name": "x"},
                                                           403)]
    for body, status in cases:
        assert client.post("/api/v1/devices", json=body, headers=boss).status_code == status
    admin_device = people["admin"]["device_id"]
    assert client.delete(f"/api/v1/devices/{admin_device}", headers=boss).status_code == 403
    assert client.delete("/api/v1/devices/999999", headers=boss).status_code == 404
    assert client.get("/api/v1/devices?user=nobody", headers=boss).status_code == 404
