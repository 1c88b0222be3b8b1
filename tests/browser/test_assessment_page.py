"""A supervisor reads the assessment in Chromium: opens it from the navigation, switches the
period, and sees the rankings drawn, in Chinese and in English."""

from __future__ import annotations

import pytest

from tests.browser.conftest import supervisor_page
from tests.custody.assessment_week import build

pytestmark = pytest.mark.browser

NAMES = {"zh": ("考核", "综合得分", "按日"), "en": ("Assessment", "Composite score", "Daily")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_assessment_page_ranks_and_switches_period(browser, live_url, db, people, artifacts,
                                                       lang):
    build(db)
    title, composite, day = NAMES[lang]
    page = supervisor_page(browser, live_url, people["supervisor"], lang, "/supervise/flags")
    page.locator("nav.top a", has_text=title).click()
    page.wait_for_url("**/supervise/assessment")
    page.select_option("#a-period", "week")
    page.fill("#a-date", "2026-11-04")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/supervise/assessment?period=week&date=2026-11-04")
    assert page.locator("h1").inner_text() == title
    assert page.locator("figure.trend svg polyline").count() >= 6
    villages = page.locator("#villages + table tbody tr")
    assert [villages.nth(n).locator("td").nth(1).inner_text() for n in range(2)] == [
        "新丰村", "凤桥村"]
    assert page.locator("figure.ranking svg rect").count() == 4  # two towns, two villages
    assert composite in page.locator("#villages + table thead").inner_text()
    page.screenshot(path=str(artifacts / f"assessment-{lang}-1366-week.png"), full_page=True)

    page.select_option("#a-period", "day")
    page.fill("#a-date", "2026-11-02")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/supervise/assessment?period=day&date=2026-11-02")
    assert page.locator("#a-period").input_value() == "day"
    assert page.locator("#a-period option:checked").inner_text() == day
    # Monday: 凤桥村 picked up both booths and photographed its room's clearance: first now.
    assert villages.nth(0).locator("td").nth(1).inner_text() == "凤桥村"
    page.locator("a[rel=prev]").click()
    page.wait_for_url("**/supervise/assessment?period=day&date=2026-11-01")
    href = page.locator("a.bulletin").get_attribute("href")
    assert href.endswith("/supervise/assessment/bulletin/2026-11.pdf")
    assert page.request.get(href).headers["content-type"] == "application/pdf"
    page.context.close()
