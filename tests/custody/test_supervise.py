"""Supervisor pages: handovers with photos, flags and failures, assets, users and devices."""

import io
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

import scanners
from custody.services import devices, scan_reads
from custody.web import supervise
from custody.web.i18n import local_time
from tests.custody.photos import phone_photo
from tests.custody.test_phone import HTML, sign_in


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def scan(client, who, photo, action="deposit"):
    """Post a scan with a phone's token."""
    return client.post("/api/v1/scans", headers={"Idempotency-Key": str(uuid.uuid4()), **who},
                       data={"action": action, "photo": (io.BytesIO(photo), "p.jpg")},
                       content_type="multipart/form-data").get_json()


def page(client, url) -> str:
    """A page's text, which must load."""
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_recent_handovers_show_their_photo(client, people, district):
    body = scan(client, people["collector"]["auth"],
                phone_photo(district.kitchen_bag, district.kitchen_bin))
    sign_in(client, people["supervisor"])
    text = page(client, "/supervise")
    assert "最近的交接" in text and "Recent handovers" not in text
    assert f"{district.kitchen_bag}</a> → <a" in text
    assert f'href="/supervise/assets/{district.kitchen_bag}"' in text  # ids open the asset page
    assert '">投放</td>' in text  # the action
    assert '<span class="role">收集员</span>' in text  # who did it
    assert f'src="/photos/{body["photo_sha256"]}.jpg"' in text
    assert f'href="/photos/{body["photo_sha256"]}/original"' in text


def test_flags_and_failed_scans_are_listed_for_review(client, people, district):
    scan(client, people["collector"]["auth"],
         phone_photo(district.hazardous_bag, district.kitchen_bin))
    scan(client, people["collector"]["auth"], phone_photo())
    sign_in(client, people["admin"])
    text = page(client, "/supervise/flags")
    assert "分类不符" in text and 'data-flag="category_mismatch"' in text
    assert 'data-code="no_code"' in text and "重新拍照" in text
    assert text.count('">投放</td>') == 2  # the flagged deposit and the failed one
    english = client.get("/supervise/flags", headers={**HTML, "Accept-Language": "en"})
    assert "Category mismatch" in english.get_data(as_text=True)
    assert "take it again" in english.get_data(as_text=True)


def test_staff_pages_show_times_in_beijing_time(client, people, district, db):
    scan(client, people["collector"]["auth"],
         phone_photo(district.hazardous_bag, district.kitchen_bin))
    scan(client, people["collector"]["auth"], phone_photo())
    (handover,) = scan_reads.recent_handovers(db, limit=1)
    (failed,) = scan_reads.failed_attempts(db, limit=1)
    sign_in(client, people["supervisor"])
    beijing = ZoneInfo("Asia/Shanghai")
    for url, stored in [("/supervise", handover["server_time"]),
                        ("/supervise/flags", handover["server_time"]),
                        ("/supervise/flags", failed["received_at"])]:
        moment = datetime.fromisoformat(stored)
        text = page(client, url)
        assert "北京时间" in text
        assert format_datetime(moment, "medium", tzinfo=beijing, locale="zh") in text, url
        assert format_datetime(moment, "medium", tzinfo=UTC, locale="zh") not in text, url
    text = page(client, "/supervise/users")
    for device in devices.list_devices(db):
        assert format_datetime(device.created_at, "short", tzinfo=beijing, locale="zh") in text


def test_local_time_is_beijing_time_per_locale_and_refuses_a_time_without_a_zone(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time("2026-11-22T23:30:00Z") == "Nov 23, 2026, 7:30:00\u202fAM"
        assert local_time(None) == ""
        with pytest.raises(ValueError, match="without a zone"):
            local_time(datetime(2026, 11, 22, 23, 30))
    with app.test_request_context():
        assert local_time(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026年11月23日 07:30:00"


def test_assets_are_paged(client, people, district, monkeypatch):
    monkeypatch.setattr(supervise, "PAGE", 3)
    sign_in(client, people["supervisor"])
    def cell(asset_id):
        return f'href="/supervise/assets/{asset_id}">{asset_id}</a>'


    first = page(client, "/supervise/assets")  # in id order: B…, F…, N…, R…, S…, V…
    assert cell(district.kitchen_bag) in first and cell(district.plant) in first
    assert cell(district.kitchen_bin) not in first
    second = page(client, f"/supervise/assets?after={district.plant}")
    assert cell(district.kitchen_bin) in second and cell(district.plant) not in second
    bins = page(client, "/supervise/assets?kind=bin")
    assert cell(district.kitchen_bin) in bins and cell(district.cart) not in bins
    assert "厨余垃圾" in bins and "Kitchen waste" not in bins and ">垃圾桶</td>" in bins
    assert ">中转房</option>" in bins  # the kind filter's choices


def test_the_users_page_offers_one_way_to_enrol_a_phone_and_revokes_it(app, client, people,
                                                                       db):
    """QR enrolment is the one way a supervisor enrols a phone; the old token form is gone
    (a token for the command line stays: ``custody users token``), revocation stays."""
    from tests.custody.test_enrolment import make_code, open_link, redeem

    csrf = sign_in(client, people["supervisor"])
    text = page(client, "/supervise/users")
    assert people["collector"]["name"] in text
    assert "清运员" in text and "处理厂过磅员" in text and "Driver" not in text
    assert 'id="enrol-by-qr"' in text and 'href="/supervise/enrol"' in text
    assert "/supervise/devices\"" not in text and 'name="user"' not in text  # no token form
    assert f'href="/supervise/enrol?user={people["collector"]["name"]}"' in text
    assert f'href="/supervise/enrol?user={people["admin"]["name"]}"' not in text
    assert client.post("/supervise/devices", headers=HTML, data={
        "user": people["collector"]["name"], "name": "x", "csrf_token": csrf}
    ).status_code in (404, 405)
    link, _page = make_code(app, people, people["collector"]["name"])
    phone, path, _opened = open_link(app, link)
    token = redeem(phone, path).get_json()["token"]
    assert devices.authenticate_token(db, token) is not None
    device_id = int(token.split("_")[1])
    assert f'action="/supervise/devices/{device_id}/revoke"' in page(client, "/supervise/users")
    response = client.post(f"/supervise/devices/{device_id}/revoke",
                           data={"csrf_token": csrf})
    assert response.status_code == 303
    assert devices.authenticate_token(db, token) is None


def test_a_supervisor_may_not_revoke_an_admins_phone(client, people):
    csrf = sign_in(client, people["supervisor"])
    text = page(client, "/supervise/users")
    assert f'/supervise/devices/{people["admin"]["device_id"]}/revoke' not in text
    response = client.post(f"/supervise/devices/{people['admin']['device_id']}/revoke",
                           headers=HTML, data={"csrf_token": csrf})
    assert response.status_code == 403


def test_forms_without_the_csrf_token_are_refused(client, people):
    sign_in(client, people["supervisor"])
    response = client.post(f"/supervise/devices/{people['collector']['device_id']}/revoke",
                           headers=HTML)
    assert response.status_code == 400


def test_field_roles_may_not_open_supervisor_pages(client, people):
    sign_in(client, people["collector"])
    assert client.get("/supervise", headers=HTML).status_code == 403
