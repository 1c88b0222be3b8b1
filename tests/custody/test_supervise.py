"""Supervisor pages: handovers with photos, flags and failures, assets, users and devices."""

import io
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

import scanners
from custody.services import accounts, scan_reads
from custody.web import supervise
from custody.web.local_time import local_time
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
    assert text.index("最近的交接") < text.index("Recent handovers")
    assert f"{district.kitchen_bag} → {district.kitchen_bin}" in text
    assert "投放到垃圾桶" in text and "deposited in a bin" in text  # the action, in both
    assert "收集员 · Collector" in text  # who did it
    assert f'src="/photos/{body["photo_sha256"]}.jpg"' in text
    assert f'href="/photos/{body["photo_sha256"]}/original"' in text


def test_flags_and_failed_scans_are_listed_for_review(client, people, district):
    scan(client, people["collector"]["auth"],
         phone_photo(district.hazardous_bag, district.kitchen_bin))
    scan(client, people["collector"]["auth"], phone_photo())
    sign_in(client, people["admin"])
    text = page(client, "/supervise/flags")
    assert "分类不符" in text and "category_mismatch" in text
    assert "no_code" in text and "重新拍照" in text
    assert text.count("投放到垃圾桶") == 2  # the flagged deposit and the failed one


def test_staff_pages_show_times_in_beijing_time(client, people, district, db):
    scan(client, people["collector"]["auth"],
         phone_photo(district.hazardous_bag, district.kitchen_bin))
    scan(client, people["collector"]["auth"], phone_photo())
    (handover,) = scan_reads.recent_handovers(db, limit=1)
    (failed,) = scan_reads.failed_attempts(db, limit=1)
    sign_in(client, people["supervisor"])
    for url, stored in [("/supervise", handover["server_time"]),
                        ("/supervise/flags", handover["server_time"]),
                        ("/supervise/flags", failed["received_at"])]:
        moment = datetime.fromisoformat(stored)
        text = page(client, url)
        assert "北京时间" in text and "UTC+8" in text
        assert (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S") in text, url
        assert moment.strftime("%Y-%m-%d %H:%M:%S") not in text, url  # not the UTC reading
    text = page(client, "/supervise/users")
    for device in accounts.list_devices(db):
        assert (device.created_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in text


def test_local_time_refuses_a_time_without_a_zone():
    assert local_time("2026-11-22T23:30:00Z") == "2026-11-23 07:30:00"
    assert local_time(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "%H:%M") == "07:30"
    assert local_time(None) == ""
    with pytest.raises(ValueError, match="without a zone"):
        local_time(datetime(2026, 11, 22, 23, 30))


def test_assets_are_paged(client, people, district, monkeypatch):
    monkeypatch.setattr(supervise, "PAGE", 3)
    sign_in(client, people["supervisor"])
    first = page(client, "/supervise/assets")  # in id order: B…, F…, N…, R…, S…, V…
    assert district.kitchen_bag in first and district.plant in first
    assert district.kitchen_bin not in first
    second = page(client, f"/supervise/assets?after={district.plant}")
    assert district.kitchen_bin in second and district.plant not in second
    bins = page(client, "/supervise/assets?kind=bin")
    assert district.kitchen_bin in bins and district.cart not in bins
    assert "厨余垃圾" in bins and "Kitchen waste" in bins and "桶" in bins
    assert "中转房 · Transfer room" in bins  # the kind filter's choices


def test_a_phone_is_enrolled_and_revoked_from_the_users_page(client, people, db):
    csrf = sign_in(client, people["supervisor"])
    text = page(client, "/supervise/users")
    assert people["collector"]["name"] in text
    assert "清运员" in text and "Driver" in text and "处理厂过磅员" in text
    response = client.post("/supervise/devices", headers=HTML, data={
        "user": people["collector"]["name"], "name": "备用手机", "csrf_token": csrf})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    token = response.get_data(as_text=True).split('<code id="new-token">')[1].split("<")[0]
    principal = accounts.authenticate_token(db, token)
    assert principal is not None and principal.name == people["collector"]["name"]
    device_id = int(token.split("_")[1])
    response = client.post(f"/supervise/devices/{device_id}/revoke",
                           data={"csrf_token": csrf})
    assert response.status_code == 303
    assert accounts.authenticate_token(db, token) is None


def test_a_supervisor_may_not_enrol_an_admins_phone(client, people):
    csrf = sign_in(client, people["supervisor"])
    response = client.post("/supervise/devices", headers=HTML, data={
        "user": people["admin"]["name"], "name": "x", "csrf_token": csrf})
    assert response.status_code == 403
    response = client.post(f"/supervise/devices/{people['admin']['device_id']}/revoke",
                           headers=HTML, data={"csrf_token": csrf})
    assert response.status_code == 403


def test_forms_without_the_csrf_token_are_refused(client, people):
    sign_in(client, people["supervisor"])
    response = client.post("/supervise/devices", headers=HTML, data={
        "user": people["collector"]["name"], "name": "x"})
    assert response.status_code == 400


def test_field_roles_may_not_open_supervisor_pages(client, people):
    sign_in(client, people["collector"])
    assert client.get("/supervise", headers=HTML).status_code == 403
