"""Privacy holds on every public page: no household, no bag's home, no original photo.

Small booths are judged each by its own households (those who deposited there that day),
not by the village's average: a village of two big booths and two small ones shows the
big ones and one merged point for the small ones.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from PIL import Image

from custody.domain.model import AssetKind, Category
from custody.services import assets, map_view
from custody.services.assets import NewAsset
from custody.services.rollups import REPORT_TZ as LOCAL
from custody.web.schemas import today
from tests.custody.conftest import BOOTH_AT, ROOM_AT
from tests.custody.photos import IDENTITY, phone_photo
from tests.custody.test_handovers import record

HTML = {"Accept": "text/html"}
SECRET = "HOME-SECRET"  # every household reference starts so: it must never be shown
GPS_EXIF = bytes.fromhex(  # a minimal EXIF block with a GPS IFD (latitude 30 N)
    "4578696600004d4d002a00000008000188250004000000010000001a00000000000200010002"
    "000000024e000000000200050000000300000034000000000000001e000000010000000000000001"
    "0000000000000001")


def yesterday() -> date:
    """Yesterday in the district (Asia/Shanghai): a whole day in the past, whatever the hour
    (records from 'three hours ago' fell on the day before between 00:00 and 03:00 there)."""
    return today() - timedelta(days=1)


def yesterday_noon() -> datetime:
    """Noon of yesterday in the district, in UTC: records an hour apart stay on one day."""
    return datetime.combine(yesterday(), time(12), tzinfo=LOCAL).astimezone(UTC)


def _booth(db, name: str, lat: float, lon: float) -> tuple[str, str]:
    """A booth in 凤桥村 with one 'other' bin: (booth, bin)."""
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name=name, village="凤桥村",
                                             lat=lat, lon=lon)])
    (bin_,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.OTHER, village="凤桥村",
                                            site_id=booth)])
    return booth, bin_


@pytest.fixture
def four_booths(db, district):
    """Today, booths used by 30, 30, 4 and 8 households (village average 18)."""
    start = yesterday_noon()
    booths = {}
    for n, (name, homes) in enumerate([("大亭甲", 30), ("大亭乙", 30), ("小亭丙", 4),
                                        ("小亭丁", 8)]):
        booth, bin_ = _booth(db, name, BOOTH_AT[0] + 0.002 * n, BOOTH_AT[1] + 0.002 * n)
        bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.OTHER, village="凤桥村",
                                             household=f"{SECRET}-{n}-{h}")
                                    for h in range(homes)])
        for h, bag in enumerate(bags):
            record(db, district, bag, bin_, start + timedelta(seconds=10 * h),
                   point=BOOTH_AT, weight_kg=1.0)
        record(db, district, bin_, district.cart, start + timedelta(minutes=20 + n),
               point=BOOTH_AT, weight_kg=float(homes))
        booths[name] = booth
    record(db, district, district.cart, district.room, start + timedelta(minutes=40),
           point=ROOM_AT, weight_kg=72.0)
    return booths


def test_small_booths_are_merged_by_their_own_households_not_the_village_average(
        db, four_booths):
    sites, flows, _ = map_view.day_map_records(db, yesterday(), min_households=10)
    shown = {s.id for s in sites}
    assert four_booths["大亭甲"] in shown and four_booths["大亭乙"] in shown
    assert four_booths["小亭丙"] not in shown and four_booths["小亭丁"] not in shown
    merged = [s for s in sites if s.merged]
    assert len(merged) == 1 and merged[0].tonnage_kg["other"] == 12.0  # 4 + 8 deposits
    counts = map_view.households_per_booth(db, yesterday())
    assert counts[four_booths["小亭丙"]] == 4 and counts[four_booths["大亭甲"]] == 30


def test_a_home_using_two_bins_of_a_booth_counts_once(db, district):
    start = yesterday_noon()
    for n in range(3):
        kitchen, other = assets.register(db, [
            NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村", household=f"{SECRET}{n}"),
            NewAsset(AssetKind.BAG, Category.OTHER, village="凤桥村", household=f"{SECRET}{n}")])
        record(db, district, kitchen, district.kitchen_bin, start + timedelta(minutes=n),
               point=BOOTH_AT, weight_kg=1.0)
        record(db, district, other, district.other_bin, start + timedelta(minutes=n, seconds=5),
               point=BOOTH_AT, weight_kg=1.0)
    assert map_view.households_per_booth(db, yesterday()) == {district.booth: 3}


def test_no_public_page_shows_a_household_a_bags_home_or_an_original_photo(
        app, client, db, district, four_booths, people):
    photo = phone_photo(district.room, district.truck, exif=GPS_EXIF)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the upload has GPS
    answer = client.post(
        "/api/v1/scans", content_type="multipart/form-data",
        headers={**people["driver"]["auth"], "Idempotency-Key": str(uuid.uuid4())},
        data={"action": "load", "category": "other", "weight_kg": "70",
              "lat": str(ROOM_AT[0]), "lon": str(ROOM_AT[1]),
              "photo": (io.BytesIO(photo), "room.jpg")})
    assert answer.status_code == 201, answer.get_json()
    day = today()
    bag = assets_of(db, "bag")[0]
    pages = ["/", "/map", f"/map?day={day}", "/tonnage", f"/tonnage?from={day}&to={day}",
             f"/tonnage?from={day}&to={day}&level=village&node=凤桥村",
             f"/tonnage?from={day}&to={day}&level=transfer_room", "/code",
             f"/T/{IDENTITY.make_token(bag)}", f"/T/{IDENTITY.make_token(bag)}/map",
             f"/trace/{bag}", f"/T/{IDENTITY.make_token(district.room)}",
             f"/api/v1/tonnage?from={day}&to={day}&level=village"]
    photos = set()
    for url in pages:
        response = client.get(url, headers=HTML)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert SECRET not in body and "household" not in body.lower(), url
        assert "/original" not in body, url
        photos |= set(re.findall(r"/photos/([0-9a-f]{64})\.jpg", body))
    assert photos  # the room's clearance photo is on the map
    for sha in photos:
        public = client.get(f"/photos/{sha}.jpg")
        image = Image.open(io.BytesIO(public.get_data()))
        assert not image.getexif() and public.get_data() != photo  # no EXIF, not the original
        assert client.get(f"/photos/{sha}/original").status_code in (302, 401, 403)


def assets_of(db, kind: str) -> list[str]:
    """Ids of every asset of a kind."""
    from sqlalchemy import select

    from custody.db.schema import Asset
    with db.read() as session:
        return list(session.scalars(select(Asset.asset_id).where(Asset.kind == kind)
                                    .order_by(Asset.asset_id)))
