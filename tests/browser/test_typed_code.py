"""Trace for everyone in Chromium: from the home page, a typed code opens its trace."""

from __future__ import annotations

import pytest

from tests.browser.test_public_map import _page
from tests.custody.test_handovers import walk_normal_path

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("phone", "en"),
                                              ("desktop", "zh-CN"), ("desktop", "en")])
def test_a_typed_code_opens_its_trace(browser, live_url, db, district, t0, artifacts, size,
                                      locale):
    walk_normal_path(db, district, t0)
    context, page = _page(browser, live_url, size, locale)
    page.goto("/")
    page.locator("a[href='/code']").click()
    page.wait_for_url("**/code")
    box = page.locator("#code").bounding_box()
    assert box["height"] >= 44
    page.screenshot(path=str(artifacts / f"code-{size}-{locale}.png"), full_page=True)
    page.fill("#code", "nonsense")
    page.locator("main button[type=submit]").click()
    assert page.locator("#code-problem").is_visible()
    assert page.locator("#code").input_value() == "nonsense"
    page.fill("#code", f"b{int(district.kitchen_bag[1:])}")  # as printed, typed loosely
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/trace/{district.kitchen_bag}")
    actions = page.locator("li.stop").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["deposit", "collect", "unload", "load", "deliver"]
    treatment = page.locator("[data-treatment=composting]").inner_text()
    assert ("堆肥" in treatment) if locale == "zh-CN" else ("composted" in treatment)
    page.screenshot(path=str(artifacts / f"trace-{size}-{locale}.png"), full_page=True)
    context.close()
