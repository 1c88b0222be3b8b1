"""A field day nobody scripted, through exactly what the phone pages send.

Unlike ``test_field_day_web`` (the path as it should go), this day goes the way
days go: a keeper and two collectors at one booth, a wrong-category deposit, a
photo with two bags, a weight typed for two bags, a bag weighed twice, a phone
offline all morning whose queue arrives after the bin was collected (and is
replayed after a lost answer), a driver clearing an empty room, a phone
revoked while its queue still holds a scan, and a phone whose clock is wrong.
The reports then must say exactly what the day implies.

The day (kg):

    booth A (凤桥村): keeper deposits k1 2.0 (kitchen) into kitchen bin KA;
      collector 1 deposits r1 0.8 (a recyclable bag, declared recyclable) into KA: flagged;
      collector 1 photographs k2 and k3 with KA, weight typed: 422, retaken without: 2 moves;
      keeper photographs k1 with KA again and weighs it 2.1: a repeat, counted once at 2.0;
      collector 2 (offline since 07:50) deposited k4 1.0 into KA at 07:55; its queue arrives
      at 09:40, after collector 1 collected KA at 09:00 (weighed 5.0)
    the cart unloads at room R1; the kitchen truck loads at R1, then clears the empty room
      R2 (nothing to carry), and delivers to the plant; the weighbridge weighs 4.8, twice
    collector 2's phone is revoked: its last queued scan is refused, nothing recorded
    collector 3's phone clock is a day behind: its deposit still counts on the day received
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover, ScanAttempt
from custody.domain.model import AssetKind, Category
from custody.services import assets, devices, ledger, rollup_rebuild
from custody.services.assets import NewAsset
from tests.custody.photos import IDENTITY, phone_photo

DAY = date(2026, 11, 25)
HTML = {"Accept": "text/html"}
BOOTH, ROOM, ROOM2, PLANT = (30.70, 120.80), (30.71, 120.81), (30.72, 120.79), (30.75, 120.75)


@pytest.fixture
def place(db):
    """The assets of the day, registered beforehand."""
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="凤桥村 2号亭", village="凤桥村",
                                             lat=BOOTH[0], lon=BOOTH[1])])
    room, room2 = assets.register(db, [
        NewAsset(AssetKind.TRANSFER_ROOM, name="凤桥村中转房", village="凤桥村",
                 lat=ROOM[0], lon=ROOM[1]),
        NewAsset(AssetKind.TRANSFER_ROOM, name="空中转房", village="凤桥村",
                 lat=ROOM2[0], lon=ROOM2[1])])
    (ka,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN, village="凤桥村",
                                          site_id=booth)])
    k1, k2, k3, k4, k5, r1 = assets.register(db, [
        *[NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村", household=f"3-{i}")
          for i in range(1, 6)],
        NewAsset(AssetKind.BAG, Category.RECYCLABLE, village="凤桥村", household="3-9")])
    cart, truck = assets.register(db, [
        NewAsset(AssetKind.VEHICLE, name="村收集车2"),
        NewAsset(AssetKind.VEHICLE, Category.KITCHEN, name="厨余清运车2")])
    (plant,) = assets.register(db, [NewAsset(AssetKind.FACILITY, name="厨余处理厂",
                                             lat=PLANT[0], lon=PLANT[1])])
    return SimpleNamespace(**{k: v for k, v in locals().items() if k != "db"})


@pytest.fixture
def field_app(settings, db):
    """The app as served, its scan clock the field day's (the server's receipt time)."""
    from custody.web import create_app
    from custody.web.scans import scanning

    settings = dataclasses.replace(settings, map_min_households=0)
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    clock = SimpleNamespace(now=datetime.combine(DAY, datetime.min.time(), UTC))
    with app.app_context():
        scanning().clock = lambda: clock.now
    app.field_clock = clock
    return app


def local(at: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{at}:00+08:00").astimezone(UTC)


class Phone:
    """One enrolled phone: its outbox items, posted as queue.js posts them."""

    def __init__(self, client, clock, auth: dict, skew: timedelta = timedelta(0)):
        self.client, self.clock, self.auth, self.skew = client, clock, auth, skew

    def take(self, action: str, photo: bytes, at: str, point, *, weight: str = "",
             category: str = "", note: str = "") -> dict:
        """A scan as phone.js keeps it in the outbox (its fields, its key, its photo)."""
        taken = local(at) + self.skew
        fields = {"client_time": taken.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"), "weight_kg": weight, "category": category, "note": note}
        if point:
            fields.update(lat=str(point[0]), lon=str(point[1]), accuracy_m="12")
        return {"key": str(uuid.uuid4()), "action": action, "fields": fields, "photo": photo,
                "at": local(at)}

    def send(self, item: dict, received: datetime | None = None):
        """queue.js ``send``: empty fields left out, the photo last, the key in a header."""
        self.clock.now = received or item["at"] + timedelta(seconds=15)
        data = {"action": item["action"],
                **{k: v for k, v in item["fields"].items() if v not in (None, "")},
                "photo": (io.BytesIO(item["photo"]), "photo.jpg")}
        return self.client.post("/api/v1/scans", data=data, content_type="multipart/form-data",
                                headers={**self.auth, "Idempotency-Key": item["key"],
                                         "Accept": "application/json"})

    def scan(self, *args, **kwargs):
        return self.send(self.take(*args, **kwargs))


def ok(response, status=201, flags=()):
    body = response.get_json()
    assert response.status_code == status, body
    assert set(flags) <= set(body["flags"]), body["flags"]
    return body


def refused(response, status, code):
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code, body
    message = body["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # zh by default
    return body


def kg(row, *measures):
    return tuple(row[f"{m}_kg"] for m in measures)


def cnt(row, *measures):
    return tuple(row[f"{m}_count"] for m in measures)


def counts(db):
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Handover)),
                s.scalar(select(func.count()).select_from(ScanAttempt)))


def keeper_browser(app, who: dict):
    """The keeper's phone signed in by password: its page, and the session's CSRF header."""
    browser = app.test_client()
    browser.get("/login")
    with browser.session_transaction() as session:
        token = session["csrf_token"]
    assert browser.post("/login", headers=HTML, data={
        "name": who["name"], "password": who["password"], "csrf_token": token}).status_code == 303
    page = browser.get("/phone/inspect", headers=HTML).get_data(as_text=True)
    config = json.loads(re.search(r'<script id="phone-config" type="application/json">(.*?)'
                                  r'</script>', page, re.S).group(1))
    inspect = config["tasks"]["inspect"]
    assert (inspect["category"], inspect["note"], inspect["weight"]) == (True, True, "none")
    csrf = browser.get("/phone/session.json").get_json()["csrf_token"]
    return browser, app.field_clock, {"X-CSRF-Token": csrf}


def test_an_unscripted_field_day(field_app, db, people, place):
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
    assert ledger.verify(db).ok
    with db.engine.connect() as conn:
        from custody.db.schema import DailyRollup
        before = conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all()
    rollup_rebuild.rebuild(db)
    with db.engine.connect() as conn:
        assert conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all() == before


@pytest.mark.parametrize("claimed", ["1970-01-01T00:00:05.000Z", "2000-01-01T00:00:00.000Z",
                                     "2026-12-25T06:00:00.000Z"])
def test_a_phone_with_a_reset_or_fast_clock_counts_on_the_day_received(
        field_app, db, people, place, claimed):
    """A flat battery resets a cheap phone to 1970; another runs a month fast. Their scans are
    recorded at the server's time (the day's tonnage keeps them), flagged for review."""
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
        field_app, db, people, place):
    """The driver's phone has no signal at the plant: the weighbridge's scan arrives first,
    the driver's delivery an hour later. One delivery, the weighbridge's weight."""
    p, client = place, field_app.test_client()
    clock = field_app.field_clock
    collector = Phone(client, clock, people["collector"]["auth"])
    driver = Phone(client, clock, people["driver"]["auth"])
    operator = Phone(client, clock, people["facility_operator"]["auth"])
    ok(collector.scan("deposit", phone_photo(p.k1, p.ka), "07:30", BOOTH, weight="2.0"))
    ok(collector.scan("collect", phone_photo(p.ka, p.cart, seed=1), "09:00", BOOTH))
    ok(collector.scan("unload", phone_photo(p.cart, p.room, seed=2), "10:00", ROOM))
    ok(driver.scan("load", phone_photo(p.room, p.truck, seed=3), "11:00", ROOM))
    queued = driver.take("deliver", phone_photo(p.truck, p.plant, seed=4), "12:00", PLANT)
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
