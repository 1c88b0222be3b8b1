"""Enrolling a phone by QR in a real browser: the supervisor shows the code, the phone opens it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import scanners
from custody.db.schema import Handover, ScanAttempt
from custody.services import devices
from tests.browser.test_phone_pages import photo_file

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]


def supervisor_page(browser, live_url, people, lang: str = "zh-CN"):
    """The supervisor's PC, signed in on the users page."""
    pc = browser.new_context(base_url=live_url, viewport={"width": 1366, "height": 900},
                             locale=lang)
    page = pc.new_page()
    page.goto("/supervise/users")
    page.fill("#name", people["supervisor"]["name"])
    page.fill("#password", people["supervisor"]["password"])
    page.click("button[type=submit]")
    page.wait_for_url("**/supervise/users")
    return pc, page


def enrolment_link(page, user: str, artifacts=None, shot: str = "") -> str:
    """From the users page: enrol by QR for ``user``; the link the QR holds."""
    page.click("#enrol-by-qr")
    page.select_option("#enrol-user", user)
    page.fill("#enrol-device", "红米 A2")
    page.click("form.enrol button[type=submit]")
    page.wait_for_selector("#enrol-qr svg")
    if artifacts:
        page.screenshot(path=str(artifacts / shot), full_page=True)
    link = page.get_attribute("#enrol-link", "href")
    (seen,) = scanners.decode(page.locator("#enrol-qr svg").screenshot())
    assert seen.text == link  # the QR on the screen holds the link
    return link


def test_a_phone_enrolled_by_qr_scans_as_its_person_until_revoked(
        browser, live_url, phone, people, district, db, tmp_path, artifacts):
    pc, desk = supervisor_page(browser, live_url, people)
    link = enrolment_link(desk, "wang", artifacts, "enrol-qr-1366-zh.png")
    assert "只能使用一次" in desk.inner_text("main")

    page = phone.new_page()
    page.goto(link)  # what the phone's camera app does with the QR
    page.wait_for_url("**/phone/collect")
    assert page.inner_text(".who") == "wang"
    kept = page.evaluate("JSON.parse(localStorage.getItem('custody.device'))")
    assert kept["user"] == "wang" and kept["token"].startswith("cdy_")
    assert kept["token"] not in page.content()  # kept, never shown
    assert page.locator(".logout").count() == 0  # signed in until revoked

    page.set_input_files("#photo", photo_file(tmp_path, "d.jpg", district.kitchen_bag,
                                              district.kitchen_bin))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#result-title") == "已记录"
    with db.read() as session:
        (handover,) = session.scalars(select(Handover))
        (attempt,) = session.scalars(select(ScanAttempt))
    device = devices.get_device(db, attempt.device_id)
    assert handover.actor_id == district.collector and device.actor_name == "wang"
    assert device.name == "红米 A2"

    # a new session the next day: the kept token signs the phone in again
    phone.clear_cookies()
    page.goto("/phone")
    page.wait_for_url("**/phone/collect")
    assert page.inner_text(".who") == "wang"

    # the same link again: a clear page, in the phone's language
    other = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740},
                                locale="en-US")
    used = other.new_page()
    used.goto(link)
    assert "already been used" in used.inner_text("#enrol-problem")
    used.screenshot(path=str(artifacts / "enrol-used-360-en.png"))
    other.close()

    # revoked from the supervisor's page: the phone's very next scan is refused and kept
    desk.goto("/supervise/users")
    desk.click(f"form[action$='/devices/{device.id}/revoke'] button")
    page.set_input_files("#photo", photo_file(tmp_path, "e.jpg", district.hazardous_bag,
                                              district.other_bin))
    page.wait_for_selector("#revoked:not([hidden])")
    assert "已被撤销" in page.inner_text("#revoked")
    assert page.inner_text("#queue-count") == "1"
    page.reload()
    page.wait_for_selector("#start-revoked:not([hidden])")
    page.screenshot(path=str(artifacts / "enrol-revoked-360-zh.png"))
    with db.read() as session:
        assert len(list(session.scalars(select(Handover)))) == 1
    pc.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_enrolment_pages_in_both_languages(browser, live_url, people, district, artifacts,
                                               lang):
    short = lang[:2]
    pc, desk = supervisor_page(browser, live_url, people, lang)
    link = enrolment_link(desk, "wang", artifacts, f"enrol-qr-1366-{short}.png")
    narrow = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740},
                                 locale=lang)
    page = narrow.new_page()
    page.route("**/phone/enrol/*", lambda route: route.continue_()
               if route.request.method == "GET" else route.abort())  # hold the exchange
    page.goto(link)
    page.wait_for_selector("#enrol-error:not([hidden])")
    text = page.inner_text("main")
    assert "wang" in text
    assert ("这部手机将以" in text) == (short == "zh")
    page.screenshot(path=str(artifacts / f"enrol-phone-360-{short}.png"))
    desk.set_viewport_size({"width": 360, "height": 740})
    desk.goto("/supervise/enrol")
    desk.screenshot(path=str(artifacts / f"enrol-form-360-{short}.png"), full_page=True)
    assert desk.evaluate("document.documentElement.scrollWidth") <= 360
    narrow.close()
    pc.close()
