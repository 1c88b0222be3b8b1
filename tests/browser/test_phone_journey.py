"""A collector's day in Chromium: a phone enrolled by QR queues scans offline, one is refused,
kept on the phone, fixed and sent again; the server ends up with exactly the right handovers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from custody.db.schema import Handover, ScanAttempt
from tests.browser.test_phone_enrolment import enrolment_link, supervisor_page
from tests.browser.test_phone_pages import photo_file

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]


def stored(db) -> list[tuple[str, str, str]]:
    """(action, source, dest) of every handover on the server, in ledger order."""
    with db.read() as session:
        return [(h.action, h.source_id, h.dest_id)
                for h in session.scalars(select(Handover).order_by(Handover.seq))]


def choose(page, title: str) -> None:
    """Tap a task by its title."""
    page.locator("#form-screen label.task", has_text=title).click()


def test_offline_scans_one_refused_fixed_and_resent(
        browser, live_url, phone, people, district, db, tmp_path, artifacts):
    pc, desk = supervisor_page(browser, live_url, people)
    link = enrolment_link(desk, "wang")
    pc.close()
    page = phone.new_page()
    page.goto(link)
    page.wait_for_url("**/phone/collect")
    page.evaluate("navigator.serviceWorker.ready")

    phone.set_offline(True)
    page.reload()  # the service worker opens the page with no signal
    page.wait_for_selector("#net[data-state=offline]")
    # 1: a deposit, bag and bin: fine
    page.set_input_files("#photo", photo_file(tmp_path, "deposit.jpg", district.kitchen_bag,
                                              district.kitchen_bin))
    page.wait_for_selector("#result-screen:not([hidden])")
    page.click("#again")
    # 2: the bin and the cart, but "unload" chosen by mistake: the server will refuse it
    choose(page, "卸车到中转房")
    page.set_input_files("#photo", photo_file(tmp_path, "collect.jpg", district.kitchen_bin,
                                              district.cart))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#queue-count") == "2"
    page.click("#again")
    assert stored(db) == []

    phone.set_offline(False)
    page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
    page.wait_for_selector("#refused-alert:not([hidden])")
    assert stored(db) == [("deposit", district.kitchen_bag, district.kitchen_bin)]

    page.click("#today-button")  # today's list, one tap away
    page.wait_for_selector("#today-screen:not([hidden])")
    sent = page.locator(".today-item[data-state=sent]")
    assert "厨余垃圾 · 垃圾袋 → 厨余垃圾 · 垃圾桶" in sent.inner_text()
    refused = page.locator(".today-item[data-state=refused]")
    assert "卸车到中转房" in refused.inner_text()
    assert "cart 1 · 车辆" in refused.inner_text()  # what the photo showed, by name
    page.screenshot(path=str(artifacts / "phone-today-360-zh.png"), full_page=True)

    refused.locator("button.fix-open").click()
    page.wait_for_selector("#fix-screen:not([hidden])")
    page.wait_for_function("document.getElementById('fix-thumb').naturalWidth > 0")
    page.screenshot(path=str(artifacts / "phone-fix-360-zh.png"), full_page=True)
    page.locator("#fix-screen label.task", has_text="收集垃圾桶").click()
    page.click("#fix-send")
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#result-title") == "已记录"
    assert "厨余垃圾 · 垃圾桶 → cart 1 · 车辆" in page.inner_text("#result-handovers")
    assert page.locator("#refused-alert").is_hidden()

    assert stored(db) == [("deposit", district.kitchen_bag, district.kitchen_bin),
                          ("collect", district.kitchen_bin, district.cart)]
    with db.read() as session:  # three uploads: the refused one is kept as evidence
        states = sorted(a.status for a in session.scalars(select(ScanAttempt)))
    assert states == ["recorded", "recorded", "scan_not_understood"]
    page.click("#today-button")  # the list is redrawn after the tap: wait for it
    expect(page.locator(".today-item[data-state=sent]")).to_have_count(2)
    expect(page.locator(".today-item[data-state=refused]")).to_have_count(0)


def test_a_refused_scan_can_be_discarded_or_retaken(phone, people, district, db, tmp_path):
    page = phone.new_page()
    page.goto("/phone/start")
    page.evaluate("t => localStorage.setItem('custody.device', JSON.stringify(t))",
                  {"token": people["collector"]["token"], "user": "collector-user"})
    page.goto("/phone")
    page.wait_for_url("**/phone/collect")
    for name in ("a.jpg", "b.jpg"):  # the bin's code is missing: refused twice
        page.set_input_files("#photo", photo_file(tmp_path, name, district.kitchen_bag))
        page.wait_for_selector("#result-fix:not([hidden])")
        page.click("#again")
    assert page.inner_text("#refused-count") == "2"
    page.click("#refused-alert")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".today-item[data-state=refused] button.fix-open").first.click()
    page.click("#fix-discard")
    page.wait_for_selector("#today-screen:not([hidden])")
    assert page.locator(".today-item[data-state=refused]").count() == 1
    page.locator(".today-item[data-state=refused] button.fix-open").click()
    page.set_input_files("#fix-photo", photo_file(tmp_path, "c.jpg", district.kitchen_bag,
                                                  district.kitchen_bin))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#result-title") == "已记录"
    assert stored(db) == [("deposit", district.kitchen_bag, district.kitchen_bin)]
    assert page.inner_text("#refused-count") == "0"
