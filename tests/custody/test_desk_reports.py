"""The desk's reports: the mass balance page and CSV, and the handovers and flags exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from custody.domain.model import Action, Category, HandoverDraft, Role
from custody.services import handovers
from tests.custody.photos import phone_photo
from tests.custody.test_desk import EN, words
from tests.custody.test_phone import HTML, sign_in
from tests.custody.test_supervise import app, page  # noqa: F401 - the app fixture


@pytest.fixture
def carried(db, district, people):
    """Today: 30 kg collected, 100 kg unloaded into the room, 80 kg loaded out, 29 kg delivered."""
    now = datetime.now(UTC).replace(microsecond=0)
    c, d = people["collector"]["id"], people["driver"]["id"]
    steps = [(district.kitchen_bin, district.cart, Action.COLLECT, c, Role.COLLECTOR, 30.0),
             (district.cart, district.room, Action.UNLOAD, c, Role.COLLECTOR, 100.0),
             (district.room, district.truck, Action.LOAD, d, Role.DRIVER, 80.0),
             (district.truck, district.plant, Action.DELIVER, d, Role.DRIVER, 29.0)]
    for source, dest, action, actor, role, kg in steps:
        handovers.record(db, HandoverDraft(source, dest, actor, role, action=action,
                                           device_time=now, weight_kg=kg,
                                           category=Category.KITCHEN), now=now)
    return now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_the_balance_page_marks_a_room_over_tolerance_and_gives_csv(client, people, district,
                                                                    carried):
    sign_in(client, people["supervisor"])
    html = page(client, "/supervise/balance")
    room_row = html.split('<table class="stack balance">')[1].split("</table>")[0]
    assert 'class="over"' in room_row and "超出允许误差" in room_row
    assert "100.0 公斤" in room_row and "80.0 公斤" in room_row and "20.0 公斤" in room_row
    district_table = html.split('<table class="stack balance">')[2].split("</table>")[0]
    assert "30.0 公斤" in district_table and "29.0 公斤" in district_table
    assert 'class="over"' not in district_table and "在允许范围内" in district_table
    english = client.get("/supervise/balance", headers=EN).get_data(as_text=True)
    assert "Over tolerance" in english and "Transfer rooms: in and out" in english
    response = client.get(f"/supervise/balance.csv?from={carried}&to={carried}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (row["room"], row["in_kg"], row["out_kg"], row["flagged"]) == (
        district.room, "100.0", "80.0", "True")
    bad = client.get("/supervise/balance?from=2026-02-30", headers=HTML)
    assert bad.status_code == 400 and 'data-code="bad_date"' in bad.get_data(as_text=True)
    reversed_range = client.get("/supervise/balance.csv?from=2026-11-10&to=2026-11-01",
                                headers={"Accept": "application/json"})
    assert reversed_range.status_code == 400
    assert reversed_range.get_json()["error"]["code"] == "bad_range"


def test_handovers_export_with_the_pages_filters_escapes_formulas(client, people, district,
                                                                  carried):
    collector = people["collector"]["auth"]
    client.post("/api/v1/scans", headers={"Idempotency-Key": "k-note", **collector},
                data={"action": "deposit", "note": "=HYPERLINK(\"http://x\")",
                      "photo": (io.BytesIO(phone_photo(district.hazardous_bag,
                                                       district.kitchen_bin)), "p.jpg")},
                content_type="multipart/form-data")
    sign_in(client, people["supervisor"])
    listed = words(page(client, "/supervise?action=deposit"))
    assert district.hazardous_bag in listed and district.truck not in listed
    assert "/supervise/handovers.csv?action=deposit" in page(client, "/supervise?action=deposit")
    response = client.get("/supervise/handovers.csv?person=collector-user")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["actor"] for r in rows} == {"collector-user"} and len(rows) == 3
    (deposit,) = [r for r in rows if r["action"] == "deposit"]
    assert deposit["note"] == "'=HYPERLINK(\"http://x\")" and deposit["flags"] == \
        "category_mismatch"
    as_json = client.get(f"/supervise/handovers.json?action=load&from={carried}&to={carried}")
    assert as_json.mimetype == "application/json"
    (load,) = json.loads(as_json.get_data(as_text=True))["rows"]
    assert (load["source"], load["dest"], load["weight_kg"]) == (district.room, district.truck,
                                                                 80.0)
    village = client.get("/supervise/handovers.json?village=别的村")
    assert json.loads(village.get_data(as_text=True)) == {"rows": []}
    bad = client.get("/supervise/handovers.csv?action=fly", headers=HTML)
    assert bad.status_code == 400 and 'data-code="invalid_request"' in bad.get_data(as_text=True)
    assert client.get("/supervise?from=2026-13-01", headers=HTML).status_code == 400


def test_flags_export_carries_the_review_in_force(client, people, district):
    collector = people["collector"]["auth"]
    body = client.post("/api/v1/scans", headers={"Idempotency-Key": "k-flag", **collector},
                       data={"action": "deposit", "weight_kg": "2",
                             "photo": (io.BytesIO(phone_photo(district.hazardous_bag,
                                                              district.kitchen_bin)), "p.jpg")},
                       content_type="multipart/form-data").get_json()
    seq = body["handovers"][0]["seq"]
    csrf = sign_in(client, people["supervisor"])
    client.post(f"/supervise/flags/{seq}/review",
                data={"csrf_token": csrf, "decision": "dismiss", "note": "-1 误报"})
    assert "/supervise/flags.csv?state=reviewed" in page(client, "/supervise/flags?state=reviewed")
    response = client.get("/supervise/flags.csv?state=reviewed&flag=category_mismatch")
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (row["seq"], row["state"], row["decision"], row["review_note"], row["village"]) == (
        str(seq), "reviewed", "dismiss", "'-1 误报", "凤桥村")
    assert client.get("/supervise/flags.csv?state=open").get_data(as_text=True) == ""
    (item,) = json.loads(client.get("/supervise/flags.json").get_data(as_text=True))["rows"]
    assert item["review_note"] == "-1 误报" and item["reviews"] == 1
    assert client.get("/supervise/flags.json?flag=nope").status_code == 400
    assert client.get("/supervise/flags.xml").status_code == 404
