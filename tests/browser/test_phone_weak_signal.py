"""The phone page on a weak signal, in Chromium as a person taps it: a slow upload is never cut
and restarted, the user may go on while it is sent, a double tap sends once (send again and the
viewfinder's button), an offline scan survives a reload and is sent exactly once, and a page the
phone kept before an update still works with the new scripts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone_field_roles import SHOTS, attempts, field_phone, handovers, take
from tests.browser.test_phone_pages import blank_file, photo_file
from tests.browser.test_phone_viewfinder import camera_browser  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]


def test_send_again_tapped_twice_on_a_slow_network_sends_one_scan(
        browser, live_url, people, district, db, tmp_path):
    context, page = field_phone(browser, live_url, people, "collector")
    take(page, blank_file(tmp_path))  # no code: refused, kept to fix
    page.click("#result-fix")
    page.wait_for_selector("#fix-screen:not([hidden])")
    held, released = [], []  # a weak signal: the upload hangs until we let it through

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/scans", hold)
    page.locator("#fix-screen label.task:has(input[value=deposit])").click()
    page.dispatch_event("#fix-send", "click")  # two quick taps, as a thumb does
    page.dispatch_event("#fix-send", "click")
    page.wait_for_selector("#busy-screen:not([hidden])")
    while not held:
        page.wait_for_timeout(50)
    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_selector("#result-screen:not([hidden])")
    expect(page.locator("#queue-count")).to_have_text("0")
    assert attempts(db) == ["no_code", "no_code"]  # the first, and one resend: not two
    page.click("#today-button")
    expect(page.locator(".today-item")).to_have_count(1)
    context.close()


def test_an_offline_scan_survives_a_reload_and_is_sent_exactly_once(
        browser, live_url, people, district, db, tmp_path):
    context, page = field_phone(browser, live_url, people, "driver")
    page.evaluate("navigator.serviceWorker.ready")
    context.set_offline(True)
    take(page, photo_file(tmp_path, "l.jpg", district.room, district.truck), "load")
    assert page.inner_text("#queue-count") == "1"
    page.reload()  # the phone's browser was closed: the page comes back from the phone
    page.wait_for_selector("#net[data-state=offline]")
    expect(page.locator("#queue-count")).to_have_text("1")
    page.click("#today-button")
    expect(page.locator(".today-item[data-state=queued]")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/offline-waiting-360-zh.png", full_page=True)
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator(".today-item[data-state=sent]")).to_have_count(1)
    page.reload()  # and once more: nothing is sent again
    page.wait_for_selector("#net[data-state=online]")
    expect(page.locator("#queue-count")).to_have_text("0")
    assert handovers(db) == [("load", district.room, district.truck)]
    assert attempts(db) == ["recorded"]
    context.close()


def hold_uploads(page) -> tuple[list, callable]:
    """A weak signal: every upload hangs until ``release()`` lets them all through."""
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    def release():
        released.append(True)
        for route in held:
            route.continue_()

    page.route("**/scans", hold)
    return held, release


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_weak_signal_lets_the_collector_go_on_and_never_cuts_a_slow_upload(
        browser, live_url, people, district, db, tmp_path, lang):
    context, page = field_phone(browser, live_url, people, "collector", lang)
    page.clock.install()  # the phone's timers, fast-forwarded instead of waited for
    page.reload()
    page.wait_for_selector("#gps:has-text('±')")
    held, release = hold_uploads(page)
    cut = []  # uploads the phone gave up on
    page.on("requestfailed", lambda request: cut.append(request.url))
    page.set_input_files("#photo", photo_file(tmp_path, "d.jpg", district.kitchen_bag,
                                              district.kitchen_bin))
    page.wait_for_selector("#busy-screen:not([hidden])")
    while not held:
        page.wait_for_timeout(50)
    page.clock.run_for(10_000)  # a few seconds: the scan is safe, the user may go on
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#result-title") == ("已保存，待上传" if lang == "zh" else
                                                  "Saved on the phone, not sent yet")
    assert ("信号较弱" in page.inner_text("#result-message")) == (lang == "zh")
    page.screenshot(path=f"{SHOTS}/weak-signal-360-{lang}.png", full_page=True)
    page.clock.run_for(150_000)  # 2½ minutes of a slow upload: not given up and restarted
    release()
    page.wait_for_function("document.getElementById('result-title').textContent !== ''"
                           " && document.getElementById('queue-count').textContent === '0'")
    # the answer replaces the "saved" screen the user is still looking at
    expect(page.locator("#result-title")).to_have_text("已记录" if lang == "zh" else "Recorded")
    assert cut == [] and len(held) == 1 and attempts(db) == ["recorded"]
    context.close()


def test_a_page_kept_before_an_update_still_shows_the_answer_with_the_new_scripts(
        browser, live_url, people, district, tmp_path):
    context, page = field_phone(browser, live_url, people, "collector")

    def older_page(route):  # the page the phone kept offline has none of the newer words
        response = route.fetch()
        body = response.text()
        for key in ("handoverLine", "inspectedLine", "flagLine", "slowNote", "missingKinds"):
            body = body.replace(f'"{key}"', f'"{key}Gone"')
        route.fulfill(response=response, body=body)

    page.route("**/phone/collect", older_page)
    page.reload()
    take(page, photo_file(tmp_path, "d.jpg", district.hazardous_bag, district.kitchen_bin))
    assert page.inner_text("#result-title") == "已记录"
    assert district.hazardous_bag in page.inner_text("#result-handovers")
    context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_viewfinders_button_tapped_twice_on_a_slow_network_takes_one_photo(
        camera_browser, live_url, people, district, db):  # noqa: F811 - the fixture
    context, page = field_phone(camera_browser, live_url, people, "collector", camera=True)
    held, release = hold_uploads(page)
    page.click("#vf-start")
    page.wait_for_selector("#vf-seen li.seen[data-kind=N]")  # the camera films the labels
    page.dispatch_event("#vf-shoot", "click")  # a thumb that taps twice (and the viewfinder
    page.dispatch_event("#vf-shoot", "click")  # may shoot by itself too)
    page.wait_for_selector("#busy-screen:not([hidden])")
    while not held:
        page.wait_for_timeout(50)
    release()
    page.wait_for_selector("#result-screen:not([hidden])")
    expect(page.locator("#queue-count")).to_have_text("0")
    page.wait_for_timeout(1500)  # room for a second upload, if the page had made one
    assert attempts(db) == ["recorded"]
    page.click("#today-button")
    expect(page.locator(".today-item")).to_have_count(1)
    context.close()


def test_a_revoked_phone_says_why_its_scan_waits_not_no_signal(
        browser, live_url, people, district, db, tmp_path):
    from custody.services import devices

    context, page = field_phone(browser, live_url, people, "collector")
    devices.revoke_device(db, people["collector"]["device_id"])  # from the supervisor's desk
    take(page, photo_file(tmp_path, "d.jpg", district.kitchen_bag, district.kitchen_bin))
    assert "没有信号" not in page.inner_text("#result-screen")
    expect(page.locator("#revoked")).to_contain_text("已被撤销")
    assert page.locator("#result-message").is_hidden()  # no empty box under the title
    page.screenshot(path=f"{SHOTS}/revoked-result-360-zh.png", full_page=True)
    assert page.inner_text("#queue-count") == "1" and attempts(db) == []
    context.close()
