"""A field day nobody scripted, through exactly what the phone pages send.

Unlike ``test_field_day_web`` (the path as it should go), this day goes the way
days go: a keeper and two collectors at one booth, a wrong-category deposit, a
photo with two bags, a weight typed for two bags, a bag weighed twice, a phone
offline all morning whose queue arrives after the bin was collected (and is
replayed after a lost answer), a keeper's inspection that finds the wrong
waste, a driver clearing an empty room, a phone revoked while its queue still
holds a scan, and a phone whose clock is wrong.
The reports then must say exactly what the day implies.

The day (kg):

    booth A (凤桥村): keeper deposits k1 2.0 (kitchen) into kitchen bin KA;
      collector 1 deposits r1 0.8 (a recyclable bag, declared recyclable) into KA: flagged;
      collector 1 photographs k2 and k3 with KA, weight typed: 422, retaken without: 2 moves;
      keeper photographs k1 with KA again and weighs it 2.1: a repeat, counted once at 2.0;
      keeper inspects KA and reports the recyclable waste found (category + note): flagged;
      collector 2 (offline since 07:50) deposited k4 1.0 into KA at 07:55; its queue arrives
      at 09:40, after collector 1 collected KA at 09:00 (weighed 5.0)
    the cart unloads at room R1; the kitchen truck loads at R1, then clears the empty room
      R2 (nothing to carry), and delivers to the plant; the weighbridge weighs 4.8, twice
    collector 2's phone is revoked: its last queued scan is refused, nothing recorded
    collector 3's phone clock is a day ahead: its deposit counts on the day the server received
      it (flagged phone_clock_wrong); collector 2's late deposit is flagged late_upload
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from custody.db.schema import Handover, ScanAttempt
from custody.services import devices, ledger, rollup_rebuild
from tests.custody.field_day import (
    BOOTH,
    DAY,
    HTML,
    PLANT,
    ROOM,
    ROOM2,
    Phone,
    cnt,
    counts,
    keeper_browser,
    kg,
    local,
    ok,
    refused,
)
from tests.custody.photos import IDENTITY, phone_photo


def test_an_unscripted_field_day(day_app, db, people, day_place):
    field_app, place = day_app, day_place
    p, client = place, field_app.test_client()
    clock = field_app.field_clock
    keeper = Phone(*keeper_browser(field_app, people["booth_keeper"]))
    c1 = Phone(client, clock, people["collector"]["auth"])
    from custody.services import accounts

    c2_id = accounts.create_user(db, "collector-2", "collector", "collector-2-password")
    c2_device, c2_token = devices.issue_device_token(db, c2_id, "collector 2's phone")
    c2 = Phone(client, clock, {"Authorization": f"Bearer {c2_token}"})
    c3_id = accounts.create_user(db, "collector-3", "collector", "collector-3-password")
    _, c3_token = devices.issue_device_token(db, c3_id, "collector 3's phone")
    c3 = Phone(client, clock, {"Authorization": f"Bearer {c3_token}"}, skew=timedelta(days=1))
    driver = Phone(client, clock, people["driver"]["auth"])
    operator = Phone(client, clock, people["facility_operator"]["auth"])

    # 07:30 the keeper's first deposit, weighed; 07:55 collector 2, offline, queues one.
    ok(keeper.scan("deposit", phone_photo(p.k1, p.ka), "07:30", BOOTH, weight="2.0"))
    late = c2.take("deposit", phone_photo(p.k4, p.ka, seed=1), "07:55", BOOTH, weight="1.0")
    # 08:00 a recyclable bag into the kitchen bin: recorded, flagged.
    ok(c1.scan("deposit", phone_photo(p.r1, p.ka, seed=2), "08:00", BOOTH, weight="0.8",
               category="recyclable"), flags=["category_mismatch"])
    # 08:05 two bags in one photo with one weight typed: refused; retaken without weight.
    before = counts(db)
    two = phone_photo(p.k2, p.k3, p.ka, seed=3)
    refused(c1.scan("deposit", two, "08:05", BOOTH, weight="3.0"), 422, "ambiguous_weight")
    assert counts(db)[0] == before[0]
    both = ok(c1.scan("deposit", two, "08:06", BOOTH))
    assert sorted(h["source"] for h in both["handovers"]) == sorted([p.k2, p.k3])
    # 08:10 a collect photo with a bag beside the bin: only bins go into a cart... the cart
    # takes what the photo shows; but two carts and no bin is not understood.
    refused(c1.scan("collect", phone_photo(p.cart, p.truck, seed=4), "08:10", BOOTH),
            422, "scan_not_understood")
    # 08:20 the keeper weighs k1 again (2.1): the same deposit, counted once.
    again = ok(keeper.scan("deposit", phone_photo(p.k1, p.ka, seed=5), "08:20", BOOTH,
                           weight="2.1"), status=200, flags=["repeat_scan"])
    assert again["handovers"] == []
    # 08:30 the keeper inspects the bin, finds the recyclable bag, says so (the phone's
    # inspect task offers the category found, and a note; it sends no weight).
    checked = ok(keeper.scan("inspect", phone_photo(p.ka, seed=15), "08:30", BOOTH,
                             category="recyclable", note="厨余桶里有可回收物"),
                 flags=["category_mismatch"])
    assert [(h["source"], h["dest"]) for h in checked["handovers"]] == [(p.ka, p.ka)]
    # 09:00 collector 1 collects KA, weighed 5.0.
    ok(c1.scan("collect", phone_photo(p.ka, p.cart, seed=6), "09:00", BOOTH, weight="5.0"))
    # 09:40 collector 2's queue arrives; the answer is lost, the queue resends the same item.
    first = c2.send(late, received=local("09:40"))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["flags"] == ["late_upload"]  # k4 left with the 09:00 load
    replay = c2.send(late, received=local("09:41"))
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json() == first.get_json()

    # 10:00 the cart unloads at R1; 11:00 the truck loads at R1 and at the empty room R2.
    ok(c1.scan("unload", phone_photo(p.cart, p.room, seed=7), "10:00", ROOM))
    ok(driver.scan("load", phone_photo(p.room, p.truck, seed=8), "11:00", ROOM))
    empty = ok(driver.scan("load", phone_photo(p.room2, p.truck, seed=9), "11:20", ROOM2))
    assert "unknown_origin" in empty["flags"]
    ok(driver.scan("deliver", phone_photo(p.truck, p.plant, seed=10), "12:00", PLANT))
    ok(operator.scan("deliver", phone_photo(p.truck, p.plant, seed=11), "12:05", PLANT,
                     weight="4.8"))
    ok(operator.scan("deliver", phone_photo(p.truck, p.plant, seed=12), "12:06", PLANT,
                     weight="4.8"), status=200, flags=["repeat_scan"])

    # Collector 2's phone is revoked; its queued scan is refused (401) and nothing is kept.
    assert client.delete(f"/api/v1/devices/{c2_device}",
                         headers=people["supervisor"]["auth"]).status_code == 204
    before = counts(db)
    refused(c2.scan("deposit", phone_photo(p.k5, p.ka, seed=13), "13:00", BOOTH), 401,
            "invalid_token")
    assert counts(db) == before

    # Collector 3's clock is a day ahead: the deposit is counted on the day it arrived.
    ok(c3.scan("deposit", phone_photo(p.k5, p.ka, seed=14), "14:00", BOOTH, weight="1.1"),
       flags=["phone_clock_wrong"])

    def tonnage(level):
        response = client.get(f"/api/v1/tonnage?from={DAY - timedelta(days=1)}&to={DAY}"
                              f"&level={level}", headers=people["supervisor"]["auth"])
        assert response.status_code == 200, response.get_json()
        return response.get_json()["rows"]

    district = {(r["day"], r["category"]): r for r in tonnage("district")}
    measures = ("deposited", "collected", "room_in", "room_out", "delivered")
    assert {key: kg(r, *measures) for key, r in district.items()} == {
        (str(DAY), "kitchen"): (4.1, 3.572, 3.572, 3.572, 4.8),  # 5.0 split 2.0 : 0.8
        (str(DAY), "recyclable"): (0.8, 1.428, 1.428, 0.0, 0.0)}  # still in the room
    assert {key: cnt(r, *measures) for key, r in district.items()} == {
        (str(DAY), "kitchen"): (5, 1, 1, 2, 1), (str(DAY), "recyclable"): (1, 1, 1, 0, 0)}
    rooms = {(r["node"], r["category"]): kg(r, "room_in", "room_out")
             for r in tonnage("transfer_room")}
    assert rooms == {(p.room, "kitchen"): (3.572, 3.572), (p.room, "recyclable"): (1.428, 0.0),
                     (p.room2, "kitchen"): (0.0, 0.0)}  # the empty room: visited, nothing out
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 13
        statuses = dict(s.execute(select(ScanAttempt.status, func.count())
                                  .group_by(ScanAttempt.status)).all())
    assert statuses == {"recorded": 12, "repeat_scan": 2, "ambiguous_weight": 1,
                        "scan_not_understood": 1}  # the replay and the revoked phone: none
    page = client.get("/tonnage?from=2026-11-25&to=2026-11-25&level=district",
                      headers={**people["supervisor"]["auth"], **HTML}).get_data(as_text=True)
    assert "从投放亭收集 5.0 公斤，处理设施过磅 4.8 公斤" in page

    def trace(bag):
        html = client.get(f"/T/{IDENTITY.make_token(bag)}", headers=HTML)
        assert html.status_code == 200
        return re.findall(r'data-action="(\w+)"', html.get_data(as_text=True))

    assert trace(p.k1) == ["deposit", "collect", "unload", "load", "deliver"]
    assert trace(p.k2) == trace(p.k3) == trace(p.k1)
    assert trace(p.r1) == ["deposit", "collect", "unload"]
    assert trace(p.k5) == ["deposit"]
    html = client.get(f"/map?day={DAY}", headers=HTML).get_data(as_text=True)
    assert sorted(re.findall(
        r'custody-flow-(\w+)"[^}]*\},"([^"<]+) → ([^"<]+)<br>[^:"]+: ([\d.,]+)', html)) == [
        ("kitchen", "凤桥村 2号亭", "凤桥村中转房", "3.6"),
        ("kitchen", "凤桥村中转房", "厨余处理厂", "3.6"),
        ("recyclable", "凤桥村 2号亭", "凤桥村中转房", "1.4")]  # nothing from the empty room
    answer = client.get(f"/api/v1/assessment?period=day&date={DAY}&level=village",
                        headers=people["supervisor"]["auth"])
    assert answer.status_code == 200
    (village,) = answer.get_json()["rows"]
    assert {k: village["counts"][k] for k in (
        "deposits", "deposit_mismatches", "keeper_checks", "keeper_mismatches",
        "inspections", "booths_collected", "rooms_cleared")} == {
        "deposits": 6, "deposit_mismatches": 1, "keeper_checks": 1, "keeper_mismatches": 1,
        "inspections": 1, "booths_collected": 1, "rooms_cleared": 2}
    assert village["sorting"] == pytest.approx(5 / 7)  # 6 deposits + 1 check, 2 wrong
    balance = client.get(f"/api/v1/mass-balance?from={DAY}&to={DAY}",
                         headers=people["supervisor"]["auth"]).get_json()
    assert {(r["room"], r["category"]): (r["in_kg"], r["out_kg"], r["flagged"])
            for r in balance["rows"]} == {
        (p.room, "kitchen"): (3.572, 3.572, False),
        (p.room, "recyclable"): (1.428, 0.0, True),  # the kitchen truck left it in the room
        (p.room2, "kitchen"): (0.0, 0.0, False)}
    assert ledger.verify(db).ok
    with db.engine.connect() as conn:
        from custody.db.schema import DailyRollup
        before = conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all()
    rollup_rebuild.rebuild(db)
    with db.engine.connect() as conn:
        assert conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all() == before
