"""The unscripted field day's place, app and phones (tests/custody/test_field_day_*.py).

``Phone`` posts exactly what the phone page's outbox (``queue.js``) posts: the
fields phone.js keeps, empty ones left out, the photo last, the idempotency key in
a header; a queued item can be sent later, and again.
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
from custody.services import assets
from custody.services.assets import NewAsset

DAY = date(2026, 11, 25)
HTML = {"Accept": "text/html"}
BOOTH, ROOM, ROOM2, PLANT = (30.70, 120.80), (30.71, 120.81), (30.72, 120.79), (30.75, 120.75)


@pytest.fixture
def day_place(db):
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


def app_on(settings, db, day: date):
    """The app as served, every booth shown on the map, its scan clock (the server's receipt
    time, ``app.field_clock.now``) at the start of ``day``."""
    from custody.web import create_app
    from custody.web.scans import scanning

    settings = dataclasses.replace(settings, map_min_households=0)
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    clock = SimpleNamespace(now=datetime.combine(day, datetime.min.time(), UTC))
    with app.app_context():
        scanning().clock = lambda: clock.now
    app.field_clock = clock
    return app


@pytest.fixture
def day_app(settings, db):
    """The app as served, its scan clock the field day's (the server's receipt time)."""
    return app_on(settings, db, DAY)


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


