"""The phone page measured in Chromium at 360 × 640 and 360 × 740, in Chinese and English:
nothing sticky covers a field, every touch target is at least 48 px, main actions ≥ 7:1."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_pages import blank_file, photo_file

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]

# Every visible touch target of the page, its box, and the contrast of the main actions.
MEASURE = """(main) => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => v / 255)
      .map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(bg) && bg !== "transparent") return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const ratio = (el) => {
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const visible = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const name = (el) => el.id ? `#${el.id}`
    : `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}"`;
  const targets = [...document.querySelectorAll("button, label.task, label.shoot, label.button, "
      + "input:not(.visually-hidden), select, textarea, .langs a")]
    // a radio inside its label: the label is the target
    .filter((el) => visible(el) && !(el.tagName === "INPUT" && el.closest("label")))
    .map((el) => ({ name: name(el), box: el.getBoundingClientRect().toJSON() }));
  const pinned = [...document.querySelectorAll("body *")].filter((el) =>
    ["sticky", "fixed"].includes(getComputedStyle(el).position) && visible(el)).map(name);
  const contrast = [...document.querySelectorAll(main)].filter(visible)
    .map((el) => ({ name: name(el), ratio: ratio(el) }));
  return { targets, pinned, contrast, width: document.documentElement.scrollWidth };
}"""
MAIN_ACTIONS = ("#shoot-label, button.main, #today-button, #refused-alert, label.task, "
                "#fix-send, #today-close, #fix-back, #fix-discard, #fix-retake-label")


def check(page, what: str) -> None:
    """Assert the rules on the screen as it is now."""
    found = page.evaluate(MEASURE, MAIN_ACTIONS)
    assert found["pinned"] == [], f"{what}: sticky or fixed elements {found['pinned']}"
    assert found["width"] <= 360, f"{what}: wider than the screen"
    boxes = found["targets"]
    assert len(boxes) >= 4, f"{what}: no touch targets measured"
    for t in boxes:
        box = t["box"]
        assert box["height"] >= 48 and box["width"] >= 48, f"{what}: {t['name']} {box}"
        assert box["left"] >= 0 and box["right"] <= 360, f"{what}: {t['name']} off screen"
    for i, a in enumerate(boxes):  # no target lies on top of another
        for b in boxes[i + 1:]:
            x = min(a["box"]["right"], b["box"]["right"]) - max(a["box"]["left"], b["box"]["left"])
            y = min(a["box"]["bottom"], b["box"]["bottom"]) - max(a["box"]["top"], b["box"]["top"])
            assert x <= 0 or y <= 0, f"{what}: {a['name']} overlaps {b['name']}"
    assert found["contrast"], what
    for c in found["contrast"]:
        assert c["ratio"] >= 7, f"{what}: {c['name']} contrast {c['ratio']:.2f}"


@pytest.mark.parametrize("height", [640, 740])
@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_every_screen_of_the_collector_page_keeps_the_rules(
        browser, live_url, people, district, tmp_path, artifacts, height, lang):
    context = browser.new_context(viewport={"width": 360, "height": height},
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale=lang, base_url=live_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/phone/start")
    page.evaluate("t => localStorage.setItem('custody.device', JSON.stringify(t))",
                  {"token": people["collector"]["token"], "user": "collector-user"})
    page.goto("/phone")
    page.wait_for_url("**/phone/collect")
    short = f"{lang[:2]}-{height}"
    for task in page.locator("#form-screen label.task").all():
        task.click()
        check(page, f"form {task.inner_text()} {short}")
    page.locator("#form-screen label.task").first.click()
    if height == 740:  # the camera button in reach without scrolling
        assert page.locator("#shoot-label").bounding_box()["y"] + 48 <= height
        page.screenshot(path=str(artifacts / f"phone-form-360x740-{lang[:2]}.png"))
    page.set_input_files("#photo", photo_file(tmp_path, "d.jpg", district.kitchen_bag,
                                              district.kitchen_bin))
    page.wait_for_selector("#result-screen:not([hidden])")
    check(page, f"recorded {short}")
    if height == 740:
        page.screenshot(path=str(artifacts / f"phone-result-360x740-{lang[:2]}.png"),
                        full_page=True)
    page.click("#again")
    page.set_input_files("#photo", blank_file(tmp_path))
    page.wait_for_selector("#result-fix:not([hidden])")
    check(page, f"refused {short}")
    page.click("#today-button")
    page.wait_for_selector(".today-item")
    check(page, f"today {short}")
    if height == 740:
        page.screenshot(path=str(artifacts / f"phone-today-360x740-{lang[:2]}.png"),
                        full_page=True)
    page.locator(".today-item button.fix-open").click()
    page.wait_for_selector("#fix-screen:not([hidden])")
    check(page, f"fix {short}")
    context.close()
