"""The supervisor's desk, as a supervisor uses it: review flags, find anything, correct records.

Handovers come in as the phones send them (multipart photo, device token); the
supervisor works through the pages' forms (session cookie, CSRF token) or the API.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import text

from custody.services.label_sheets import identity
from custody.services.rollups import REPORT_TZ as LOCAL
from tests.custody.photos import phone_photo
from tests.custody.test_phone import HTML, sign_in
from tests.custody.test_supervise import app, page, scan  # noqa: F401 - the app fixture

EN = {**HTML, "Accept-Language": "en"}


def words(html: str) -> str:
    """A page's text without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def flagged(client, people, district) -> dict:
    """A hazardous bag put into the kitchen bin, weighed 1.2 kg: a category_mismatch flag."""
    body = client.post("/api/v1/scans", headers={"Idempotency-Key": "k-flagged",
                                                 **people["collector"]["auth"]},
                       data={"action": "deposit", "weight_kg": "1.2",
                             "photo": (__import__("io").BytesIO(
                                 phone_photo(district.hazardous_bag, district.kitchen_bin)),
                                 "p.jpg")},
                       content_type="multipart/form-data").get_json()
    (handover,) = body["handovers"]
    assert handover["flags"] == ["category_mismatch"]
    return handover


def local_day(handover: dict) -> str:
    """The district's (Asia/Shanghai) day of a recorded handover: what reports and filters
    count by (its UTC date is the day before from 16:00 UTC on)."""
    return datetime.fromisoformat(handover["server_time"]).astimezone(LOCAL).date().isoformat()


def review(client, csrf, seq, **form):
    """Post the review form of the flags page."""
    return client.post(f"/supervise/flags/{seq}/review", headers=HTML,
                       data={"csrf_token": csrf, "back": "/supervise/flags", **form})


def village_kg(client, day, measure="deposited") -> float:
    """The village's kilograms of one measure on one day, from the tonnage API."""
    rows = client.get(f"/api/v1/tonnage?from={day}&to={day}&level=village").get_json()["rows"]
    return sum(r[f"{measure}_kg"] for r in rows)


# --- flag review -------------------------------------------------------------------------

def test_a_flag_is_confirmed_then_dismissed_and_both_reviews_stay_visible(client, people,
                                                                          flagged, db):
    seq = flagged["seq"]
    csrf = sign_in(client, people["supervisor"])
    open_page = page(client, "/supervise/flags?state=open")
    assert f'id="h{seq}" data-state="open"' in open_page and "未审核" in open_page
    assert review(client, csrf, seq, decision="confirm").status_code == 303
    assert f'id="h{seq}"' not in page(client, "/supervise/flags?state=open")
    refused = review(client, csrf, seq, decision="dismiss", note="  ")
    assert refused.status_code == 400
    assert "写明理由" in refused.get_data(as_text=True) or "理由" in refused.get_data(as_text=True)
    assert review(client, csrf, seq, decision="dismiss",
                  note="亭长核实：袋子标签贴错").status_code == 303
    reviewed = page(client, "/supervise/flags?state=reviewed")
    row = reviewed.split(f'id="h{seq}"')[1].split("</tr>")[0]
    assert 'data-decision="dismiss"' in row.split("earlier")[0]  # the review in force
    assert "亭长核实：袋子标签贴错" in row and "更早的审核（1）" in row
    assert 'class="superseded"' in row and 'data-decision="confirm"' in row
    with db.read() as session:
        stored = session.execute(text("SELECT decision, reviewer_id FROM flag_reviews "
                                      "ORDER BY id")).all()
    assert [tuple(r) for r in stored] == [("confirm", people["supervisor"]["id"]),
                                          ("dismiss", people["supervisor"]["id"])]
    english = client.get("/supervise/flags?state=reviewed", headers=EN).get_data(as_text=True)
    assert "Dismiss" in english and "Earlier reviews (1)" in english


