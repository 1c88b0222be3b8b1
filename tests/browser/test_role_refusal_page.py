"""A phone page offering a task its role may not do: the refusal is shown, in the page's language.

The phone pages offer only their role's tasks, but a page the service worker
cached before the table changed can still offer an old one. Here the keeper's
page is made with a delivery task, as such a stale page would be; the keeper
photographs a truck at the plant, and the page says why nothing was recorded.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from custody.db.schema import Handover, ScanAttempt
from custody.domain.model import Role
from tests.browser.test_phone_pages import photo_file

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]
WIDTHS = {360: 740, 1366: 800}
SAYS = {"zh": ("未能记录", "你的岗位不能记录此操作"),
        "en": ("Not recorded", "Your role may not record this action")}


@pytest.fixture
def stale_keeper_page(monkeypatch):
    from custody.web import phone

    monkeypatch.setitem(phone.PAGES, "keeper", (Role.BOOTH_KEEPER, ["inspect", "deliver"]))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_task_outside_the_role_is_refused_on_the_phone_page(
        browser, live_url, people, district, db, tmp_path, artifacts, stale_keeper_page,
        lang, width):
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]},
                                  base_url=live_url, locale="zh-CN",
                                  is_mobile=width == 360, has_touch=width == 360)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    if lang == "en":
        page.click('nav.langs a[data-lang="en"]')
        page.wait_for_load_state()
    keeper = people["booth_keeper"]
    page.fill("#name", keeper["name"])
    page.fill("#password", keeper["password"])
    page.click("main form button[type=submit]")
    page.goto("/phone")
    page.wait_for_url("**/phone/inspect")
    page.check('input[name="task"][value="deliver"]')
    page.set_input_files("#photo", photo_file(tmp_path, "truck.jpg", district.truck,
                                              district.plant))
    page.wait_for_selector("#result-screen:not([hidden])")
    title, message = SAYS[lang]
    assert page.inner_text("#result-title") == title
    assert message in page.inner_text("#result-message")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"{lang}-{width}-booth_keeper-role-refused.png"),
                    full_page=True)
    context.close()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 0
        assert s.scalars(select(ScanAttempt.status)).all() == ["role_not_allowed"]
