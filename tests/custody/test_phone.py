"""Phone pages: each field role lands on its own bilingual page that works offline."""

import io
import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

import scanners
from tests.custody.photos import phone_photo

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
STATIC = Path(__file__).resolve().parents[2] / "custody" / "web" / "static" / "phone"
PAGES = {"collector": "/phone/collect", "driver": "/phone/drive",
         "facility_operator": "/phone/receive", "booth_keeper": "/phone/inspect"}


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def sign_in(client, who: dict) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    response = client.post("/login", data={"name": who["name"], "password": who["password"],
                                           "csrf_token": token})
    assert response.status_code == 303
    with client.session_transaction() as session:
        return session["csrf_token"]


@pytest.mark.parametrize("role", [*PAGES, "supervisor", "admin"])
def test_each_role_lands_on_its_own_page(client, people, role):
    sign_in(client, people[role])
    response = client.get("/phone", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == PAGES.get(role, "/supervise")


def test_an_anonymous_phone_is_sent_to_sign_in_and_back(client):
    response = client.get("/phone", headers=HTML)  # its kept device token, else the login
    assert response.status_code == 302
    assert response.headers["Location"] == "/phone/start?next=/phone"
    start = client.get(response.headers["Location"], headers=HTML).get_data(as_text=True)
    assert '"loginUrl": "/login?next=/phone"' in start


@pytest.mark.parametrize("role", PAGES)
def test_every_page_is_chinese_by_default_with_a_camera_input_and_the_csrf_token(
        client, people, role):
    csrf = sign_in(client, people[role])
    body = client.get(PAGES[role], headers=HTML).get_data(as_text=True)
    assert "拍照并上传" in body and "Take the photo and send" not in body
    english = client.get(PAGES[role], headers={**HTML, "Accept-Language": "en-US"})
    assert "Take the photo and send" in english.get_data(as_text=True)
    assert f'<meta name="csrf-token" content="{csrf}">' in body
    assert re.search(r'<input type="file"[^>]*accept="image/\*"[^>]*capture="environment"', body)
    assert not re.search(r'(src|href)="(https?:)?//', body), "no external requests"


def test_the_operator_must_give_the_weighbridge_weight(client, people):
    sign_in(client, people["facility_operator"])
    body = client.get("/phone/receive", headers=HTML).get_data(as_text=True)
    assert '"weight": "required"' in body and '"action": "deliver"' in body


@pytest.mark.parametrize("role", PAGES)
def test_each_page_offers_exactly_the_actions_its_role_may_post(client, people, role):
    from custody.domain.model import Action, Role
    from custody.domain.policy import ALLOWED

    sign_in(client, people[role])
    body = client.get(PAGES[role], headers=HTML).get_data(as_text=True)
    config = json.loads(re.search(r'<script id="phone-config" type="application/json">(.*?)'
                                  r'</script>', body, re.S).group(1))
    offered = {Action(task["action"]) for task in config["tasks"].values()}
    assert offered == ALLOWED[Role(role)]


def test_a_collector_may_not_open_the_driver_page(client, people):
    sign_in(client, people["collector"])
    assert client.get("/phone/drive", headers=HTML).status_code == 403


def test_the_session_endpoint_gives_the_csrf_token(client, people):
    csrf = sign_in(client, people["driver"])
    response = client.get("/phone/session.json")
    assert response.get_json() == {"name": people["driver"]["name"], "role": "driver",
                                   "csrf_token": csrf}
    assert response.headers["Cache-Control"] == "no-store"


def test_the_service_worker_is_served_under_phone_to_anyone(client):
    response = client.get("/phone/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert b"caches.open" in response.data


def test_the_scripts_make_no_external_requests():
    for path in STATIC.glob("*.*"):
        assert not re.search(r"https?://", path.read_text(encoding="utf-8")), path.name
    # The vendored zxing-wasm names its CDN only as the default place of its .wasm, which the
    # viewfinder always replaces by the app's own copy (the browser test sees it served here).
    vendored = (STATIC / "vendor" / "zxing-wasm" / "zxing-reader.js").read_text(encoding="utf-8")
    assert re.findall(r"https?://[^/]+", vendored) == ["https://fastly.jsdelivr.net"]
    viewfinder = (STATIC / "viewfinder.js").read_text(encoding="utf-8")
    assert 'locateFile: (path, prefix) => (path.endsWith(".wasm") ? cfg.zxingWasm' in viewfinder


def test_a_browser_session_scan_needs_the_csrf_header(client, people, district):
    csrf = sign_in(client, people["collector"])
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)

    def post(headers):
        return client.post("/api/v1/scans", headers={"Idempotency-Key": str(uuid.uuid4()),
                                                     "Accept": "application/json", **headers},
                           data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                           content_type="multipart/form-data")

    refused = post({})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    recorded = post({"X-CSRF-Token": csrf})
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["handovers"][0]["source"] == district.kitchen_bag
