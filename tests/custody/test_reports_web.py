"""Public reports over a real ledger: the day's map, tonnage JSON/CSV/page, mass balance."""

from datetime import date, timedelta

import pytest

from custody.domain.model import AssetKind, Category
from custody.services import assets
from custody.services.assets import NewAsset
from tests.custody.conftest import BOOTH_AT, PLANT_AT, ROOM_AT
from tests.custody.test_handovers import record

HTML = {"Accept": "text/html"}


@pytest.fixture
def day_of_work(db, district, t0):
    """A day on the normal path with weights at every step (t0 is 15:00 in Jiaxing)."""
    d = district
    for n in range(12):  # enough households use the booth that it is shown on its own
        (bag,) = assets.register(db, [NewAsset(AssetKind.BAG, Category.OTHER, village="凤桥村",
                                               household=f"h{n}")])
        record(db, d, bag, d.other_bin, t0 - timedelta(minutes=30 - n), point=BOOTH_AT,
               weight_kg=1.0)
    record(db, d, d.kitchen_bag, d.kitchen_bin, t0, point=BOOTH_AT, weight_kg=2.0)
    record(db, d, d.kitchen_bin, d.cart, t0 + timedelta(minutes=10), point=BOOTH_AT,
           weight_kg=40.0)
    record(db, d, d.cart, d.room, t0 + timedelta(minutes=30), point=ROOM_AT, weight_kg=40.0,
           category=Category.KITCHEN)
    record(db, d, d.room, d.truck, t0 + timedelta(hours=1), point=ROOM_AT, actor=d.driver,
           weight_kg=39.0, category=Category.KITCHEN)
    record(db, d, d.truck, d.plant, t0 + timedelta(hours=2), point=PLANT_AT, actor=d.driver,
           weight_kg=38.5, category=Category.KITCHEN)
    return date(2026, 11, 2)


def test_the_map_draws_sites_flows_and_the_trucks_trip(client, day_of_work):
    page = client.get(f"/map?day={day_of_work}", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("custody-flow-kitchen") >= 2  # booth -> room, room -> plant
    assert "custody-trip" in html and "凤桥村 1号亭" in html
    assert "12-3" not in html  # no household reference ever


def test_tonnage_json_and_csv(client, day_of_work):
    rows = client.get(f"/api/v1/tonnage?from={day_of_work}&to={day_of_work}&level=district"
                      ).get_json()["rows"]
    kitchen = next(r for r in rows if r["category"] == "kitchen")
    assert kitchen["collected_kg"] == 40.0 and kitchen["delivered_kg"] == 38.5
    csv = client.get(f"/api/v1/tonnage.csv?from={day_of_work}&to={day_of_work}"
                     "&level=district").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("day,") and "kitchen" in csv


def test_the_tonnage_page_has_charts_in_one_language_at_a_time(client, day_of_work):
    url = f"/tonnage?from={day_of_work}&to={day_of_work}"
    zh = client.get(url, headers=HTML).get_data(as_text=True)
    assert "每日四分类垃圾量" in zh and "Daily tonnage by category" not in zh
    assert 'class="bar bar-kitchen"' in zh and "40.0 公斤" in zh
    en = client.get(url, headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True)
    assert "Daily tonnage by category" in en and "每日四分类垃圾量" not in en
    assert "40.0 kg" in en and "Kitchen waste" in en


def test_booth_level_tonnage_is_for_staff_only(client, day_of_work, people):
    assert client.get("/api/v1/tonnage?level=booth").status_code == 400
    staff = client.get(f"/api/v1/tonnage?level=booth&from={day_of_work}&to={day_of_work}",
                       headers=people["supervisor"]["auth"])
    assert staff.status_code == 200 and staff.get_json()["rows"]


def test_mass_balance_flags_a_room_losing_waste(client, day_of_work, people):
    rows = client.get(f"/api/v1/mass-balance?from={day_of_work}&to={day_of_work}",
                      headers=people["supervisor"]["auth"]).get_json()["rows"]
    (room,) = [r for r in rows if r["category"] == "kitchen"]
    assert room["in_kg"] == 40.0 and room["out_kg"] == 39.0 and not room["flagged"]
    assert client.get("/api/v1/mass-balance").status_code == 401


def test_bad_query_arguments_get_clear_errors(client):
    assert client.get("/api/v1/tonnage?from=yesterday").get_json()["error"]["code"] == "bad_date"
    reversed_range = client.get("/api/v1/tonnage?from=2026-01-01&to=2025-01-01")
    assert reversed_range.status_code == 400
    assert reversed_range.get_json()["error"]["code"] == "bad_range"


def test_the_map_opens_on_the_latest_day_with_data(client, day_of_work):
    html = client.get("/map", headers=HTML).get_data(as_text=True)
    assert f'value="{day_of_work}"' in html and "custody-flow-kitchen" in html


def test_the_json_export_streams_valid_json_in_chunks():
    import json

    from custody.web.reports import _json_rows

    rows = [{"day": date(2026, 11, 2) + timedelta(days=n), "name": "凤桥村", "kg": n / 3}
            for n in range(5)]
    chunks = list(_json_rows(iter(rows), per_chunk=2))
    assert len(chunks) == 4  # the opening, two full chunks, the last row with the close
    assert json.loads("".join(chunks)) == {"rows": [{**r, "day": r["day"].isoformat()}
                                                     for r in rows]}
    assert json.loads("".join(_json_rows(iter([])))) == {"rows": []}
