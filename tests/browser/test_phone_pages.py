"""The collector's phone page in a real browser: scan, queue offline, sync, fit 360 px."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from custody.db.schema import Handover
from custody.services.photos import PhotoStore
from tests.custody.photos import phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]


def sign_in(page, who: dict) -> None:
    """Open /phone, sign in on the page it sends us to, and land on the role's page."""
    page.goto("/phone")
    page.fill("#name", who["name"])
    page.fill("#password", who["password"])
    page.click("button[type=submit]")
    page.wait_for_url("**/phone/collect")


def photo_file(tmp_path, name: str, *assets: str, size: tuple[int, int] | None = None) -> str:
    """A phone photo of these labels written to a file, optionally resized (a bigger camera)."""
    data = phone_photo(*assets)
    if size:
        out = io.BytesIO()
        Image.open(io.BytesIO(data)).resize(size, Image.LANCZOS).save(out, "JPEG", quality=90)
        data = out.getvalue()
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def blank_file(tmp_path) -> str:
    """A small photo with no code in it (small, so the scanner gives up quickly)."""
    path = tmp_path / "blank.jpg"
    Image.new("RGB", (480, 360), (118, 112, 96)).save(path, "JPEG")
    return str(path)


def handovers(db) -> list[Handover]:
    """Every stored handover."""
    with db.read() as session:
        return list(session.scalars(select(Handover).order_by(Handover.seq)))


def test_a_collector_photographs_a_deposit_and_sees_it_recorded(
        phone, people, district, db, settings, tmp_path, artifacts):
    page = phone.new_page()
    sign_in(page, people["collector"])
    page.wait_for_selector("#gps:has-text('±')")
    big = photo_file(tmp_path, "deposit.jpg", district.kitchen_bag, district.kitchen_bin,
                     size=(3200, 2400))
    page.set_input_files("#photo", big)
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#result-title") == "已记录"
    assert page.inner_text("#result-message") == "已记录 1 次交接"
    recorded = page.inner_text("#result-handovers")
    assert f"{district.kitchen_bag} → {district.kitchen_bin}" in recorded
    assert "投放到垃圾桶" in recorded and "Deposited" not in recorded
    page.screenshot(path=str(artifacts / "phone-result-360.png"))
    (record,) = handovers(db)
    assert (record.source_id, record.dest_id, record.action) == (
        district.kitchen_bag, district.kitchen_bin, "deposit")
    assert record.lat_e7 == 307001000 and record.accuracy_cm == 1200
    stored = Image.open(PhotoStore(settings.data_dir / "photos").original_path(
        record.photo_sha256))
    assert max(stored.size) == 2048, "the phone shrinks the photo before sending it"
    assert page.inner_text("#queue-count") == "0"


def test_a_photo_without_a_code_asks_for_a_retake_in_the_pages_language(
        phone, people, district, tmp_path):
    page = phone.new_page()
    sign_in(page, people["collector"])
    page.set_input_files("#photo", blank_file(tmp_path))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert "重新拍照" in page.inner_text("#result-screen")
    assert "take it again" not in page.inner_text("#result-screen")
    page.click("#again")
    page.click('nav.langs a[data-lang="en"]')  # the reader switches to English
    page.wait_for_selector("text=Take the photo and send")
    page.set_input_files("#photo", blank_file(tmp_path))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert "take it again" in page.inner_text("#result-screen")
    assert "重新拍照" not in page.inner_text("#result-screen")


def test_scans_made_offline_are_queued_and_sent_once_when_the_signal_returns(
        phone, people, district, db, tmp_path):
    page = phone.new_page()
    sign_in(page, people["collector"])
    page.evaluate("navigator.serviceWorker.ready")
    phone.set_offline(True)
    page.reload()  # the service worker opens the page with no signal
    page.wait_for_selector("#net[data-state=offline]")
    shots = [photo_file(tmp_path, "one.jpg", district.kitchen_bag, district.kitchen_bin),
             photo_file(tmp_path, "two.jpg", district.hazardous_bag, district.other_bin)]
    for n, shot in enumerate(shots, start=1):
        page.set_input_files("#photo", shot)
        page.wait_for_selector("#result-screen:not([hidden])")
        assert "已保存，待上传" in page.inner_text("#result-title")
        assert page.inner_text("#queue-count") == str(n)
        page.click("#again")
    assert handovers(db) == []
    phone.set_offline(False)
    page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
    assert sorted(h.source_id for h in handovers(db)) == sorted(
        [district.kitchen_bag, district.hazardous_bag])


def test_the_collector_page_fits_a_360_px_screen(phone, people, artifacts):
    page = phone.new_page()
    sign_in(page, people["collector"])
    page.wait_for_selector("#gps:has-text('±')")
    page.screenshot(path=str(artifacts / "phone-collector-360.png"))
    page.screenshot(path=str(artifacts / "phone-collector-360-full.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in [".task", "#shoot-label", "#weight", ".logout button"]:
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 48 and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector


def test_a_queued_scan_the_server_refuses_stays_on_the_phone_with_its_reason_and_photo(
        phone, people, district, db, tmp_path):
    page = phone.new_page()
    sign_in(page, people["collector"])
    phone.set_offline(True)
    page.set_input_files("#photo", blank_file(tmp_path))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert page.inner_text("#queue-count") == "1"
    page.click("#again")
    phone.set_offline(False)
    page.wait_for_function("document.getElementById('queue-count').textContent === '0'")
    page.wait_for_selector("#refused-alert:not([hidden])")
    assert page.inner_text("#refused-count") == "1"
    page.click("#refused-alert")  # one tap to today's list
    refused = page.locator(".today-item[data-state=refused]")
    assert "未能记录" in refused.inner_text() and "重新拍照" in refused.inner_text()
    assert "retake" not in refused.inner_text()
    page.wait_for_function(
        "document.querySelector('.today-item[data-state=refused] img').naturalWidth > 0")
    assert handovers(db) == []


def test_the_supervisor_sees_the_handover_with_its_photo(
        browser, live_url, people, district, artifacts, tmp_path):
    collector = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740},
                                    locale="zh-CN")
    page = collector.new_page()
    sign_in(page, people["collector"])
    page.set_input_files("#photo", photo_file(tmp_path, "d.jpg", district.hazardous_bag,
                                              district.kitchen_bin))
    page.wait_for_selector("#result-screen:not([hidden])")
    assert "分类不符" in page.inner_text("#result-flags")
    collector.close()
    pc = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 800},
                             locale="zh-CN")
    page = pc.new_page()
    page.goto("/supervise/flags")
    page.fill("#name", people["supervisor"]["name"])
    page.fill("#password", people["supervisor"]["password"])
    page.click("button[type=submit]")
    page.wait_for_url("**/supervise/flags")
    thumb = page.locator("img.thumb").first
    thumb.wait_for()
    page.wait_for_function("document.querySelector('img.thumb').naturalWidth > 0")
    assert f"{district.hazardous_bag} → {district.kitchen_bin}" in page.inner_text("table")
    page.screenshot(path=str(artifacts / "supervisor-flags.png"), full_page=True)
    pc.close()