def test_reviews_are_append_only_in_the_database(client, people, flagged, db):
    csrf = sign_in(client, people["admin"])
    review(client, csrf, flagged["seq"], decision="confirm")
    for statement in ("UPDATE flag_reviews SET decision = 'dismiss'", "DELETE FROM flag_reviews"):
        with pytest.raises(Exception, match="append-only"):
            with db.write_engine.begin() as conn:
                conn.execute(text(statement))
    with db.read() as session:
        assert session.execute(text("SELECT decision FROM flag_reviews")).scalars().all() \
            == ["confirm"]


def test_a_correct_review_appends_a_linked_correction_and_the_tonnage_follows(
        client, people, flagged, db):
    seq, day = flagged["seq"], local_day(flagged)
    assert village_kg(client, day) == pytest.approx(1.2)
    csrf = sign_in(client, people["supervisor"])
    response = review(client, csrf, seq, decision="correct", weight_kg="2.5",
                      category="hazardous", note="重新称重")
    assert response.status_code == 303
    with db.read() as session:
        (fix,) = session.execute(text("SELECT seq, corrects_seq, weight_g, category, note, "
                                      "record_kind FROM handovers WHERE corrects_seq IS NOT NULL"
                                      )).all()
        (rev,) = session.execute(text("SELECT decision, correction_seq FROM flag_reviews")).all()
    assert (fix.corrects_seq, fix.weight_g, fix.category, fix.note, fix.record_kind) == (
        seq, 2500, "hazardous", "重新称重", "correction")
    assert tuple(rev) == ("correct", fix.seq)
    assert village_kg(client, day) == pytest.approx(2.5)
    record = page(client, f"/supervise/records/{seq}")
    assert "2.50" in record and f'href="/supervise/records/{fix.seq}"' in record


def test_bad_reviews_get_clear_errors_and_store_nothing(client, people, flagged, district,
                                                        db):
    csrf = sign_in(client, people["supervisor"])
    cases = [({"decision": "correct", "note": "x"}, 400, "nothing_to_correct"),
             ({"decision": "approve"}, 400, "invalid_request"),
             ({"decision": "correct", "note": "x", "weight_kg": "-3"}, 400, "invalid_request"),
             ({"decision": "confirm", "note": "x" * 2001}, 400, "invalid_request")]
    for form, status, code in cases:
        response = review(client, csrf, flagged["seq"], **form)
        assert response.status_code == status, form
        assert f'data-code="{code}"' in response.get_data(as_text=True), form
    assert review(client, csrf, 999999, decision="confirm").status_code == 404
    unflagged = scan(client, people["collector"]["auth"],
                     phone_photo(district.kitchen_bag, district.kitchen_bin))
    response = review(client, csrf, unflagged["handovers"][0]["seq"], decision="confirm")
    assert response.status_code == 422 and "没有需要审核的标记" in response.get_data(as_text=True)
    english = client.post(f"/supervise/flags/{flagged['seq']}/review", headers=EN,
                          data={"csrf_token": csrf, "decision": "dismiss"})
    assert english.status_code == 400 and "Give the reason" in english.get_data(as_text=True)
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM flag_reviews")).scalar() == 0


def test_the_flags_page_filters_and_pages(client, people, flagged, district, monkeypatch):
    from custody.web import flag_review

    second = scan(client, people["collector"]["auth"],
                  phone_photo(district.hazardous_bag, district.other_bin, seed=3))
    assert second["handovers"][0]["flags"]
    sign_in(client, people["supervisor"])
    day = local_day(flagged)
    keep = [f"/supervise/flags?flag=category_mismatch&village=凤桥村&from={day}&to={day}",
            "/supervise/flags?person=collector-user&state=open"]
    for url in keep:
        assert f'id="h{flagged["seq"]}"' in page(client, url), url
    drop = ["/supervise/flags?flag=off_path", "/supervise/flags?village=别的村",
            "/supervise/flags?person=driver-user", "/supervise/flags?from=2020-01-01&to=2020-01-02",
            "/supervise/flags?state=reviewed"]
    for url in drop:
        assert f'id="h{flagged["seq"]}"' not in page(client, url), url
    monkeypatch.setattr(flag_review, "PAGE", 1)
    first = page(client, "/supervise/flags?flag=category_mismatch")
    newer = second["handovers"][0]["seq"]
    assert f'id="h{newer}"' in first and f'id="h{flagged["seq"]}"' not in first
    assert f"before={newer}" in first and "flag=category_mismatch" in first
    older = page(client, f"/supervise/flags?flag=category_mismatch&before={newer}")
    assert f'id="h{flagged["seq"]}"' in older
    bad = client.get("/supervise/flags?from=2026-02-30&state=maybe", headers=HTML)
    assert bad.status_code == 400 and 'data-code="bad_date"' in bad.get_data(as_text=True)


