"""The authorisation table decides every route x role; a route missing from it is denied."""

import pytest

from custody.domain.model import Role
from custody.web import create_app
from custody.web.access import ACCESS, ANYONE

ROLES = [role.value for role in Role]
PLACEHOLDER = 999999  # fits int, string and path arguments, and names no real record
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def rule_urls(app):
    """(endpoint, method, url) for every route, with placeholder arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        url = rule.build(dict.fromkeys(rule.arguments, PLACEHOLDER), append_unknown=False)[1]
        for method in sorted(rule.methods - SKIPPED_METHODS):
            found.append((rule.endpoint, method, url))
    return found


def is_denied(response) -> bool:
    """Whether the answer is a refusal: 401, 403, or a redirect to the login page."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and location.startswith("/login?")


def request_as(client, people, who, method, url, via):
    """One request as ``who`` ('anonymous' or a role), by device token or browser session."""
    headers = {}
    client.delete_cookie("session")
    if who != "anonymous" and via == "token":
        headers["Authorization"] = f"Bearer {people[who]['token']}"
    else:
        with client.session_transaction() as session:
            session["csrf_token"] = "walk"
        headers["X-CSRF-Token"] = "walk"
        if who != "anonymous":
            response = client.post("/login", headers=headers, data={
                "name": people[who]["name"], "password": people[who]["password"]})
            assert response.status_code == 303, response.get_data(as_text=True)
            with client.session_transaction() as session:
                session["csrf_token"] = "walk"
    return client.open(url, method=method, headers=headers, json={})


def test_every_route_is_in_the_table_and_every_entry_is_a_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS)


def test_the_table_names_only_known_roles():
    for endpoint, roles in ACCESS.items():
        assert roles and roles <= set(ROLES) | ANYONE, endpoint


@pytest.mark.parametrize("via", ["token", "session"])
def test_the_whole_table_walked_for_every_role(app, client, people, via):
    walked = 0
    for endpoint, method, url in rule_urls(app):
        for who in ["anonymous", *ROLES]:
            allowed = "anonymous" in ACCESS[endpoint] or who in ACCESS[endpoint]
            response = request_as(client, people, who, method, url, via)
            assert is_denied(response) != allowed, (endpoint, method, who, response.status_code)
            walked += 1
    assert walked >= len(ACCESS) * (len(ROLES) + 1)


def test_a_route_left_out_of_the_table_is_denied_to_everyone(settings, db, people):
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    app.add_url_rule("/test-only", "test_only", lambda: "secret", methods=["GET", "POST"])
    client = app.test_client()
    assert client.get("/test-only").status_code == 401
    for role in ROLES:
        for method in ["GET", "POST"]:
            response = client.open("/test-only", method=method, headers=people[role]["auth"])
            assert response.status_code == 403, (role, method)
            assert response.get_json()["error"]["code"] == "forbidden"
    response = client.get("/test-only", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/test-only"


def test_unknown_urls_are_still_404_for_everyone(client, people):
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/no/such/page", headers=people["admin"]["auth"]).status_code == 404
    assert client.get("/api/v1/nothing", headers={"Accept": "text/html"}).status_code == 404


def test_an_unknown_page_is_a_page_in_the_readers_language_and_json_for_the_api(client):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get("/no/such/page", headers=browser)
    assert page.status_code == 404 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "找不到这个页面" in html and "Page not found" not in html and 'href="/"' in html
    english = client.get("/no/such/page", headers={**browser, "Accept-Language": "en"})
    assert "Page not found" in english.get_data(as_text=True)
    assert client.get("/no/such/page").get_json()["error"]["code"] == "not_found"
    api = client.get("/api/v1/nothing", headers=browser)
    assert api.get_json()["error"]["code"] == "not_found"  # the API answers JSON to anyone
    wrong_method = client.delete("/tonnage", headers=browser)
    assert wrong_method.status_code == 405 and "不支持这种操作" in wrong_method.get_data(
        as_text=True)


def test_a_forbidden_page_is_a_page_for_browsers(settings, db, people):
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    app.add_url_rule("/test-only", "test_only", lambda: "secret")
    response = app.test_client().get("/test-only", headers={
        "Accept": "text/html", **people["collector"]["auth"]})
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
