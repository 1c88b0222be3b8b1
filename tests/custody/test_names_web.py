"""Names in sentences read well in both languages, whatever script a name is written in:
a Latin name is set apart from Chinese by spaces, a Chinese name runs into the sentence."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from sqlalchemy import update

from custody.db.schema import Asset
from custody.web.names import name, spaced
from tests.custody.photos import IDENTITY
from tests.custody.test_handovers import walk_normal_path
from tests.custody.test_phone import HTML

EN = {**HTML, "Accept-Language": "en"}


@pytest.mark.parametrize(("sentence", "said"), [
    ("在%(n)s会怎样处理", "在 Green Valley Plant 会怎样处理"),
    ("%(n)s的手机登记二维码", "Green Valley Plant 的手机登记二维码"),
    ("请%(n)s（收集员）扫描", "请 Green Valley Plant（收集员）扫描"),
    ("What happens at %(n)s", "What happens at Green Valley Plant"),
])
def test_a_latin_name_is_set_apart_from_chinese_only(sentence, said):
    assert spaced(sentence % {"n": name("Green Valley Plant")}) == said


@pytest.mark.parametrize(("sentence", "said"), [
    ("在%(n)s会怎样处理", "在南湖区处理中心会怎样处理"),
    ("What happens at %(n)s", "What happens at 南湖区处理中心"),
    ("Enrolment QR for %(n)s.", "Enrolment QR for 南湖区处理中心."),
])
def test_a_chinese_name_runs_into_the_sentence(sentence, said):
    assert spaced(sentence % {"n": name("南湖区处理中心")}) == said


def test_a_names_own_text_is_never_changed_and_markup_stays_markup():
    assert spaced(f"在{name('A栋3号中转房')}会") == "在 A栋3号中转房会"
    assert spaced(f"在{name('1号亭')}会") == "在 1号亭会"
    said = spaced(Markup("在%s会") % name("A & <B>"))  # escaped, as a template's sentence
    assert said == Markup("在 A &amp; &lt;B&gt;会") and isinstance(said, Markup)
    assert spaced("nothing marked") == "nothing marked" and name(None) == ""


def _deliver_to(db, district, t0, facility_name: str) -> str:
    with db.write_engine.begin() as conn:
        conn.execute(update(Asset).where(Asset.asset_id == district.plant)
                     .values(name=facility_name))
    walk_normal_path(db, district, t0)
    return f"/T/{IDENTITY.make_token(district.kitchen_bag)}"


def test_the_trace_page_sets_a_latin_facility_name_apart_in_chinese(client, db, district, t0):
    url = _deliver_to(db, district, t0, "Green Valley Plant")
    zh = client.get(url, headers=HTML).get_data(as_text=True)
    assert "在 Green Valley Plant 会怎样处理" in zh and "在Green" not in zh
    assert "What happens at Green Valley Plant" in client.get(url, headers=EN).get_data(
        as_text=True)
    popup = client.get(url + "/map", headers=HTML).get_data(as_text=True)
    assert "运抵处理设施 · Green Valley Plant" in popup  # the map's stop: kept apart by " · "


def test_the_trace_page_runs_a_chinese_facility_name_into_the_sentence(client, db, district,
                                                                       t0):
    url = _deliver_to(db, district, t0, "南湖区处理中心")
    zh = client.get(url, headers=HTML).get_data(as_text=True)
    assert "在南湖区处理中心会怎样处理" in zh
    assert "What happens at 南湖区处理中心" in client.get(url, headers=EN).get_data(as_text=True)