def test_the_flags_api_lists_filters_pages_and_takes_reviews(client, people, flagged, district):
    admin = people["admin"]["auth"]
    seq = flagged["seq"]
    listed = client.get("/api/v1/flags?state=open&flag=category_mismatch&village=凤桥村",
                        headers=admin)
    assert listed.status_code == 200
    (item,) = listed.get_json()["flags"]
    assert (item["seq"], item["state"], item["village"], item["review"]) == (
        seq, "open", "凤桥村", None)
    assert client.get("/api/v1/flags?flag=off_path", headers=admin).get_json()["flags"] == []
    created = client.post(f"/api/v1/flags/{seq}/review", headers=admin,
                          json={"decision": "dismiss", "note": "label swapped"})
    assert created.status_code == 201
    assert created.get_json()["decision"] == "dismiss"
    assert created.get_json()["reviewer"] == people["admin"]["name"]
    again = client.post(f"/api/v1/flags/{seq}/review", headers=admin,
                        json={"decision": "correct", "note": "weighed again", "weight_kg": 1.0})
    assert again.status_code == 201 and again.get_json()["correction_seq"] > seq
    (item,) = client.get("/api/v1/flags?state=reviewed", headers=admin).get_json()["flags"]
    assert [r["decision"] for r in item["reviews"]] == ["dismiss", "correct"]
    assert item["review"]["decision"] == "correct"
    errors = [(f"/api/v1/flags/{seq}/review", {"decision": "dismiss"}, 400, "reason_required"),
              ("/api/v1/flags/424242/review", {"decision": "confirm"}, 404, "unknown_handover")]
    for url, body, status, code in errors:
        response = client.post(url, headers={**admin, "Accept-Language": "zh"}, json=body)
        assert response.status_code == status and response.get_json()["error"]["code"] == code
    refused = client.get("/api/v1/flags", headers=people["collector"]["auth"])
    assert refused.status_code == 403
    bad = client.get("/api/v1/flags?limit=0&from=x", headers=admin)
    assert bad.status_code == 400


def test_the_flags_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/flags"]
    assert "post" in paths["/api/v1/flags/{handover}/review"]


# --- find anything, the asset page ---------------------------------------------------------

def test_search_opens_the_asset_from_a_code_an_id_or_a_token(client, people, district,
                                                             settings):
    sign_in(client, people["supervisor"])
    scheme = identity(settings)
    for typed in (scheme.make_code(district.kitchen_bag), district.kitchen_bag.lower(),
                  scheme.make_token(district.kitchen_bag), f"  {district.kitchen_bag} "):
        response = client.get("/supervise/search", query_string={"q": typed}, headers=HTML)
        assert response.status_code == 303, typed
        assert response.headers["Location"] == f"/supervise/assets/{district.kitchen_bag}"
    found = page(client, "/supervise/search?q=凤桥")
    assert "凤桥村" in found and "/supervise/flags?village=" in found
    assert district.booth in found  # the booth named 凤桥村 1号亭
    people_found = page(client, "/supervise/search?q=collector")
    assert "collector-user" in people_found and "收集员" in people_found
    nothing = page(client, "/supervise/search?q=zzz%25_")
    assert "没有找到" in nothing or "没有匹配" in nothing
    unknown = client.get("/supervise/search?q=B09999999", headers=HTML)
    assert unknown.status_code == 404 and "未登记" in unknown.get_data(as_text=True)
    assert client.get("/supervise/assets/B09999999", headers=HTML).status_code == 404
    assert client.get("/supervise/records/99999", headers=HTML).status_code == 404


