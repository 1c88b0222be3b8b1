"""Every report parameter is checked: bad values answer 400, never 500, in the reader's language."""

from __future__ import annotations

import itertools
import re

import pytest

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
API = ["/api/v1/tonnage", "/api/v1/tonnage.csv", "/api/v1/mass-balance"]
BAD = [  # (query, the code the answer names)
    ({"from": "garbage"}, "bad_date"),
    ({"from": "2026-11-31"}, "bad_date"),  # no such day
    ({"to": "2026-02-30"}, "bad_date"),
    ({"from": "20261122"}, "bad_date"),  # not written like 2026-11-22
    ({"from": "2026-W47-1"}, "bad_date"),
    ({"from": "2026-11-22T08:00"}, "bad_date"),
    ({"from": "９９９９-01-01"}, "bad_date"),  # full-width digits
    ({"from": "2026-11-22", "to": "2026-11-01"}, "bad_range"),  # reversed
    ({"from": "2024-01-01", "to": "2026-01-01"}, "bad_range"),  # longer than 400 days
    ({"to": "0001-01-03"}, "bad_date"),  # the calendar's first days: the default range overflowed
    ({"from": "0001-01-01"}, "bad_date"),
    ({"to": "9999-12-31"}, "bad_date"),  # and its last
]
BAD_LEVEL = [({"level": "nowhere"}, "bad_level"), ({"level": "BOOTH"}, "bad_level"),
             ({"level": ""}, None)]  # blank is the default


def test_the_api_answers_every_bad_report_parameter_with_400_in_the_one_shape(client, people):
    walked = 0
    for url in API:
        for query, code in BAD + BAD_LEVEL[:2]:
            if url.endswith("mass-balance") and "level" in query:
                continue  # the mass balance has no level
            response = client.get(url, query_string=query,
                                  headers=people["supervisor"]["auth"])
            assert response.status_code == 400, (url, query, response.status_code)
            error = response.get_json()["error"]
            assert error["code"] == code and error["message"], (url, query)
            assert [p["code"] for p in error["problems"]] == [code]
            walked += 1
    assert walked == 3 * len(BAD) + 4


def test_a_day_at_the_range_limit_is_fine_and_one_more_is_not(client):
    assert client.get("/api/v1/tonnage?from=2025-01-01&to=2026-02-04").status_code == 200
    assert client.get("/api/v1/tonnage?from=2025-01-01&to=2026-02-05").status_code == 400


def test_booth_figures_are_refused_to_the_public_with_a_clear_code(client):
    for url in API[:2]:
        error = client.get(url, query_string={"level": "booth"}).get_json()["error"]
        assert error["code"] == "bad_level"


def test_other_bad_api_parameters(client, people):
    auth = people["supervisor"]["auth"]
    for url in ("/api/v1/devices?limit=0", "/api/v1/devices?limit=x",
                "/api/v1/devices?limit=99999", "/api/v1/tonnage?node=" + "x" * 101,
                # NUL: PostgreSQL can neither store nor compare it (was a 500 there)
                "/api/v1/tonnage?node=%00", "/api/v1/tonnage.csv?node=V%00",
                "/api/v1/mass-balance?room=R%00", "/api/v1/devices?user=%00",
                # a misspelt parameter is refused, not silently left at its default
                "/api/v1/tonnage?levle=booth", "/api/v1/mass-balance?rooom=R1",
                "/api/v1/flags?stat=open"):
        response = client.get(url, headers=auth)
        assert response.status_code == 400, url
        assert response.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tonnage_page_shows_its_form_again_with_the_values_and_a_message(client, lang):
    for query, code in BAD + BAD_LEVEL[:1]:
        response = client.get("/tonnage", query_string=query,
                              headers={**HTML, "Accept-Language": lang})
        assert response.status_code == 400, query
        html = response.get_data(as_text=True)
        assert f'<p data-code="{code}">' in html, query
        for name, value in query.items():
            if name in ("from", "to"):
                assert f'name="{name}" value="{value}"' in html  # what was typed stays
        assert 'aria-invalid="true"' in html
        assert ("日期" in html or "层级" in html) if lang == "zh" else (
            "date" in html or "level" in html or "range" in html)


def test_the_map_of_a_bad_day_says_so_and_shows_the_latest_day(client):
    for day, (lang, words) in itertools.product(
            ["garbage", "2026-11-31", "2026-02-29", "1-1-1", "２０２６", "0001-01-01",
             "9999-12-31", "a%00"],
            [("zh", "不是有效日期"), ("en", "is not a day")]):
        response = client.get("/map", query_string={"day": day},
                              headers={**HTML, "Accept-Language": lang})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert words in html and 'class="custody-notice"' in html
        assert re.search(r'<input id="custody-day" type="date" name="day" value="\d{4}-\d\d-\d\d"',
                         html)


def test_good_parameters_still_work(client, people):
    assert client.get("/api/v1/tonnage?from=2026-11-01&to=2026-11-07&level=village"
                      ).status_code == 200
    assert client.get("/map?day=2026-11-02", headers=HTML).status_code == 200
    assert client.get("/tonnage?from=&to=&level=", headers=HTML).status_code == 200
    assert client.get("/api/v1/mass-balance?room=R00000001",
                      headers=people["supervisor"]["auth"]).status_code == 200


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_issue_s_bad_report_urls_answer_400_in_the_right_form(client, people, lang):
    """The answers of issue 13 that were 500s or raw JSON in a browser, and their kin."""
    browser = {**HTML, "Accept-Language": lang}
    for url, code in (("/map?day=garbage", None), ("/map?day=2026-11-31", None),
                      ("/map?day=0001-01-01", None),
                      ("/tonnage?from=2026-11-22&to=2026-11-01", "bad_range"),
                      ("/tonnage?level=nowhere", "bad_level"),
                      ("/tonnage?to=0001-01-03", "bad_date")):
        response = client.get(url, headers=browser)
        assert response.status_code == 400, url
        assert response.mimetype == "text/html", url  # a page, never raw JSON
        html = response.get_data(as_text=True)
        assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in html, url
        if code:
            message = re.search(rf'<p data-code="{code}">([^<]+)</p>', html)
            assert message and _chinese(message[1]) is (lang == "zh"), url
    for url in ("/api/v1/mass-balance?from=x", "/api/v1/tonnage?level=nowhere",
                "/api/v1/tonnage?from=2026-11-22&to=2026-11-01"):
        response = client.get(url, headers={**people["supervisor"]["auth"],
                                            "Accept-Language": lang})
        assert response.status_code == 400 and response.mimetype == "application/json", url
        error = response.get_json()["error"]
        assert error["code"] in ("bad_date", "bad_level", "bad_range") and error["message"], url
        assert _chinese(error["message"]) is (lang == "zh"), url
