"""Each field role on its phone page in Chromium, as a person taps it, in Chinese and English:
enrolled by QR, a repeat, a weighbridge weight (and one too big), an inspection, a wrong
category, refusals in words a collector understands (a missing code, a code of another
district, a photo too large). The weak signal's cases are in test_phone_weak_signal.py."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from custody.db.schema import Handover, ScanAttempt
from tests.browser.test_phone_pages import photo_file
from tests.custody.photos import phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]

SHOTS = "/tmp/shots/phone"
AT = {"collector": (30.7001, 120.8001), "booth_keeper": (30.7001, 120.8001),
      "driver": (30.7100, 120.8100), "facility_operator": (30.7500, 120.7500)}


def field_phone(browser, live_url, people, role: str, lang: str = "zh", width: int = 360,
                camera: bool = False):
    """An enrolled phone (its device token kept as enrolment keeps it) of ``role``, on its page."""
    small = width < 800
    context = browser.new_context(
        viewport={"width": width, "height": 740 if small else 800}, is_mobile=small,
        has_touch=small, locale="zh-CN" if lang == "zh" else "en-US",
        permissions=["geolocation", *(["camera"] if camera else [])], base_url=live_url,
        geolocation={"latitude": AT[role][0], "longitude": AT[role][1], "accuracy": 12})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/phone/start")
    page.evaluate("t => localStorage.setItem('custody.device', JSON.stringify(t))",
                  {"token": people[role]["token"], "user": people[role]["name"]})
    page.goto("/phone")
    page.wait_for_selector("#gps:has-text('±')")
    return context, page


def take(page, path: str, task: str | None = None, weight: str | None = None) -> None:
    """Choose the task, type the weight, take the photo; wait for the answer."""
    if task:
        page.locator(f"#form-screen label.task:has(input[value={task}])").click()
    if weight is not None:
        page.fill("#weight", weight)
    page.set_input_files("#photo", path)
    page.wait_for_selector("#result-screen:not([hidden])")


def attempts(db) -> list[str]:
    """The status of every upload the server kept."""
    with db.read() as session:
        return sorted(a.status for a in session.scalars(select(ScanAttempt)))


def handovers(db) -> list[tuple[str, str, str]]:
    with db.read() as session:
        return [(h.action, h.source_id, h.dest_id)
                for h in session.scalars(select(Handover).order_by(Handover.seq))]


@pytest.mark.parametrize(("lang", "width"), [("zh", 360), ("en", 1366)])
def test_a_repeat_says_already_recorded_not_zero_handovers_with_flags(
        browser, live_url, people, district, tmp_path, lang, width):
    context, page = field_phone(browser, live_url, people, "collector", lang, width)
    shot = photo_file(tmp_path, "d.jpg", district.kitchen_bag, district.kitchen_bin)
    take(page, shot, "deposit")
    page.click("#again")
    take(page, shot, "deposit")  # the same bag into the same bin again
    page.screenshot(path=f"{SHOTS}/repeat-{width}-{lang}.png", full_page=True)
    screen = page.inner_text("#result-screen")
    if lang == "zh":
        assert page.inner_text("#result-title") == "已记录过"
        assert "已记录 0 次" not in screen and "重复扫描" not in screen
        assert "此前已记录：厨余垃圾 · 垃圾袋 → 厨余垃圾 · 垃圾桶" in screen
    else:
        assert page.inner_text("#result-title") == "Already recorded"
        assert "0 handover" not in screen and "Repeated scan" not in screen
        assert "Already recorded: Kitchen waste · Bag → Kitchen waste · Bin" in screen
    page.click("#today-button")
    # the list says what became of it too
    repeat = page.locator(".today-item[data-state=sent]").first
    expect(repeat.locator("p.repeat")).to_have_count(1)
    expect(repeat.locator(".badge")).to_have_text(
        "已记录过" if lang == "zh" else "Already recorded")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_photo_missing_a_code_says_which_one(browser, live_url, people, district, tmp_path, lang):
    context, page = field_phone(browser, live_url, people, "collector", lang)
    take(page, photo_file(tmp_path, "b.jpg", district.kitchen_bag), "deposit")  # no bin
    page.screenshot(path=f"{SHOTS}/missing-bin-360-{lang}.png", full_page=True)
    said = page.inner_text("#result-message")
    assert ("照片中没有拍到垃圾桶的二维码" in said) if lang == "zh" else (
        "does not show the code of: Bin" in said)
    assert page.inner_text("#refused-alert").startswith(
        "1 次扫描未能记录" if lang == "zh" else "1 scan not recorded")
    page.click("#result-fix")  # the fix screen says it too
    expect(page.locator("#fix-reason")).to_contain_text("垃圾桶" if lang == "zh" else "Bin")
    context.close()


def test_one_handover_is_not_one_handovers_in_english(
        browser, live_url, people, district, tmp_path):
    context, page = field_phone(browser, live_url, people, "collector", "en")
    take(page, photo_file(tmp_path, "d.jpg", district.kitchen_bag, district.kitchen_bin))
    assert page.inner_text("#result-message") == "Recorded 1 handover"
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_operator_sees_the_weighbridge_weight_it_entered(
        browser, live_url, people, district, db, tmp_path, lang):
    context, page = field_phone(browser, live_url, people, "facility_operator", lang)
    page.click("#shoot-label")  # no weight yet: asked for it, no camera
    expect(page.locator("#form-error")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "weight"
    take(page, photo_file(tmp_path, "r.jpg", district.truck, district.plant), "receive", "1234.5")
    page.screenshot(path=f"{SHOTS}/operator-weight-360-{lang}.png", full_page=True)
    words = "填写的重量：1234.5 公斤" if lang == "zh" else "Weight entered: 1234.5 kg"
    assert words in page.inner_text("#result-handovers")
    page.click("#today-button")
    expect(page.locator(".today-item[data-state=sent]")).to_contain_text(words)
    assert handovers(db) == [("deliver", district.truck, district.plant)]
    context.close()


def test_an_inspection_names_its_asset_once_and_not_as_a_keepers_check(
        browser, live_url, people, district, tmp_path):
    context, page = field_phone(browser, live_url, people, "collector")
    page.locator("#form-screen label.task:has(input[value=inspect])").click()
    page.fill("#note", "袋子破了")
    take(page, photo_file(tmp_path, "i.jpg", district.kitchen_bag))
    text = page.inner_text("#result-handovers")
    assert "检查：厨余垃圾 · 垃圾袋" in text
    assert "亭长" not in text and "→" not in text
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_code_of_another_district_and_a_photo_too_large_are_explained(
        browser, live_url, people, district, db, tmp_path, lang):
    import labels
    from tests.conftest import TEST_KEYS
    from tests.custody import photos

    elsewhere = labels.IdentityScheme("CUSTODY.ELSEWHERE.CN", TEST_KEYS, "A")
    kept, photos.IDENTITY = photos.IDENTITY, elsewhere
    try:
        foreign = phone_photo(district.kitchen_bag, district.kitchen_bin)
    finally:
        photos.IDENTITY = kept
    (tmp_path / "x.jpg").write_bytes(foreign)
    context, page = field_phone(browser, live_url, people, "collector", lang)
    take(page, str(tmp_path / "x.jpg"), "deposit")
    page.screenshot(path=f"{SHOTS}/other-district-360-{lang}.png", full_page=True)
    said = page.inner_text("#result-message")
    assert ("不是本辖区的标签" in said) if lang == "zh" else ("not labels of this district" in said)
    page.click("#again")
    # a camera file this browser cannot shrink, over the server's limit: refused on the phone
    (tmp_path / "big.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(17 * 2**20))
    page.set_input_files("#photo", str(tmp_path / "big.jpg"))
    expect(page.locator("#form-error")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/too-large-360-{lang}.png", full_page=True)
    said = page.inner_text("#form-error")
    assert ("照片太大" in said) if lang == "zh" else ("too large" in said)
    assert page.inner_text("#queue-count") == "0"  # not kept: it could never be sent
    assert attempts(db) == ["no_valid_code"]
    context.close()


def test_a_keeper_sees_a_wrong_category_flagged_in_chinese_words(
        browser, live_url, people, district, tmp_path):
    context, page = field_phone(browser, live_url, people, "booth_keeper")
    assert page.locator("#form-screen label.task").all_inner_texts() == ["投放", "检查"]
    take(page, photo_file(tmp_path, "k.jpg", district.hazardous_bag, district.kitchen_bin),
         "deposit")
    flags = page.inner_text("#result-flags")
    assert "分类不符：" in flags and ": " not in flags  # a Chinese colon in a Chinese page
    page.screenshot(path=f"{SHOTS}/keeper-wrong-category-360-zh.png", full_page=True)
    page.click("#today-button")  # today's list keeps the flag in sight
    expect(page.locator(".today-item[data-state=sent] p.flagged")).to_contain_text(
        "需核查：分类不符")
    context.close()



@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_weight_over_the_limit_is_caught_before_the_photo(
        browser, live_url, people, district, db, tmp_path, lang):
    context, page = field_phone(browser, live_url, people, "facility_operator", lang)
    page.fill("#weight", "250000")  # a slip of the thumb: one zero too many
    page.click("#shoot-label")
    expect(page.locator("#form-error")).to_be_visible()
    said = page.inner_text("#form-error")
    assert ("100,000" in said) and (("公斤" in said) == (lang == "zh"))
    page.screenshot(path=f"{SHOTS}/weight-too-big-360-{lang}.png", full_page=True)
    page.fill("#weight", "25000")
    take(page, photo_file(tmp_path, "r.jpg", district.truck, district.plant), "receive")
    assert attempts(db) == ["recorded"]
    context.close()


@pytest.mark.parametrize(("user", "page_path", "task", "lang"), [
    ("driver-user", "/phone/drive", "load", "en"),
    ("facility_operator-user", "/phone/receive", "receive", "zh")])
def test_a_phone_enrolled_by_qr_opens_its_roles_tasks_and_records(
        browser, live_url, people, district, db, tmp_path, user, page_path, task, lang):
    from tests.browser.test_phone_enrolment import enrolment_link, supervisor_page

    pc, desk = supervisor_page(browser, live_url, people, "zh-CN" if lang == "zh" else "en-US")
    link = enrolment_link(desk, user)
    pc.close()
    role = user.removesuffix("-user")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
        locale="zh-CN" if lang == "zh" else "en-US", permissions=["geolocation"],
        geolocation={"latitude": AT[role][0], "longitude": AT[role][1], "accuracy": 12},
        base_url=live_url)
    page = context.new_page()
    page.goto(link)  # what the phone's camera app does with the QR
    page.wait_for_url(f"**{page_path}")
    page.screenshot(path=f"{SHOTS}/enrolled-{role}-360-{lang}.png", full_page=True)
    assert page.inner_text(".who") == user and page.locator(".logout").count() == 0
    source, dest = ((district.room, district.truck) if task == "load"
                    else (district.truck, district.plant))
    take(page, photo_file(tmp_path, "t.jpg", source, dest), task,
         "800" if task == "receive" else None)
    assert page.inner_text("#result-title") == ("Recorded" if lang == "en" else "已记录")
    assert attempts(db) == ["recorded"]
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_phone_with_full_storage_says_so_instead_of_try_again(
        browser, live_url, people, district, db, tmp_path, lang):
    context, page = field_phone(browser, live_url, people, "collector", lang)
    page.add_init_script("""(() => {  // a cheap phone with no room left for one more photo
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (value, ...rest) {
        if (value && value.photo) throw new DOMException("full", "QuotaExceededError");
        return put.call(this, value, ...rest);
      };
    })();""")
    page.reload()
    page.set_input_files("#photo", photo_file(tmp_path, "d.jpg", district.kitchen_bag,
                                              district.kitchen_bin))
    expect(page.locator("#form-error")).to_be_visible()
    said = page.inner_text("#form-error")
    assert ("存储空间已满" in said) if lang == "zh" else ("storage is full" in said)
    page.screenshot(path=f"{SHOTS}/phone-full-360-{lang}.png", full_page=True)
    assert attempts(db) == []
    context.close()


# Each task's words and their box, on every field role's page.
TEXT_OUT_OF_BOX = """() => [...document.querySelectorAll("label.task")]
  .filter((label) => label.getClientRects().length)
  .map((label) => {
    const box = label.getBoundingClientRect(), words = label.querySelector("span");
    const range = document.createRange();
    range.selectNodeContents(words);
    const text = range.getBoundingClientRect();
    return { task: words.textContent, out: text.right > box.right - 2 || text.left < box.left };
  }).filter((t) => t.out).map((t) => t.task)"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["collector", "booth_keeper", "driver", "facility_operator"])
def test_no_task_name_runs_out_of_its_box_at_360_px(browser, live_url, people, role, lang):
    context, page = field_phone(browser, live_url, people, role, lang)
    assert page.evaluate(TEXT_OUT_OF_BOX) == []
    page.screenshot(path=f"{SHOTS}/form-{role}-360-{lang}.png", full_page=True)
    context.close()


def test_a_category_declared_for_one_scan_does_not_stay_for_the_next(
        browser, live_url, people, district, db, tmp_path):
    context, page = field_phone(browser, live_url, people, "collector")
    page.select_option("#category", "kitchen")  # declared for this kitchen bag
    take(page, photo_file(tmp_path, "d.jpg", district.kitchen_bag, district.kitchen_bin),
         "deposit")
    page.click("#again")
    assert page.input_value("#category") == ""
    take(page, photo_file(tmp_path, "c.jpg", district.other_bin, district.cart), "collect")
    assert "分类不符" not in page.inner_text("#result-screen")
    context.close()