def test_the_asset_page_shows_label_history_photos_flags_reviews_and_notes(
        client, people, flagged, district, settings):
    keeper = people["booth_keeper"]["auth"]
    client.post("/api/v1/scans", headers={"Idempotency-Key": "k-inspect", **keeper},
                data={"action": "inspect", "note": "袋内混有电池",
                      "photo": (__import__("io").BytesIO(phone_photo(district.hazardous_bag)),
                                "p.jpg")}, content_type="multipart/form-data")
    csrf = sign_in(client, people["supervisor"])
    review(client, csrf, flagged["seq"], decision="confirm", note="亭长已确认")
    html = page(client, f"/supervise/assets/{district.hazardous_bag}")
    assert f'src="/supervise/assets/{district.hazardous_bag}/label.svg"' in html  # its label
    svg = client.get(f"/supervise/assets/{district.hazardous_bag}/label.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data and district.hazardous_bag.encode() in svg.data
    assert client.get("/supervise/assets/B09999999/label.svg").status_code == 404
    assert 'action="/labels/print"' in html and f'value="{district.hazardous_bag}"' in html
    assert "袋内混有电池" in html  # the booth keeper's inspection note
    flags_page = page(client, "/supervise/flags")
    row = flags_page.split(f'id="h{flagged["seq"]}"')[1].split("</tr>")[0]
    assert "袋内混有电池" in row and "检查" in row and people["booth_keeper"]["name"] in row
    assert 'data-flag="category_mismatch"' in html and "亭长已确认" in html
    assert '<img class="thumb"' in html
    assert f"/supervise/assets/{district.kitchen_bin}" in html  # where it went, as a link
    assert "有害垃圾" in html
    bin_page = words(page(client, f"/supervise/assets/{district.kitchen_bin}"))
    assert "凤桥村" in bin_page and district.booth in bin_page
    english = client.get(f"/supervise/assets/{district.hazardous_bag}", headers=EN)
    assert "Reprint the label" in english.get_data(as_text=True)


# --- corrections on the web ----------------------------------------------------------------

def test_a_weight_is_corrected_from_the_record_page_and_the_tonnage_follows(
        client, people, flagged, db):
    seq, day = flagged["seq"], local_day(flagged)
    csrf = sign_in(client, people["supervisor"])
    missing = client.post(f"/supervise/records/{seq}/correct", headers=HTML,
                          data={"csrf_token": csrf, "weight_kg": "3"})
    assert missing.status_code == 400 and 'data-code="reason_required"' in missing.get_data(
        as_text=True)
    nothing = client.post(f"/supervise/records/{seq}/correct", headers=EN,
                          data={"csrf_token": csrf, "reason": "x"})
    assert nothing.status_code == 400
    assert "Give the right weight" in nothing.get_data(as_text=True)
    assert client.post("/supervise/records/99999/correct", headers=HTML,
                       data={"csrf_token": csrf, "reason": "x", "weight_kg": "1"}
                       ).status_code == 404
    assert village_kg(client, day) == pytest.approx(1.2)
    done = client.post(f"/supervise/records/{seq}/correct", headers=HTML,
                       data={"csrf_token": csrf, "weight_kg": "0.8", "reason": "秤未归零"})
    assert done.status_code == 303
    assert village_kg(client, day) == pytest.approx(0.8)
    record = words(page(client, f"/supervise/records/{seq}"))
    assert "秤未归零" in record and "0.80" in record and "1.20" in record
    done = client.post(f"/supervise/records/{seq}/correct", headers=HTML,
                       data={"csrf_token": csrf, "category": "other", "reason": "其实是其他垃圾"})
    assert done.status_code == 303
    rows = client.get(f"/api/v1/tonnage?from={day}&to={day}&level=village").get_json()["rows"]
    by_category = {r["category"]: r["deposited_kg"] for r in rows if r["deposited_count"]}
    assert by_category == {"other": pytest.approx(0.8)}
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM handovers WHERE corrects_seq = :s"),
                               {"s": seq}).scalar() == 2
