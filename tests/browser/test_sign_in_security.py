"""Sign-in as a browser lives it: slowed after repeated wrong passwords, a copied cookie dead
after sign-out, a full disk explained. Screenshots at 360 and 1366 px in test-artifacts/."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from custody.config import Settings
from custody.db import migrate
from custody.db.engine import Database
from custody.domain.model import Role
from custody.services import accounts
from custody.web import create_app
from tests.conftest import TEST_KEYS
from tests.custody.test_disk_full import fill, small_disk  # noqa: F401  (a fixture)

WIDTHS = {"phone": {"width": 360, "height": 740}, "desk": {"width": 1366, "height": 768}}


def submit_login(page, name: str, password: str) -> None:
    """Type into the login form and press its button, as a person does."""
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", password)
    with page.expect_navigation():  # the answer page has loaded before anything is read
        page.click("button[type=submit]")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_ten_wrong_passwords_then_a_wait_page_in_chinese(browser, live_url, people, artifacts,
                                                        width):
    context = browser.new_context(viewport=WIDTHS[width], base_url=live_url, locale="zh-CN")
    page = context.new_page()
    wang = people["collector"]
    for n in range(10):
        submit_login(page, wang["name"], f"wrong {n}")
        expect(page.locator("text=用户名或密码错误")).to_be_visible()
    submit_login(page, wang["name"], "wrong again")
    assert page.locator("h1").inner_text().startswith("请稍后再试")
    assert page.locator("text=尝试失败次数过多").is_visible()
    assert "Too many attempts" not in page.locator("h1").inner_text()  # one language
    page.screenshot(path=str(artifacts / f"sign-in-throttled-{width}.png"), full_page=True)
    submit_login(page, people["driver"]["name"], people["driver"]["password"])  # another user
    assert page.url.endswith("/phone") or "/drive" in page.url or "/phone" in page.url
    context.close()


def test_a_copied_cookie_is_dead_after_sign_out(browser, live_url, people):
    boss = people["supervisor"]
    office = browser.new_context(viewport=WIDTHS["desk"], base_url=live_url, locale="zh-CN")
    page = office.new_page()
    submit_login(page, boss["name"], boss["password"])
    page.goto("/supervise")
    assert page.url.endswith("/supervise")
    copied = office.cookies()
    page.goto("/login")
    page.click("text=退出登录")
    thief = browser.new_context(viewport=WIDTHS["desk"], base_url=live_url, locale="zh-CN")
    thief.add_cookies(copied)
    stolen = thief.new_page()
    stolen.goto("/supervise")
    assert "/login" in stolen.url and stolen.locator("#password").is_visible()
    office.close()
    thief.close()


def test_a_full_disk_is_explained_in_both_languages(browser, small_disk, artifacts,  # noqa: F811
                                                    fast_passwords):
    db = Database(f"sqlite:///{small_disk / 'custody.sqlite'}")
    migrate.upgrade(db)
    accounts.create_user(db, "zhou", Role.SUPERVISOR, "zhou-password")
    settings = Settings(data_dir=small_disk, database_url=db.url.render_as_string(False),
                        code_keys=TEST_KEYS, code_key_id="A", secret_key="s" * 32)
    server = make_server("127.0.0.1", 0, create_app({"SETTINGS": settings, "DATABASE": db}),
                         threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        filler = fill(small_disk)
        for width, viewport in sorted(WIDTHS.items()):
            context = browser.new_context(viewport=viewport, locale="zh-CN",
                                          base_url=f"http://127.0.0.1:{server.server_port}")
            page = context.new_page()
            submit_login(page, "zhou", "zhou-password")
            assert page.locator("h1").inner_text().startswith("服务器存储空间已满")
            assert page.locator("text=已有记录不受影响").is_visible()
            page.screenshot(path=str(artifacts / f"disk-full-{width}.png"), full_page=True)
            context.close()
        filler.free()
        context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}")
        page = context.new_page()
        submit_login(page, "zhou", "zhou-password")
        assert "/login" not in page.url  # signed in once space is back
        context.close()
    finally:
        server.shutdown()
        db.dispose()
