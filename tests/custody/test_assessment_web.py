"""The assessment on the web: the page, ``GET /api/v1/assessment`` and the monthly bulletin."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.custody.assessment_week import build
from tests.custody.test_desk import EN, words
from tests.custody.test_phone import HTML, sign_in
from tests.custody.test_supervise import app, page  # noqa: F401 - the app fixture

WEEK = "/api/v1/assessment?period=week&date=2026-11-04"


@pytest.fixture
def week(db):
    return build(db)


def test_the_api_ranks_each_level_of_the_week(client, people, week):
    token = people["supervisor"]["auth"]
    villages = client.get(WEEK, headers=token).get_json()
    assert (villages["period"], villages["first"], villages["last"], villages["level"]) == (
        "week", "2026-11-02", "2026-11-08", "village")
    assert [(r["rank"], r["name"], r["town"]) for r in villages["rows"]] == [
        (1, "新丰村", "新丰镇"), (2, "凤桥村", "凤桥镇")]
    fengqiao = villages["rows"][1]
    assert fengqiao["sorting"] == pytest.approx(0.6) and fengqiao["counts"]["deposits"] == 3
    assert len(villages["trend"]) == 7 and villages["trend"][0]["booth_signin"] == 1.0
    assert villages["weights"]["booth_signin"] == 25.0
    towns = client.get(WEEK + "&level=town", headers=token).get_json()["rows"]
    assert [(t["name"], t["villages"]) for t in towns] == [("新丰镇", 1), ("凤桥镇", 1)]
    collectors = client.get(WEEK + "&level=collector", headers=token).get_json()["rows"]
    assert [(c["name"], c["rate"]) for c in collectors] == [("陈收集", 1.0), ("王收集", 0.75)]
    inspectors = client.get(WEEK + "&level=inspector", headers=token).get_json()["rows"]
    assert [(i["name"], i["done"], i["due"]) for i in inspectors] == [("赵亭长", 2, 4)]


def test_the_api_is_for_supervisors_only(client, people, week):
    assert client.get(WEEK).status_code == 401
    refused = client.get(WEEK, headers=people["collector"]["auth"])
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get(WEEK, headers=people["admin"]["auth"]).status_code == 200


@pytest.mark.parametrize(("query", "field", "code"), [
    ("period=year", "period", "bad_period"), ("level=street", "level", "bad_level"),
    ("date=2026-02-30", "date", "bad_date"), ("date=1999-12-31", "date", "bad_date"),
    ("perod=week", "perod", "invalid_request")])
def test_bad_parameters_are_400_in_the_error_shape(client, people, query, field, code):
    answer = client.get(f"/api/v1/assessment?{query}",
                        headers={**people["supervisor"]["auth"], "Accept-Language": "zh"})
    assert answer.status_code == 400
    (problem,) = answer.get_json()["error"]["problems"]
    assert (problem["field"], problem["code"]) == (field, code)
    assert re.search(r"[\u4e00-\u9fff]", problem["message"])  # in Chinese first


def test_the_api_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/assessment"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"period", "date", "level"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


def test_the_page_shows_rankings_and_the_trend_in_both_languages(client, people, week):
    sign_in(client, people["supervisor"])
    zh = page(client, "/supervise/assessment?period=week&date=2026-11-04")
    text = words(zh)
    assert "考核" in text and "亭点签到率" in text and "综合得分" in text
    assert text.index("新丰村") < text.index("凤桥村")  # ranked
    assert zh.count("<svg") >= 3 and "<polyline" in zh
    assert "/supervise/assessment/bulletin/2026-11.pdf" in zh
    assert 'aria-current="page"' in zh and ">考核<" in zh  # in the navigation
    en = client.get("/supervise/assessment?period=week&date=2026-11-04", headers=EN)
    en_text = words(en.get_data(as_text=True))
    assert "Booth sign-in rate" in en_text and "Composite score" in en_text
    short = client.get("/assessment?period=day&date=2026-11-02", headers=HTML)
    assert short.status_code == 302
    assert short.headers["Location"].endswith("/supervise/assessment?period=day&date=2026-11-02")


def test_without_a_date_the_page_opens_on_the_latest_days_period(client, people, week):
    sign_in(client, people["supervisor"])  # the hand-made week, 2026-11-02 to 08, is the latest
    html = page(client, "/supervise/assessment?period=week")
    shown = re.search(r'name="date"[^>]*value="([0-9-]+)"', html)[1]
    assert "2026-11-02" <= shown <= "2026-11-08"
    text = words(html)
    assert text.index("新丰村") < text.index("凤桥村")  # ranked on the week's data, not empty


def test_a_bad_choice_on_the_page_says_so(client, people, week):
    sign_in(client, people["supervisor"])
    bad = client.get("/supervise/assessment?period=fortnight", headers=HTML)
    assert bad.status_code == 400 and 'data-code="bad_period"' in bad.get_data(as_text=True)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_monthly_bulletin_is_a_pdf_with_the_chinese_names(client, people, week, tmp_path):
    sign_in(client, people["supervisor"])
    answer = client.get("/supervise/assessment/bulletin/2026-11.pdf", headers=HTML)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(answer.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for name in ("月通报", "新丰村", "凤桥村", "凤桥镇", "王收集", "赵亭长", "亭点签到率"):
        assert name in text, name
    assert text.index("新丰镇") < text.index("凤桥镇")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000
    bad = client.get("/supervise/assessment/bulletin/2026-13.pdf", headers=HTML)
    assert bad.status_code == 400 and "2026-11" in bad.get_data(as_text=True)
    assert client.get("/supervise/assessment/bulletin/2026-11.pdf",
                      headers=people["driver"]["auth"]).status_code == 403
    empty = client.get("/supervise/assessment/bulletin/2026-09.pdf", headers=HTML)
    pdf.write_bytes(empty.data)  # a month with nothing recorded says so, and ranks nobody
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "本期没有任何记录" in text and "凤桥村" in text


def test_the_flags_api_carries_the_booth_keepers_inspection_notes(client, people, week):
    flags = client.get("/api/v1/flags", headers=people["supervisor"]["auth"]).get_json()["flags"]
    deposit = next(f for f in flags if f["action"] == "deposit")
    assert deposit["flags"] == ["category_mismatch"]
    assert [(n["note"], n["inspector"], n["asset"]) for n in deposit["inspections"]] == [
        ("好", "赵亭长", deposit["dest"])]
    found = next(f for f in flags if f["action"] == "inspect")  # the keeper's own finding
    assert found["note"] == "厨余桶里有其他垃圾" and found["actor_name"] == "赵亭长"


def test_a_period_with_nothing_recorded_ranks_nobody(client, people, week):
    """A week with no work at all: the page says so instead of ranking every village first
    at 0, and the API says it with ``recorded: false`` and null ranks."""
    token = people["supervisor"]["auth"]
    empty = "/api/v1/assessment?period=week&date=2026-10-05"
    answer = client.get(empty, headers=token).get_json()
    assert answer["recorded"] is False and answer["rows"]
    assert {r["rank"] for r in answer["rows"]} == {None}
    assert len(answer["trend"]) == 7 and {t["booth_signin"] for t in answer["trend"]} == {None}
    assert {r["rank"] for r in client.get(empty + "&level=town", headers=token)
            .get_json()["rows"]} == {None}
    assert client.get(WEEK, headers=token).get_json()["recorded"] is True
    document = client.get("/api/v1/openapi.json").get_json()
    assert "recorded" in document["components"]["schemas"]["AssessmentOut"]["required"]
    sign_in(client, people["supervisor"])
    for lang, said in (("zh", "本期没有任何记录"), ("en", "Nothing was recorded in this period")):
        text = client.get("/supervise/assessment?period=week&date=2026-10-05",
                          headers={**HTML, "Accept-Language": lang}).get_data(as_text=True)
        assert 'id="nothing-recorded"' in text and said in text
        assert 'id="villages"' not in text and "1. 凤桥村" not in text  # no ranking at all
    ranked = page(client, "/supervise/assessment?period=week&date=2026-11-04")
    assert 'id="nothing-recorded"' not in ranked and 'id="villages"' in ranked
