"""A supervisor on a 360 px screen, in Chinese and in English: a period with nothing recorded
says so rather than ranking every village first, and the phones page has one way to enrol a
phone (the QR), which opens the enrolment form for the person chosen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import supervisor_page
from tests.custody.assessment_week import build

pytestmark = pytest.mark.browser

SAID = {"zh": ("本期没有任何记录", "用二维码登记手机", "登记手机"),
        "en": ("Nothing was recorded in this period", "Enrol a phone by QR", "Enrol a phone")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_period_ranks_nobody_and_phones_are_enrolled_by_qr(browser, live_url, db,
                                                                     people, artifacts, lang):
    build(db)
    nothing, by_qr, enrol = SAID[lang]
    page = supervisor_page(browser, live_url, people["supervisor"], lang, "/supervise/flags")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/supervise/assessment?period=week&date=2026-11-04")
    assert page.locator("#villages + table tbody tr").count() == 2  # the week is ranked
    page.locator("a[rel=prev]").click()  # the week before: nothing recorded
    page.wait_for_url("**/supervise/assessment?period=week&date=2026-10-2*")
    assert nothing in page.locator("#nothing-recorded").inner_text()
    assert page.locator("#villages").count() == 0 and page.locator("figure.ranking").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / f"assessment-empty-{lang}-360.png"), full_page=True)

    page.goto("/supervise/users")
    assert page.locator("form[action$='/supervise/devices']").count() == 0  # no token form
    button = page.locator("#enrol-by-qr")
    assert button.inner_text() == by_qr and button.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    collector = people["collector"]["name"]
    page.locator("tr", has_text=collector).locator("a.enrol-user", has_text=enrol).click()
    page.wait_for_url("**/supervise/enrol?user=*")
    assert page.locator("#enrol-user option:checked").inner_text().startswith(collector)
    page.screenshot(path=str(artifacts / f"enrol-chosen-{lang}-360.png"), full_page=True)
    page.context.close()
