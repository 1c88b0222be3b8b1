"""No figure is ever printed as a negative zero ('-0.0 kg', '-0.0 %'): the formatting helpers
round first and drop the sign of a zero, in both languages."""

from __future__ import annotations

import pytest

from custody.web import bulletin
from custody.web.i18n import figure, kg, percent, rounded, weight
from maps import _page as map_page
from tests.custody.test_facility_balance import deliver_and_weigh
from tests.custody.test_phone import HTML, sign_in
from tests.custody.test_rollups import DAY
from tests.custody.test_supervise import app, page  # noqa: F401 - the app fixture


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_formatting_helpers_never_say_minus_zero(app, lang):  # noqa: F811
    with app.test_request_context(headers={"Accept-Language": lang}):
        for tiny in (-0.0, -0.04, -0.0004, -1e-12):
            assert "-" not in figure(tiny) + kg(tiny) + weight(tiny) + percent(tiny / 100)
            assert "-" not in figure(tiny / 10, 2) + figure(tiny, 0) + percent(tiny / 100, 0)
        assert figure(-0.06) == "-0.1" and percent(-0.25) == "-25.0 %"  # real negatives stay
        assert weight(-999.96).startswith("-1")  # rounds to a tonne: in tonnes, with its sign
    assert str(rounded(-0.04)) == "0.0"
    assert "-" not in bulletin._pct(-0.0004) + bulletin._score(-0.01) + bulletin._ratio(-0.001)
    assert "-" not in map_page.format_kg(-0.04) + map_page.format_weight(-0.04)


def test_the_balance_page_never_shows_minus_zero(client, people, db, district, t0):
    """The weighbridge weighs 40 g more than the truck carried: the gap is 0.0 kg, not -0.0."""
    deliver_and_weigh(db, district, t0, 2.04)
    sign_in(client, people["supervisor"])
    for lang, unit in (("zh", "公斤"), ("en", "kg")):
        client.set_cookie("lang", lang)
        html = page(client, f"/supervise/balance?from={DAY}&to={DAY}")
        section = html[html.index('id="facilities"'):]
        assert f"0.0 {unit} (-2.0 %)" in section and f"-0.0 {unit}" not in html
    answer = client.get(f"/supervise/balance-facilities.csv?from={DAY}&to={DAY}",
                        headers=HTML).get_data(as_text=True)
    assert "-0.0," not in answer and ",-0.04," in answer
