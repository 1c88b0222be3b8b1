"""A field day through HTTP, as the phones send it, checked against hand-computed truth.

Collectors, drivers and weighbridge operators post photographed scans of real
printed labels to ``POST /api/v1/scans`` with their device tokens and exactly
the fields the phone pages send: no category on vehicle moves, a weight only
where someone weighed. Double taps and queue replays happen. Then the
tonnage API at every level, the mass balance, a bag's trace page and the map
of the day must tell the truth worked out by hand below.

The day (all weights in kg; "est." = carried or split, not weighed as such):

    booth A (凤桥村): k1 2.0 and k2 1.5 (kitchen) and h1 0.5 (hazardous, wrongly)
                      into kitchen bin KA; o1 3.0 into other bin OA
    booth B (新丰村): k3 1.2 into kitchen bin KB
    cart C1 (no category) collects KA weighed 4.4 -> kitchen 3.85 + hazardous 0.55
                      (split 3.5 : 0.5, est.), OA unweighed -> other 3.0 (est.),
                      KB weighed 1.5 -> kitchen 1.5
    C1 unloads at room R1 unweighed -> kitchen 5.35, hazardous 0.55, other 3.0
    other truck TO loads at R1 first -> other 3.0 only; kitchen truck TK -> kitchen 5.35
    (the hazardous 0.55 stays in the room: the mass balance flags it)
    TK delivers to the kitchen plant unweighed (5.35 est.); the weighbridge weighs 5.2
    TO delivers to the other plant with the driver's estimate 3.1; the weighbridge 2.9
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from custody.db.schema import DailyRollup, Handover, ScanAttempt
from custody.domain.model import AssetKind, Category, Role
from custody.services import assets, ledger, rollup_rebuild
from custody.services.assets import NewAsset
from tests.custody.field_day import app_on
from tests.custody.photos import IDENTITY, phone_photo

DAY = date(2026, 11, 24)
HTML = {"Accept": "text/html"}
BOOTH_A, BOOTH_B = (30.7000, 120.8000), (30.7200, 120.8200)
ROOM, KITCHEN_PLANT, OTHER_PLANT = (30.7100, 120.8100), (30.7500, 120.7500), (30.6800, 120.7000)


@pytest.fixture
def place(db):
    """The assets of the day (registered by a supervisor beforehand)."""
    (booth_a,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="凤桥村 1号亭",
                                               village="凤桥村", lat=BOOTH_A[0],
                                               lon=BOOTH_A[1])])
    (booth_b,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="新丰村 1号亭",
                                               village="新丰村", lat=BOOTH_B[0],
                                               lon=BOOTH_B[1])])
    (room,) = assets.register(db, [NewAsset(AssetKind.TRANSFER_ROOM, name="凤桥村中转房",
                                            village="凤桥村", lat=ROOM[0], lon=ROOM[1])])
    ka, oa, kb = assets.register(db, [
        NewAsset(AssetKind.BIN, Category.KITCHEN, village="凤桥村", site_id=booth_a),
        NewAsset(AssetKind.BIN, Category.OTHER, village="凤桥村", site_id=booth_a),
        NewAsset(AssetKind.BIN, Category.KITCHEN, village="新丰村", site_id=booth_b)])
    k1, k2, h1, o1 = assets.register(db, [
        NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村", household="1-1"),
        NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村", household="1-2"),
        NewAsset(AssetKind.BAG, Category.HAZARDOUS, village="凤桥村", household="1-3"),
        NewAsset(AssetKind.BAG, Category.OTHER, village="凤桥村", household="1-4")])
    (k3,) = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN, village="新丰村",
                                          household="2-1")])
    cart, kitchen_truck, other_truck = assets.register(db, [
        NewAsset(AssetKind.VEHICLE, name="村收集车1"),
        NewAsset(AssetKind.VEHICLE, Category.KITCHEN, name="厨余清运车1"),
        NewAsset(AssetKind.VEHICLE, Category.OTHER, name="其他垃圾清运车1")])
    kitchen_plant, other_plant = assets.register(db, [
        NewAsset(AssetKind.FACILITY, name="厨余处理厂", lat=KITCHEN_PLANT[0],
                 lon=KITCHEN_PLANT[1]),
        NewAsset(AssetKind.FACILITY, name="综合处理厂", lat=OTHER_PLANT[0],
                 lon=OTHER_PLANT[1])])
    return SimpleNamespace(**{k: v for k, v in locals().items() if k != "db"})


@pytest.fixture
def field_app(settings, db):
    """The app as served, its scan clock set to the field day (the ledger's server time)."""
    return app_on(settings, db, DAY)


class Phone:
    """One enrolled phone: posts scans as the phone page's outbox does."""

    def __init__(self, client, clock, auth: dict):
        self.client, self.clock, self.auth = client, clock, auth

    def scan(self, action: str, photo: bytes, at: str, point: tuple[float, float], *,
             weight: str | None = None, key: str | None = None):
        local = datetime.fromisoformat(f"{DAY}T{at}:00+08:00").astimezone(UTC)
        self.clock.now = local + timedelta(seconds=20)  # received a little after
        fields = {"client_time": local.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"), "lat": str(point[0]), "lon": str(point[1]), "accuracy_m": "8.5"}
        if weight is not None:
            fields["weight_kg"] = weight
        data = {"action": action, **fields, "photo": (io.BytesIO(photo), "photo.jpg")}
        headers = {**self.auth, "Idempotency-Key": key or str(uuid.uuid4()),
                   "Accept": "application/json"}
        return self.client.post("/api/v1/scans", data=data, headers=headers,
                                content_type="multipart/form-data")


def recorded(response, *, status=201, flags=()):
    body = response.get_json()
    assert response.status_code == status, body
    assert set(flags) <= set(body["flags"]), body["flags"]
    return body


def by(rows, **match):
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def kg(row, *measures):
    return tuple(row[f"{m}_kg"] for m in measures)


def test_a_field_day_through_http_tells_the_truth(field_app, db, people, place):
    p, client = place, field_app.test_client()
    collector = Phone(client, field_app.field_clock, people["collector"]["auth"])
    driver = Phone(client, field_app.field_clock, people["driver"]["auth"])
    operator = Phone(client, field_app.field_clock, people["facility_operator"]["auth"])

    # Deposits at booth A: one bag per photo, weighed on the collector's scale.
    recorded(collector.scan("deposit", phone_photo(p.k1, p.ka), "08:00", BOOTH_A, weight="2.0"))
    recorded(collector.scan("deposit", phone_photo(p.h1, p.ka, seed=1), "08:02", BOOTH_A,
                            weight="0.5"), flags=["category_mismatch"])
    double_tap = phone_photo(p.k2, p.ka, seed=2)
    first = recorded(collector.scan("deposit", double_tap, "08:04", BOOTH_A, weight="1.5"))
    again = recorded(collector.scan("deposit", double_tap, "08:04", BOOTH_A, weight="1.5"),
                     status=200, flags=["repeat_scan", "reused_photo"])
    assert again["status"] == "repeat" and again["handovers"] == []
    assert again["repeats"] == [{"source": p.k2, "dest": p.ka,
                                 "repeat_of": first["handovers"][0]["seq"]}]
    recorded(collector.scan("deposit", phone_photo(p.o1, p.oa, seed=3), "08:06", BOOTH_A,
                            weight="3.0"))
    recorded(collector.scan("deposit", phone_photo(p.k3, p.kb, seed=4), "08:40", BOOTH_B,
                            weight="1.2"))

    # The cart collects: KA on the scale, OA not weighed, KB on the scale.
    collect_ka = recorded(collector.scan("collect", phone_photo(p.ka, p.cart, seed=5), "09:00",
                                         BOOTH_A, weight="4.4"))
    assert collect_ka["flags"] == []  # a village cart may carry a mixed load
    recorded(collector.scan("collect", phone_photo(p.oa, p.cart, seed=6), "09:02", BOOTH_A))
    kb_photo = phone_photo(p.kb, p.cart, seed=7)
    kb = recorded(collector.scan("collect", kb_photo, "09:30", BOOTH_B, weight="1.5",
                                 key="queued-kb"))
    replayed = collector.scan("collect", kb_photo, "09:30", BOOTH_B, weight="1.5",
                              key="queued-kb")  # the outbox resends after a lost answer
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.get_json() == kb

    # The cart unloads at the room: no weight, no category (the phone sends none).
    unload_photo = phone_photo(p.cart, p.room, seed=8)
    recorded(collector.scan("unload", unload_photo, "10:00", ROOM))
    recorded(collector.scan("unload", unload_photo, "10:00", ROOM), status=200,
             flags=["repeat_scan"])  # the queue replayed it under a new key

    # The trucks clear the room by category: the other truck first.
    recorded(driver.scan("load", phone_photo(p.room, p.other_truck, seed=9), "11:00", ROOM))
    recorded(driver.scan("load", phone_photo(p.room, p.kitchen_truck, seed=10), "11:10", ROOM))

    # Deliveries, then the weighbridge weighs each arriving truck.
    deliver_k = recorded(driver.scan("deliver", phone_photo(p.kitchen_truck, p.kitchen_plant,
                                                            seed=11), "12:00", KITCHEN_PLANT))
    weighed = recorded(operator.scan("deliver", phone_photo(p.kitchen_truck, p.kitchen_plant,
                                                            seed=12), "12:05", KITCHEN_PLANT,
                                     weight="5.2"))
    assert weighed["handovers"][0]["corrects_seq"] == deliver_k["handovers"][0]["seq"]
    recorded(operator.scan("deliver", phone_photo(p.kitchen_truck, p.kitchen_plant, seed=13),
                           "12:07", KITCHEN_PLANT, weight="5.2"), status=200,
             flags=["repeat_scan"])  # weighed twice: still one delivery
    recorded(driver.scan("deliver", phone_photo(p.other_truck, p.other_plant, seed=14),
                         "12:30", OTHER_PLANT, weight="3.1"))
    recorded(operator.scan("deliver", phone_photo(p.other_truck, p.other_plant, seed=15),
                           "12:35", OTHER_PLANT, weight="2.9"))
    recorded(driver.scan("deliver", phone_photo(p.other_truck, p.other_plant, seed=16),
                         "12:50", OTHER_PLANT), status=200, flags=["repeat_scan"])

    # Each physical event counted once: 13 moves, 2 weighbridge confirmations (corrections
    # of the drivers' deliveries: their estimates stay in the ledger).
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 15
        confirmations = s.execute(select(Handover.role, Handover.weight_g, Handover.corrects_seq)
                                  .where(Handover.record_kind == "correction")).all()
        estimate = s.scalar(select(Handover.weight_g).where(
            Handover.seq == confirmations[1].corrects_seq))
        statuses = dict(s.execute(select(ScanAttempt.status, func.count())
                                  .group_by(ScanAttempt.status)).all())
    assert statuses == {"recorded": 15, "repeat_scan": 4}
    assert [(c.role, c.weight_g) for c in confirmations] == [
        (Role.FACILITY_OPERATOR.value, 5200), (Role.FACILITY_OPERATOR.value, 2900)]
    assert estimate == 3100  # the driver's estimate, kept
    review = client.get("/supervise/flags", headers={**people["supervisor"]["auth"], **HTML,
                                                     "Accept-Language": "en"})
    assert review.get_data(as_text=True).count(
        "Already recorded: this scan repeats a recorded handover") == 4

    def tonnage(level):
        response = client.get(f"/api/v1/tonnage?from={DAY}&to={DAY}&level={level}",
                              headers=people["supervisor"]["auth"])
        assert response.status_code == 200
        return response.get_json()["rows"]

    booths = tonnage("booth")
    assert len(booths) == 4
    a_k = by(booths, node=p.booth_a, category="kitchen")
    assert kg(a_k, "deposited", "collected") == (3.5, 3.85)
    assert (a_k["deposited_count"], a_k["collected_count"]) == (2, 1)
    assert kg(by(booths, node=p.booth_a, category="hazardous"),
              "deposited", "collected") == (0.5, 0.55)
    assert kg(by(booths, node=p.booth_a, category="other"), "deposited", "collected") == (
        3.0, 3.0)
    assert kg(by(booths, node=p.booth_b, category="kitchen"), "deposited", "collected") == (
        1.2, 1.5)

    rooms = tonnage("transfer_room")
    assert {r["category"]: kg(r, "room_in", "room_out") for r in rooms} == {
        "kitchen": (5.35, 5.35), "hazardous": (0.55, 0.0), "other": (3.0, 3.0)}
    assert {r["category"] for r in rooms if r["node"] != p.room} == set()

    plants = tonnage("facility")
    assert {(r["node"], r["category"]): (r["delivered_kg"], r["delivered_count"])
            for r in plants} == {(p.kitchen_plant, "kitchen"): (5.2, 1),
                                 (p.other_plant, "other"): (2.9, 1)}

    villages = tonnage("village")
    assert {(r["node"], r["category"]): kg(r, "deposited", "collected", "room_in", "room_out")
            for r in villages} == {
        ("凤桥村", "kitchen"): (3.5, 3.85, 5.35, 5.35),
        ("凤桥村", "hazardous"): (0.5, 0.55, 0.55, 0.0),
        ("凤桥村", "other"): (3.0, 3.0, 3.0, 3.0),
        ("新丰村", "kitchen"): (1.2, 1.5, 0.0, 0.0)}

    district = tonnage("district")
    assert {r["category"]: kg(r, "deposited", "collected", "room_in", "room_out", "delivered")
            for r in district} == {
        "kitchen": (4.7, 5.35, 5.35, 5.35, 5.2),
        "hazardous": (0.5, 0.55, 0.55, 0.0, 0.0),
        "other": (3.0, 3.0, 3.0, 3.0, 2.9)}
    assert by(district, category="kitchen")["delivered_count"] == 1
    assert not any(r["category"] == "other" and r["delivered_kg"] == 5.2 for r in district)

    balance = client.get(f"/api/v1/mass-balance?from={DAY}&to={DAY}",
                         headers=people["supervisor"]["auth"]).get_json()["rows"]
    assert {r["category"]: (r["in_kg"], r["out_kg"], r["gap_kg"], r["flagged"])
            for r in balance} == {"kitchen": (5.35, 5.35, 0.0, False),
                                  "hazardous": (0.55, 0.0, 0.55, True),
                                  "other": (3.0, 3.0, 0.0, False)}

    # The trace of a kitchen bag names the cart and the kitchen truck, not the other truck.
    page = client.get(f"/T/{IDENTITY.make_token(p.k1)}",
                      headers={**HTML, "Accept-Language": "en"}).get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', page) == [
        "deposit", "collect", "unload", "load", "deliver"]
    assert re.findall(r'data-vehicle="([^"]+)"', page) == [
        "村收集车1", "村收集车1", "厨余清运车1", "厨余清运车1"]
    assert "Delivered to a treatment facility" in page and "其他垃圾清运车1" not in page
    for place_name in ("凤桥村 1号亭", "凤桥村中转房", "厨余处理厂"):
        assert place_name in page
    other_bag = client.get(f"/T/{IDENTITY.make_token(p.o1)}", headers=HTML).get_data(
        as_text=True)
    assert "其他垃圾清运车1" in other_bag and "厨余清运车1" not in other_bag
    stuck = client.get(f"/T/{IDENTITY.make_token(p.h1)}", headers=HTML).get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', stuck) == ["deposit", "collect", "unload"]
    assert 'data-status="delivered"' not in stuck  # the hazardous waste is still in the room

    # The map of the day: each flow by category, with the weight carried.
    html = client.get(f"/map?day={DAY}", headers={**HTML, "Accept-Language": "en"}).get_data(
        as_text=True)
    flows = sorted(re.findall(r'custody-flow-(\w+)"[^}]*\},"([^"<]+) → ([^"<]+)'
                              r'<br>[^:"]+: ([\d.,]+) kg"', html))
    assert flows == sorted([
        ("kitchen", "凤桥村 1号亭", "凤桥村中转房", "3.9"),  # 3.85, shown to 0.1 kg
        ("hazardous", "凤桥村 1号亭", "凤桥村中转房", "0.6"),  # 0.55
        ("other", "凤桥村 1号亭", "凤桥村中转房", "3.0"),
        ("kitchen", "新丰村 1号亭", "凤桥村中转房", "1.5"),
        ("kitchen", "凤桥村中转房", "厨余处理厂", "5.3"),  # 5.35
        ("other", "凤桥村中转房", "综合处理厂", "3.0")]), flows
    assert html.count("custody-trip") >= 3  # the cart's and both trucks' rounds

    # The tonnage and the ledger stay what a rebuild from the ledger derives.
    with db.engine.connect() as conn:
        before = conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all()
    rollup_rebuild.rebuild(db)
    with db.engine.connect() as conn:
        assert conn.execute(select(DailyRollup.__table__).order_by(
            *DailyRollup.__table__.c)).all() == before
    assert ledger.verify(db).ok
