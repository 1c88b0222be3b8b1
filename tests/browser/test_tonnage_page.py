"""/tonnage in Chromium at phone and desktop size, both languages, nothing from outside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custody import demo
from custody.web.schemas import today
from tests.browser.test_public_map import _page

pytestmark = pytest.mark.browser


@pytest.fixture
def two_weeks(db):
    """Two demo villages, their last fourteen days."""
    demo.build(db, demo.DemoSpec(villages=2, households=80, days=14, seed=5,
                                 start=today() - timedelta(days=13), photo_share=0,
                                 labels=False), progress=False)


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("phone", "en"),
                                              ("desktop", "zh-CN"), ("desktop", "en")])
def test_the_tonnage_page_reads_on_any_screen(browser, live_url, two_weeks, artifacts, size,
                                              locale):
    context, page = _page(browser, live_url, size, locale)
    page.goto("/tonnage")
    assert page.locator("#trend rect.bar").count() > 0
    assert page.locator("#figures tbody tr").count() == 5
    assert page.locator("#villages li").count() == 2
    page.screenshot(path=str(artifacts / f"tonnage-{size}-{locale}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # nothing runs off a phone's screen
    page.select_option("#by", "day")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**by=day**")
    assert page.locator("#trend g.period").count() >= 14
    page.locator("#villages a").first.click()  # one village, the choice in the URL
    page.wait_for_url("**level=village**")
    assert "node=" in page.url and page.locator("#villages").count() == 1
    context.close()
