"""Every page in Chromium, in each language chosen with the visible switch, at 360 and 1366 px.

The reader clicks the language link on the first page; every page after it must
speak only that language, show no raw identifier and fit the screen. A
screenshot of each page at each width and language goes to test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from custody.domain.model import Action, HandoverDraft, Point, Role
from custody.services import handovers
from tests.custody.photos import IDENTITY
from tests.custody.test_i18n_web import DATA, chinese_district, foreign_words  # noqa: F401

pytestmark = pytest.mark.browser
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b")
WIDTHS = {360: 740, 1366: 800}


@pytest.fixture
def walked(db, chinese_district):  # noqa: F811 - the fixture imported above
    """The Chinese-named district with a bag carried to the plant, yesterday."""
    d = chinese_district
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    collector, driver = d.people["collector"]["id"], d.people["driver"]["id"]
    steps = [(d.bag, d.bin, Action.DEPOSIT, collector, Role.COLLECTOR, 1.5),
             (d.bin, d.cart, Action.COLLECT, collector, Role.COLLECTOR, 30.0),
             (d.cart, d.room, Action.UNLOAD, collector, Role.COLLECTOR, None),
             (d.room, d.truck, Action.LOAD, driver, Role.DRIVER, None),
             (d.truck, d.plant, Action.DELIVER, driver, Role.DRIVER, 29.0)]
    for n, (source, dest, action, actor, role, kg) in enumerate(steps):
        when = t0 + timedelta(minutes=20 * n)
        handovers.record(db, HandoverDraft(source, dest, actor, role, action=action,
                                           device_time=when, point=Point(30.7, 120.8, 10),
                                           weight_kg=kg), now=when)
    return d


def pages(d) -> list[tuple[str, str]]:
    """(who, path) of every page a person reads."""
    return [("anonymous", "/"), ("anonymous", "/map"), ("anonymous", "/tonnage"),
            ("anonymous", "/tonnage?from=2026-02-30"), ("anonymous", "/tonnage?to=0001-01-03"),
            ("anonymous", "/map?day=2026-11-31"),
            ("anonymous", f"/T/{IDENTITY.make_token(d.bag)}"),
            ("anonymous", f"/T/{IDENTITY.make_token(d.bag)[:-3]}AAA"),
            ("anonymous", "/no/such/page"), ("anonymous", "/login"),
            ("collector", "/phone/collect"), ("driver", "/phone/drive"),
            ("facility_operator", "/phone/receive"), ("booth_keeper", "/phone/inspect"),
            ("supervisor", "/supervise"), ("supervisor", "/supervise/flags"),
            ("supervisor", "/supervise/assets"), ("supervisor", "/supervise/users"),
            ("supervisor", "/labels"), ("supervisor", "/supervise/flags?state=open"),
            ("supervisor", "/supervise/search?q=试点村"),
            ("supervisor", f"/supervise/assets/{d.bin}"),
            ("supervisor", f"/supervise/assets/{d.bag}"), ("supervisor", "/supervise/records/2"),
            ("supervisor", "/tonnage"), ("supervisor", "/supervise/balance"),
            ("supervisor", "/supervise/people")]


def slug(who: str, path: str) -> str:
    """A file name for a page's screenshot."""
    name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "home"
    if path.startswith("/supervise/search"):
        name += "-results"
    if path.startswith("/T/"):
        name = "trace-forged" if path.endswith("AAA") else "trace"
    if "from=" in path:
        name += "-bad-range"
    elif "?" in path:
        name += "-bad-" + re.sub(r"[^a-z0-9]+", "-", path.split("?")[1].lower()).strip("-")
    return f"{who}-{name}"[:60]


def switch_language(page, lang: str) -> None:
    """Click the visible language link, as a reader does."""
    link = page.locator(f'nav.langs a[data-lang="{lang}"]')
    if link.count() and link.get_attribute("aria-current") is None:
        link.click()
        page.wait_for_load_state()


# Words and layout do not depend on the database: SQLite only (about 110 s saved per run).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_in_one_language_at_each_width(browser, live_url, walked, artifacts,
                                                 lang, width):
    d = walked
    by_who: dict[str, list[str]] = {}
    for who, path in pages(d):
        by_who.setdefault(who, []).append(path)
    for who, paths in by_who.items():
        context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]},
                                      base_url=live_url, locale="zh-CN")
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login" if who != "anonymous" else "/")
        switch_language(page, lang)
        if who != "anonymous":
            page.fill("#name", d.people[who]["name"])
            page.fill("#password", d.people[who]["password"])
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        for path in paths:
            page.goto(path)
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang") == (
                "zh-CN" if lang == "zh" else "en"), path
            text = page.evaluate("document.body.innerText")
            for value in DATA:
                text = text.replace(value, " ")
            lines = [line for line in text.splitlines() if line.strip()]
            assert not foreign_words(lines, lang), (who, path, foreign_words(lines, lang)[:8])
            assert not RAW.findall(text), (who, path, RAW.findall(text))
            # every page fits the screen: supervisor tables stack into cards on a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            page.screenshot(path=str(artifacts / f"{lang}-{width}-{slug(who, path)}.png"),
                            full_page=not path.startswith("/map"))
        context.close()
