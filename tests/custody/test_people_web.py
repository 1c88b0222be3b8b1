"""People on the web: a supervisor or an admin creates users, changes roles, resets passwords,
deactivates, and revokes phones, each within what their role may manage."""

from __future__ import annotations

from custody.services import accounts
from tests.custody.test_desk import EN
from tests.custody.test_phone import HTML, sign_in
from tests.custody.test_supervise import page


def post(client, url, csrf, headers=HTML, **form):
    """A people-page form, as the browser posts it."""
    return client.post(url, headers=headers, data={"csrf_token": csrf, **form})


def test_a_supervisor_creates_a_collector_who_can_then_sign_in(client, people, db, app):
    csrf = sign_in(client, people["supervisor"])
    text = page(client, "/supervise/people")
    assert "新用户" in text and people["collector"]["name"] in text
    done = post(client, "/supervise/people", csrf, name="陈收集", role="collector",
                password="a-good-password")
    assert done.status_code == 303 and "done=created" in done.headers["Location"]
    assert "用户已创建" in page(client, done.headers["Location"])
    newcomer = app.test_client()
    sign_in(newcomer, {"name": "陈收集", "password": "a-good-password"})
    assert newcomer.get("/phone", headers=HTML).headers["Location"] == "/phone/collect"
    again = post(client, "/supervise/people", csrf, name="陈收集", role="driver",
                 password="another-password")
    assert again.status_code == 409 and "已有同名用户" in again.get_data(as_text=True)
    short = post(client, "/supervise/people", csrf, name="x", role="driver", password="short")
    assert short.status_code == 400
    admin = post(client, "/supervise/people", csrf, name="boss", role="admin",
                 password="a-good-password")
    assert admin.status_code == 403
    bad_role = post(client, "/supervise/people", csrf, name="y", role="king",
                    password="a-good-password")
    assert bad_role.status_code == 400
    english = post(client, "/supervise/people", csrf, EN, name="陈收集", role="driver",
                   password="another-password")
    assert "A user with this name already exists." in english.get_data(as_text=True)
    assert accounts.actor_role(db, accounts.actor_id_by_name(db, "陈收集")) == "collector"


def test_only_an_admin_manages_supervisors_and_admins(client, people, db):
    csrf = sign_in(client, people["supervisor"])
    supervisor_page = page(client, "/supervise/people")
    admin_row = supervisor_page.split(f'data-user="{people["admin"]["name"]}"')[1].split("</tr>")[0]
    assert "/role" not in admin_row  # nothing to change on an admin's row
    for url in (f"/supervise/people/{people['admin']['id']}/role",
                f"/supervise/people/{people['admin']['id']}/password"):
        response = post(client, url, csrf, role="collector", password="taken-over-1")
        assert response.status_code == 403, url
    promote = post(client, f"/supervise/people/{people['driver']['id']}/role", csrf,
                   role="supervisor")
    assert promote.status_code == 403
    mine = post(client, f"/supervise/people/{people['supervisor']['id']}/active", csrf,
                active="0")
    assert mine.status_code == 403
    assert accounts.actor_role(db, people["admin"]["id"]) == "admin"
    admin_client_csrf = sign_in(client, people["admin"])
    done = post(client, f"/supervise/people/{people['supervisor']['id']}/role",
                admin_client_csrf, role="driver")
    assert done.status_code == 303
    assert accounts.actor_role(db, people["supervisor"]["id"]) == "driver"
    assert post(client, "/supervise/people/999999/role", admin_client_csrf,
                role="driver").status_code == 404


def test_role_password_deactivation_and_phones(client, people, db, app):
    csrf = sign_in(client, people["supervisor"])
    driver = people["driver"]
    driver_browser = app.test_client()
    sign_in(driver_browser, driver)
    assert post(client, f"/supervise/people/{driver['id']}/role", csrf,
                role="collector").status_code == 303
    assert accounts.actor_role(db, driver["id"]) == "collector"
    assert driver_browser.get("/phone/collect", headers=HTML).status_code == 302  # signed out
    assert post(client, f"/supervise/people/{driver['id']}/password", csrf,
                password="new-secret-9").status_code == 303
    assert accounts.authenticate_password(db, driver["name"], driver["password"]) is None
    assert accounts.authenticate_password(db, driver["name"], "new-secret-9") is not None
    assert post(client, f"/supervise/people/{driver['id']}/password", csrf,
                password="short").status_code == 400
    phone = client.get("/api/v1/me", headers=people["collector"]["auth"])
    assert phone.status_code == 200
    assert post(client, f"/supervise/people/{people['collector']['id']}/active", csrf,
                active="0").status_code == 303
    assert client.get("/api/v1/me", headers=people["collector"]["auth"]).status_code == 401
    row = page(client, "/supervise/people").split(f"data-user=\"{people['collector']['name']}\"")[1]
    assert ">停用 ·" in row.split("</tr>")[0]
    assert post(client, f"/supervise/people/{people['collector']['id']}/active", csrf,
                active="1").status_code == 303
    assert client.get("/api/v1/me", headers=people["collector"]["auth"]).status_code == 200
    revoke = post(client, f"/supervise/people/phones/{people['collector']['device_id']}/revoke",
                  csrf)
    assert revoke.status_code == 303 and "done=revoked" in revoke.headers["Location"]
    assert client.get("/api/v1/me", headers=people["collector"]["auth"]).status_code == 401
    refused = post(client, f"/supervise/people/phones/{people['admin']['device_id']}/revoke",
                   csrf)
    assert refused.status_code == 403
    assert post(client, "/supervise/people/phones/424242/revoke", csrf).status_code == 404
    assert client.get("/api/v1/me", headers=people["admin"]["auth"]).status_code == 200


def test_field_roles_may_not_manage_people(client, people):
    csrf = sign_in(client, people["booth_keeper"])
    assert client.get("/supervise/people", headers=HTML).status_code == 403
    assert post(client, "/supervise/people", csrf, name="z", role="collector",
                password="a-good-password").status_code == 403
