"""Who may post which action: the whole role × action table walked through the scan API.

Every role posts every action from its enrolled phone, the way the phone pages
send it (multipart photo of the right labels, an Idempotency-Key, the device
token). Inside the table the scan is recorded; outside it the answer is 403
``role_not_allowed`` in the reader's language and the attempt is kept.
"""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover, ScanAttempt
from custody.domain import policy
from custody.domain.model import Action, Role
from tests.custody.photos import phone_photo

# The issue's table, written out here so the code's table is checked against it.
MAY = {
    "collector": {"deposit", "collect", "unload", "inspect"},
    "booth_keeper": {"deposit", "inspect"},
    "driver": {"unload", "load", "deliver"},
    "facility_operator": {"deliver", "inspect"},
    "supervisor": {a.value for a in Action},
    "admin": {a.value for a in Action},
}
ZH_REFUSAL = "你的岗位不能记录此操作"
EN_REFUSAL = "Your role may not record this action"


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def post(client, person, action, photo, lang="zh", **fields):
    """A phone's upload: multipart photo + fields, the device token, a fresh key."""
    data = {"action": action, **fields, "photo": (io.BytesIO(photo), "scan.jpg")}
    headers = {**person["auth"], "Idempotency-Key": str(uuid.uuid4()), "Accept-Language": lang}
    return client.post("/api/v1/scans", data=data, headers=headers,
                       content_type="multipart/form-data")


def photos_by_action(d) -> dict[str, bytes]:
    """A photo of the labels each action needs."""
    return {
        "deposit": phone_photo(d.kitchen_bag, d.kitchen_bin, seed=1),
        "collect": phone_photo(d.kitchen_bin, d.cart, seed=2),
        "unload": phone_photo(d.cart, d.room, seed=3),
        "load": phone_photo(d.room, d.truck, seed=4),
        "deliver": phone_photo(d.truck, d.plant, seed=5),
        "inspect": phone_photo(d.kitchen_bag, seed=6),
    }


def handovers_by(db, actor_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Handover)
                        .where(Handover.actor_id == actor_id))


def attempt(db, scan_id: int) -> ScanAttempt:
    with db.read() as s:
        return s.get(ScanAttempt, scan_id)


def test_the_code_has_the_issue_table():
    assert {role.value: {a.value for a in acts} for role, acts in policy.ALLOWED.items()} == MAY
    assert set(policy.ALLOWED) == set(Role)


def test_every_role_posts_every_action_and_only_its_own_are_recorded(client, people,
                                                                      district, db):
    photos = photos_by_action(district)
    walked = {"recorded": 0, "refused": 0}
    moved = set()  # actions whose move is on record: a later allowed post of it is a repeat
    for n, (role, action) in enumerate((r.value, a.value) for r in Role for a in Action):
        person, lang = people[role], ("zh", "en")[n % 2]
        # the weighbridge operator's delivery carries the net weight, as its page requires
        weight = {"weight_kg": "3450"} if action == "deliver" else {}
        before = handovers_by(db, person["id"])
        response = post(client, person, action, photos[action], lang, **weight)
        body = response.get_json()
        stored = attempt(db, body["scan_id"])
        assert stored is not None and stored.actor_id == person["id"], (role, action)
        assert stored.device_id == person["device_id"] and stored.action == action
        if action in MAY[role] and action not in moved:
            assert response.status_code == 201, (role, action, body)
            assert stored.status == "recorded"
            assert handovers_by(db, person["id"]) == before + len(body["handovers"]) > before
            moved.add(action)
            walked["recorded"] += 1
        elif action in MAY[role]:  # allowed, but the move is already recorded: counted once
            assert response.status_code == 200, (role, action, body)
            assert body["status"] == "repeat" and stored.status == "repeat_scan"
            assert handovers_by(db, person["id"]) == before
            walked["recorded"] += 1
        else:
            assert response.status_code == 403, (role, action, body)
            error = body["error"]
            assert error["code"] == "role_not_allowed", (role, action)
            assert (ZH_REFUSAL if lang == "zh" else EN_REFUSAL) in error["message"]
            assert (error["role"], error["action"]) == (role, action)
            assert set(error["allowed"]) == MAY[role]
            assert error["scan_id"] == body["scan_id"]
            assert (stored.status, stored.http_status) == ("role_not_allowed", 403)
            assert handovers_by(db, person["id"]) == before  # nothing recorded
            walked["refused"] += 1
    assert walked == {"recorded": sum(map(len, MAY.values())),
                      "refused": 6 * 6 - sum(map(len, MAY.values()))}


def test_the_weighbridge_operator_delivers_only_with_the_weight(client, people, district, db):
    operator = people["facility_operator"]
    photo = photos_by_action(district)["deliver"]
    refused = post(client, operator, "deliver", photo, "en")
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "weight_required" and "weighbridge net weight" in error["message"]
    assert attempt(db, error["scan_id"]).status == "weight_required"
    assert handovers_by(db, operator["id"]) == 0
    zh = post(client, operator, "deliver", photo, "zh")
    assert "地磅净重" in zh.get_json()["error"]["message"]
    recorded = post(client, operator, "deliver", photo, weight_kg="3450")
    assert recorded.status_code == 201
    assert handovers_by(db, operator["id"]) == 1


def test_a_refusal_replays_and_reads_back_in_the_asker_s_language(client, people, district):
    keeper = people["booth_keeper"]
    photo = photos_by_action(district)["deliver"]
    data = {"action": "deliver", "photo": (io.BytesIO(photo), "scan.jpg")}
    headers = {**keeper["auth"], "Idempotency-Key": "keeper-1"}
    first = client.post("/api/v1/scans", data=data, headers={**headers, "Accept-Language": "zh"},
                        content_type="multipart/form-data")
    assert first.status_code == 403 and ZH_REFUSAL in first.get_json()["error"]["message"]
    data["photo"] = (io.BytesIO(photo), "scan.jpg")
    again = client.post("/api/v1/scans", data=data, headers={**headers, "Accept-Language": "en"},
                        content_type="multipart/form-data")
    assert again.status_code == 403 and again.headers["Idempotent-Replayed"] == "true"
    assert EN_REFUSAL in again.get_json()["error"]["message"]
    scan_id = first.get_json()["scan_id"]
    read = client.get(f"/api/v1/scans/{scan_id}", headers=keeper["auth"]).get_json()
    assert (read["http_status"], read["status"]) == (403, "role_not_allowed")


def test_the_phone_pages_offer_only_actions_the_table_allows():
    from custody.web.phone import PAGES, TASKS

    for role, task_ids in PAGES.values():
        for task_id in task_ids:
            assert policy.may_post(role, Action(TASKS[task_id].action)), (role, task_id)
