"""Mass balance of a treatment facility: what the trucks carried in against the weighbridge."""

import csv
import io
import re
from datetime import timedelta

from custody.domain.model import Category
from custody.services import facility_balance
from tests.custody.conftest import PLANT_AT, ROOM_AT
from tests.custody.test_phone import sign_in
from tests.custody.test_rollups import DAY, bags, rec
from tests.custody.test_supervise import app, page  # noqa: F401 - the app fixture


def deliver_and_weigh(db, d, t0, weighed_kg):
    (bag,) = bags(db, Category.KITCHEN)
    rec(db, d, bag, d.kitchen_bin, t0, weight_kg=2.0)
    rec(db, d, d.kitchen_bin, d.cart, t0 + timedelta(minutes=10))
    rec(db, d, d.cart, d.room, t0 + timedelta(minutes=30), at=ROOM_AT)
    rec(db, d, d.room, d.truck, t0 + timedelta(hours=1), at=ROOM_AT, actor=d.driver)
    delivery = rec(db, d, d.truck, d.plant, t0 + timedelta(hours=2), at=PLANT_AT, actor=d.driver)
    rec(db, d, d.truck, d.plant, t0 + timedelta(hours=2, minutes=5), at=PLANT_AT,
        actor=d.driver, weight_kg=weighed_kg, corrects_seq=delivery.seq)  # the weighbridge


def test_carried_against_weighed_per_facility_day_and_category(db, district, t0):
    deliver_and_weigh(db, district, t0, 1.5)
    (row,) = facility_balance.facilities(db, DAY, DAY, tolerance=0.1)
    assert (row["facility"], row["name"], row["category"]) == (district.plant, "kitchen plant",
                                                               "kitchen")
    assert (row["carried_kg"], row["weighed_kg"], row["gap_kg"]) == (2.0, 1.5, 0.5)
    assert row["gap_share"] == 0.25 and row["flagged"]
    assert facility_balance.facilities(db, DAY + timedelta(days=1), DAY + timedelta(days=1),
                                       tolerance=0.1) == []


def test_the_balance_page_shows_the_facilities(client, people, db, district, t0):
    deliver_and_weigh(db, district, t0, 1.9)
    sign_in(client, people["supervisor"])
    html = page(client, f"/supervise/balance?from={DAY}&to={DAY}")
    section = html[html.index('id="facilities"'):html.index("</table>", html.index(
        'id="facilities"'))]
    assert "处理设施" in section and "kitchen plant" in section
    assert f"/supervise/assets/{district.plant}" in section
    assert "2.0 公斤" in section and "1.9 公斤" in section and "(5.0 %)" in section
    assert 'class="over"' not in section  # 5 % is within the 10 % tolerance


def test_the_facilities_balance_downloads_as_csv_from_the_page(client, people, db, district, t0):
    deliver_and_weigh(db, district, t0, 1.5)
    sign_in(client, people["supervisor"])
    html = page(client, f"/supervise/balance?from={DAY}&to={DAY}")
    link = re.search(r'id="facilities-csv" href="([^"]+)"', html)[1].replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (row["facility"], row["category"], row["carried_kg"], row["weighed_kg"]) == (
        district.plant, "kitchen", "2.0", "1.5")
    assert client.get("/supervise/balance-facilities.csv?from=nonsense").status_code == 400
