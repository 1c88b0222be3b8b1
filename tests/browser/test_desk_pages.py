"""A supervisor at the desk, in Chromium: find a code, review its flag, correct a weight.

The supervisor types a label's code into the search box on the flags page, lands
on the bin's page, reviews the flagged deposit there, opens the collection
record, corrects its weight with a reason, and sees the day's tonnage change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custody.domain.model import Action, HandoverDraft, Point, Role
from custody.services import handovers
from custody.services.label_sheets import identity
from tests.browser.conftest import supervisor_page

pytestmark = pytest.mark.browser


@pytest.fixture
def day_of_work(db, district, people):
    """A hazardous bag put into the kitchen bin (flagged), then the bin collected: 30 kg."""
    now = datetime.now(UTC).replace(microsecond=0)
    collector = people["collector"]["id"]
    deposit = handovers.record(db, HandoverDraft(
        district.hazardous_bag, district.kitchen_bin, collector, Role.COLLECTOR,
        action=Action.DEPOSIT, device_time=now, point=Point(30.7, 120.8, 10), weight_kg=1.5),
        now=now)
    collect = handovers.record(db, HandoverDraft(
        district.kitchen_bin, district.cart, collector, Role.COLLECTOR, action=Action.COLLECT,
        device_time=now, point=Point(30.7, 120.8, 10), weight_kg=30.0), now=now)
    assert deposit.flags and not collect.flags
    return deposit.seq, collect.seq


def collected_today(page) -> str:
    """All waste collected, as the tonnage page's figures show it (today is in its default
    range, the last twelve weeks; the bin held a hazardous bag, so its weight books as that)."""
    page.goto("/tonnage")
    return page.locator("#figures tbody tr").last.locator("td").first.inner_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_review_correct_and_the_tonnage_follows(browser, live_url, district, people,
                                                      settings, day_of_work, artifacts, lang):
    deposit, collect = day_of_work
    page = supervisor_page(browser, live_url, people["supervisor"], lang, "/supervise/flags")
    context = page.context
    before = collected_today(page)
    assert "30" in before, before

    page.goto("/supervise/flags")
    page.fill("#q", identity(settings).make_code(district.kitchen_bin))  # as a scanner types it
    page.press("#q", "Enter")
    page.wait_for_url(f"**/supervise/assets/{district.kitchen_bin}")
    row = page.locator(f"#h{deposit}")
    assert row.locator(".open-flag").is_visible()
    row.locator("details.review-form summary").click()
    row.locator("input[name=decision][value=confirm]").check()
    row.locator("textarea[name=note]").fill("亭长核实：有害垃圾投错桶")
    page.screenshot(path=str(artifacts / f"desk-{lang}-1366-review-form.png"), full_page=True)
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"**/supervise/assets/{district.kitchen_bin}#h{deposit}")
    assert page.locator(f"#h{deposit} .decision[data-decision=confirm]").is_visible()
    assert "亭长核实" in page.locator(f"#h{deposit}").inner_text()

    page.locator(f"#h{collect} a.id", has_text=f"#{collect}").click()
    page.wait_for_url(f"**/supervise/records/{collect}")
    page.fill("#c-weight", "25")
    page.click("form.stacked button[type=submit]")  # no reason: refused, values kept
    page.wait_for_load_state()
    assert page.locator("#c-weight").input_value() == "25"
    page.evaluate("document.querySelector('#c-reason').removeAttribute('required')")
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    alert = page.locator("[role=alert]").inner_text()
    assert ("理由" in alert) if lang == "zh" else ("reason" in alert), alert
    page.fill("#c-reason", "重新过磅")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**/supervise/records/{collect}")
    assert "25" in page.locator("dd.weight-in-force").inner_text()
    page.screenshot(path=str(artifacts / f"desk-{lang}-1366-record-corrected.png"),
                    full_page=True)

    after = collected_today(page)
    assert "25" in after and "30" not in after, (before, after)
    context.close()
