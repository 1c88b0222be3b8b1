"""The booth keeper's inspection on the phone page: it offers the category found, in Chinese
and English, at 360 px and 1366 px, and keeps the phone page's layout rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_phone_layout import check

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]
SHOTS = Path("/tmp/shots/field")


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_keepers_inspection_offers_the_category_found(browser, live_url, people, width,
                                                          lang):
    context = browser.new_context(viewport={"width": width, "height": 740},
                                  device_scale_factor=1, is_mobile=width < 600,
                                  has_touch=width < 600, locale=lang, base_url=live_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/phone/start")
    page.evaluate("t => localStorage.setItem('custody.device', JSON.stringify(t))",
                  {"token": people["booth_keeper"]["token"], "user": "booth_keeper-user"})
    page.goto("/phone/inspect")
    page.locator("#form-screen label.task", has=page.locator("input[value=inspect]")).click()
    # the deposit task (the default) shows the category too: wait for what only inspect shows
    page.wait_for_selector("#note-row", state="visible")
    page.wait_for_selector("#weight-row", state="hidden")
    assert page.is_visible("#category-row")
    hint = page.inner_text("main")
    assert ("如发现其他类别的垃圾" in hint) == lang.startswith("zh")
    if width == 360:
        check(page, f"keeper inspect {lang}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"keeper-inspect-{width}-{lang[:2]}.png"), full_page=True)
    context.close()
