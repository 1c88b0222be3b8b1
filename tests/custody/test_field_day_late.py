"""Scans that arrive late or with a wrong clock, as the phone's outbox sends them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from custody.db.schema import DailyRollup, Handover
from custody.domain.model import AssetKind, Category
from custody.services import assets, rollup_rebuild
from custody.services.assets import NewAsset
from tests.custody.field_day import BOOTH, DAY, HTML, PLANT, ROOM, Phone, local, ok
from tests.custody.photos import IDENTITY, phone_photo


@pytest.mark.parametrize("claimed", ["1970-01-01T00:00:05.000Z", "2000-01-01T00:00:00.000Z",
                                     "2026-12-25T06:00:00.000Z"])
def test_a_phone_with_a_reset_or_fast_clock_counts_on_the_day_received(
        day_app, db, people, day_place, claimed):
    """A flat battery resets a cheap phone to 1970; another runs a month fast. Their scans are
    recorded at the server's time (the day's tonnage keeps them), flagged for review."""
    field_app, place = day_app, day_place
    client = field_app.test_client()
    phone = Phone(client, field_app.field_clock, people["collector"]["auth"])
    item = phone.take("deposit", phone_photo(place.k1, place.ka), "08:00", BOOTH, weight="2.0")
    item["fields"]["client_time"] = claimed
    body = ok(phone.send(item), flags=["phone_clock_wrong"])
    with db.read() as s:
        assert s.scalar(select(Handover.device_time_us)) is None
    rows = client.get(f"/api/v1/tonnage?from={DAY}&to={DAY}&level=district",
                      headers=people["supervisor"]["auth"]).get_json()["rows"]
    assert [(r["category"], r["deposited_kg"]) for r in rows] == [("kitchen", 2.0)]
    flags = client.get("/supervise/flags", headers={**people["supervisor"]["auth"], **HTML})
    assert "手机时间错误" in flags.get_data(as_text=True), body


def test_a_weighbridge_weighing_that_arrives_before_the_drivers_delivery(
        day_app, db, people, day_place):
    """The driver's phone has no signal at the plant: the weighbridge's scan arrives first,
    the driver's delivery an hour later. One delivery, the weighbridge's weight."""
    field_app, p = day_app, day_place
    client = field_app.test_client()
    clock = field_app.field_clock
    collector = Phone(client, clock, people["collector"]["auth"])
    driver = Phone(client, clock, people["driver"]["auth"])
    operator = Phone(client, clock, people["facility_operator"]["auth"])
    ok(collector.scan("deposit", phone_photo(p.k1, p.ka), "07:30", BOOTH, weight="2.0"))
    ok(collector.scan("collect", phone_photo(p.ka, p.cart, seed=1), "09:00", BOOTH))
    ok(collector.scan("unload", phone_photo(p.cart, p.room, seed=2), "10:00", ROOM))
    ok(driver.scan("load", phone_photo(p.room, p.truck, seed=3), "11:00", ROOM))
    queued = driver.take("deliver", phone_photo(p.truck, p.plant, seed=4), "12:00", PLANT)
    zero = operator.scan("deliver", phone_photo(p.truck, p.plant, seed=6), "12:04", PLANT,
                         weight="0")  # a slip on the keypad: no weighing, nothing recorded
    assert zero.status_code == 422 and zero.get_json()["error"]["code"] == "weight_required"
    assert zero.get_json()["error"]["message"] == "请先填写地磅净重。"
    ok(operator.scan("deliver", phone_photo(p.truck, p.plant, seed=5), "12:05", PLANT,
                     weight="1.9"))
    late = driver.send(queued, received=local("13:00"))
    assert late.status_code == 200 and late.get_json()["status"] == "repeat", late.get_json()
    rows = client.get(f"/api/v1/tonnage?from={DAY}&to={DAY}&level=district",
                      headers=people["supervisor"]["auth"]).get_json()["rows"]
    assert [(r["category"], r["collected_kg"], r["delivered_kg"], r["delivered_count"])
            for r in rows] == [("kitchen", 2.0, 1.9, 1)]
    page = client.get(f"/T/{IDENTITY.make_token(p.k1)}", headers=HTML).get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', page) == [
        "deposit", "collect", "unload", "load", "deliver"]


def test_one_bag_photographed_into_two_bins_counts_once(day_app, db, people, day_place):
    """A collector scans a bag into the kitchen bin, then (it was the wrong bin, or the label
    was copied) into another bin: the bag's waste is counted once, the second is flagged."""
    p, client = day_place, day_app.test_client()
    (other_bin,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN,
                                                 village="凤桥村", site_id=p.booth)])
    c = Phone(client, day_app.field_clock, people["collector"]["auth"])
    ok(c.scan("deposit", phone_photo(p.k1, p.ka), "08:00", BOOTH, weight="2.0"))
    ok(c.scan("deposit", phone_photo(p.k1, other_bin, seed=1), "08:05", BOOTH, weight="2.0"),
       flags=["bag_reused"])
    ok(c.scan("collect", phone_photo(p.ka, p.cart, seed=2), "09:00", BOOTH))
    ok(c.scan("collect", phone_photo(other_bin, p.cart, seed=3), "09:05", BOOTH))
    (row,) = client.get(f"/api/v1/tonnage?from={DAY}&to={DAY}&level=district",
                        headers=people["supervisor"]["auth"]).get_json()["rows"]
    assert (row["category"], row["deposited_kg"], row["deposited_count"],
            row["collected_kg"]) == ("kitchen", 2.0, 1, 2.0)
    with db.engine.connect() as conn:
        before = conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all()
    rollup_rebuild.rebuild(db)  # the rebuild replays the same rule
    with db.engine.connect() as conn:
        assert conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all() == before

