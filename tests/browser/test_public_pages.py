"""The public map and trace page in Chromium, with every non-local request blocked."""

from datetime import date

import pytest
from sqlalchemy import select

from custody import demo
from custody.db.schema import Asset
from custody.services import map_view, whereabouts
from tests.custody.photos import IDENTITY

pytestmark = pytest.mark.browser
DAY = date(2026, 3, 2)


@pytest.fixture
def demo_day(db):
    """A one-village demo district with one simulated day."""
    demo.build(db, demo.DemoSpec(villages=1, households=40, days=1, seed=3, start=DAY),
               progress=False)
    return DAY


@pytest.fixture
def offline_page(browser, live_url):
    """A desktop page whose requests leave the machine never (tiles included)."""
    context = browser.new_context(viewport={"width": 1200, "height": 800}, base_url=live_url)
    blocked = []

    def only_local(route):
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, blocked
    context.close()


def test_the_map_draws_every_site_and_flow_without_the_internet(offline_page, demo_day, db,
                                                               artifacts):
    page, blocked = offline_page
    sites, flows, trips = map_view.day_map_records(db, demo_day, min_households=10)
    assert flows and trips  # the demo day moved waste
    page.goto(f"/map?day={demo_day}")
    page.wait_for_selector(".custody-flow")
    assert page.locator(".custody-site").count() == len(sites)
    assert page.locator(".custody-flow").count() == len(flows)
    assert page.locator(".custody-trip").count() == len(trips)
    assert all("tile.openstreetmap.org" in url for url in blocked)  # only tiles went unserved
    page.screenshot(path=str(artifacts / "public-map.png"))


def test_the_trace_page_of_a_demo_bag_shows_its_full_path(offline_page, demo_day, db,
                                                         artifacts):
    page, _ = offline_page
    with db.read() as session:
        bags = session.scalars(select(Asset.asset_id).where(Asset.kind == "bag")).all()
    delivered = next(b for b in bags if whereabouts.where(db, b).reached_facility)
    page.goto(f"/T/{IDENTITY.make_token(delivered)}")
    actions = page.locator("li.stop").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["deposit", "collect", "unload", "load", "deliver"]
    assert page.locator("[data-status=delivered]").count() == 1
    page.screenshot(path=str(artifacts / "trace-page.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_the_trace_page_names_the_vehicles_that_carried_the_bag(browser, live_url, demo_day,
                                                                db, artifacts, width, locale):
    with db.read() as session:
        bags = session.scalars(select(Asset.asset_id).where(Asset.kind == "bag")).all()
        names = dict(session.execute(select(Asset.asset_id, Asset.name)
                                     .where(Asset.kind == "vehicle")).all())
    delivered = next(b for b in bags if whereabouts.where(db, b).reached_facility)
    path = whereabouts.where(db, delivered).path
    carriers = [names[h["dest"]] for h in path if h["action"] in ("collect", "load")]
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=locale,
                                  base_url=live_url)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        live_url) else route.abort())
    page = context.new_page()
    page.goto(f"/T/{IDENTITY.make_token(delivered)}")
    shown = page.locator(".vehicle").all_inner_texts()
    assert [t.split(" · ", 1)[1] for t in shown] == [carriers[0], carriers[0], carriers[1],
                                                    carriers[1]]
    assert all(t.startswith("车辆" if locale == "zh-CN" else "Vehicle") for t in shown)
    page.screenshot(path=str(artifacts / f"trace-vehicles-{locale}-{width}.png"),
                    full_page=True)
    context.close()


def _luminance(css_colour: str) -> float:
    """Relative luminance (WCAG 2) of an ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in css_colour[css_colour.index("(") + 1:-1].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_text_of_a_button_is_readable(offline_page):
    page, _ = offline_page
    page.goto("/tonnage")
    button = page.locator("main button").first
    fg = button.evaluate("e => getComputedStyle(e).color")
    bg = button.evaluate("e => getComputedStyle(e).backgroundColor")
    light, dark = sorted([_luminance(fg), _luminance(bg)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5, (fg, bg)  # WCAG AA for normal text
