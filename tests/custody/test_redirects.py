"""After sign-in the browser goes back to the page it asked for, and never to another host."""

import html
import re
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custody.web.auth import _safe_next
from tests.custody.test_accounts_web import HTML, csrf

SITE = "https://custody.example/login"

# Raw query strings, exactly as an attacker puts them in a link to /login.
ATTACKS = [
    "/%09/evil.example/", "/%0a/evil.example/", "/%0d/evil.example/", "/%00/evil.example/",
    "%09//evil.example/", "//evil.example/", "///evil.example/", "////evil.example/",
    "/%5Cevil.example", "%5C%5Cevil.example", "/%5C/evil.example", "/%2F/evil.example",
    "%2F%2Fevil.example", "https://evil.example/", "http:evil.example", "https:/evil.example",
    "HTTPS://evil.example", "javascript:alert(1)", "evil.example", "//evil.example@x/",
    "/%E3%80%80/evil.example/", "%20//evil.example/", "/%7F/evil.example/",
]


def browser_target(location: str) -> str:
    """Where a browser goes for this Location: tabs and newlines dropped, '\\' read as '/'."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/")
    return urljoin(SITE, cleaned.strip())


def sign_in_via(client, who: dict, query: str):
    """Follow a link /login?next=... the way a browser does: open it, then submit its form."""
    page = client.get(f"/login?next={query}", headers=HTML).get_data(as_text=True)
    carried = re.search(r'name="next" value="([^"]*)"', page)
    form = {"name": who["name"], "password": who["password"], "csrf_token": csrf(client)}
    if carried:
        form["next"] = html.unescape(carried.group(1))
    return client.post("/login", data=form)


@pytest.mark.parametrize("query", ATTACKS)
def test_a_crafted_next_never_leads_off_site(client, people, query):
    response = sign_in_via(client, people["collector"], query)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(browser_target(location)).netloc == "custody.example"
    assert location == "/phone"  # their own page


@pytest.mark.parametrize("query", ["/%09/evil.example/", "//evil.example/"])
def test_a_crafted_next_in_the_form_body_is_refused_too(client, people, query):
    wang = people["collector"]
    response = client.post("/login", data={"name": wang["name"], "password": wang["password"],
                                           "csrf_token": csrf(client), "next": unquote(query)})
    assert response.headers["Location"] == "/phone"


def test_a_genuine_next_keeps_its_path_and_query(client, people):
    target = "/supervise/flags?before=120&lang=en"
    response = sign_in_via(client, people["supervisor"], quote(target, safe=""))
    assert response.headers["Location"] == target


@given(st.text(max_size=40))
def test_any_next_resolves_on_this_site(target):
    safe = _safe_next(target)
    if safe is not None:
        assert safe.startswith("/") and not safe.startswith("//")
        assert urlsplit(browser_target(safe)).netloc == "custody.example"
