"""/tonnage as a resident reads it: figures and shares, a trend by week or month, villages."""

import re
from datetime import date

from custody.services.tonnage_summary import Period, auto_period, period_start, summarise
from custody.web import charts
from tests.custody.test_reports_web import day_of_work  # noqa: F401 - a fixture

HTML = {"Accept": "text/html"}
EN = {**HTML, "Accept-Language": "en"}


def test_figures_and_shares_per_category_in_kg(client, day_of_work):  # noqa: F811
    html = client.get(f"/tonnage?from={day_of_work}&to={day_of_work}", headers=EN
                      ).get_data(as_text=True)
    kitchen = re.search(r'<tr data-category="kitchen">.*?</tr>', html, re.S)[0]
    assert "40.0 kg" in kitchen and "100%" in kitchen and "38.5 kg" in kitchen
    other = re.search(r'<tr data-category="other">.*?</tr>', html, re.S)[0]
    assert "0%" in other
    assert 'id="summary-sentence"' in html and "40.0 kg collected" in html


def test_a_village_shows_no_weighing_in_of_its_own(client, day_of_work):  # noqa: F811
    """The facilities weigh trucks, not villages: a village's page claims no 0 kg delivered."""
    district = client.get(f"/tonnage?from={day_of_work}&to={day_of_work}", headers=EN
                          ).get_data(as_text=True)
    assert "<th>Delivered</th>" in district and "weighed in at the treatment" in district
    html = client.get(f"/tonnage?from={day_of_work}&to={day_of_work}&level=village&node=凤桥村",
                      headers=HTML).get_data(as_text=True)
    kitchen = re.search(r'<tr data-category="kitchen">.*?</tr>', html, re.S)[0]
    assert "40.0 公斤" in kitchen and kitchen.count("<td>") == 2  # collected, share
    assert "运抵处理" not in html and "过磅" not in html and "从投放亭收集 40.0 公斤。" in html


def test_the_trend_is_by_week_or_month_and_every_choice_is_in_the_url(client, day_of_work):  # noqa: F811
    url = "/tonnage?from=2026-09-01&to=2026-11-30&level=village&node=凤桥村&by=week"
    html = client.get(url, headers=HTML).get_data(as_text=True)
    assert 'data-by="week"' in html
    starts = re.findall(r'<g class="period" data-start="([\d-]+)"', html)
    assert starts[0] == "2026-08-31" and len(starts) == 14  # Mondays, empty weeks included
    assert 'class="bar bar-kitchen"' in html
    assert '<option value="凤桥村" selected>' in html and '<option value="week" selected>' in html
    monthly = client.get(url.replace("by=week", "by=month"), headers=HTML).get_data(as_text=True)
    assert re.findall(r'data-start="([\d-]+)"', monthly) == ["2026-09-01", "2026-10-01",
                                                               "2026-11-01"]
    assert "每月收集量" in monthly


def test_the_district_page_compares_its_villages_with_links_to_each(client, day_of_work):  # noqa: F811
    html = client.get(f"/tonnage?from={day_of_work}&to={day_of_work}", headers=EN
                      ).get_data(as_text=True)
    assert 'id="villages"' in html and 'data-village="凤桥村"' in html
    assert "level=village" in html and "node=%E5%87%A4%E6%A1%A5%E6%9D%91" in html


def test_a_bad_choice_re_shows_the_form(client):
    answer = client.get("/tonnage?by=fortnight", headers=EN)
    assert answer.status_code == 400 and 'aria-invalid="true"' in answer.get_data(as_text=True)


def test_periods_start_on_mondays_and_firsts_and_auto_choice():
    assert period_start(date(2026, 11, 29), "week") == date(2026, 11, 23)
    assert period_start(date(2026, 11, 29), "month") == date(2026, 11, 1)
    assert auto_period(date(2026, 11, 1), date(2026, 11, 30)) == "day"
    assert auto_period(date(2026, 9, 1), date(2026, 11, 30)) == "week"
    assert auto_period(date(2025, 12, 1), date(2026, 11, 30)) == "month"


def test_the_trend_scales_to_a_round_top_and_stacks_categories():
    periods = [Period(date(2026, 11, 2), {"kitchen": 300.0, "other": 120.0}),
               Period(date(2026, 11, 9), {"kitchen": 0.0})]
    chart = charts.trend(periods)
    assert chart.ticks[-1][0] == 500.0
    first = chart.columns[0].segments
    assert [s.category for s in first] == ["kitchen", "other"]
    assert first[1].y + first[1].height == first[0].y  # other sits on kitchen
    assert chart.columns[1].segments == []


def test_summaries_read_only_the_rollups(db, day_of_work):  # noqa: F811
    summary = summarise(db, day_of_work, day_of_work, "district", None, "day")
    assert summary.totals["collected"]["kitchen"] == 40.0
    assert [v.name for v in summary.villages] == ["凤桥村"]
    assert summary.villages[0].households == 14  # 12 + the fixture's two bags' homes
