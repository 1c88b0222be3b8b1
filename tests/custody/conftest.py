"""A small registered district for service and CLI tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from custody.db.account_tables import Device
from custody.db.schema import Actor, Asset, Handover
from custody.domain.model import AssetKind, Category, Role
from custody.services import assets
from custody.services.assets import NewAsset
from tests.custody.field_day import day_app, day_place  # noqa: F401 - fixtures

BOOTH_AT = (30.7000, 120.8000)
ROOM_AT = (30.7100, 120.8100)
PLANT_AT = (30.7500, 120.7500)


@dataclass
class District:
    """Ids of one path's worth of assets and actors."""

    booth: str
    kitchen_bin: str
    other_bin: str
    kitchen_bag: str
    hazardous_bag: str
    cart: str
    room: str
    truck: str
    plant: str
    collector: int
    driver: int


@pytest.fixture
def district(db) -> District:
    """Register a booth with two bins, two bags, a cart, a room, a truck and a plant."""
    return register_district(db)


def register_district(db) -> District:
    """The district fixture's assets and actors, registered in ``db``."""
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="凤桥村 1号亭",
                                             village="凤桥村", lat=BOOTH_AT[0], lon=BOOTH_AT[1])])
    ids = assets.register(db, [
        NewAsset(AssetKind.BIN, Category.KITCHEN, village="凤桥村", site_id=booth),
        NewAsset(AssetKind.BIN, Category.OTHER, village="凤桥村", site_id=booth),
        NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村", household="12-3"),
        NewAsset(AssetKind.BAG, Category.HAZARDOUS, village="凤桥村", household="12-4"),
        NewAsset(AssetKind.VEHICLE, name="cart 1"),
        NewAsset(AssetKind.TRANSFER_ROOM, village="凤桥村", lat=ROOM_AT[0], lon=ROOM_AT[1]),
        NewAsset(AssetKind.VEHICLE, name="truck 1"),
        NewAsset(AssetKind.FACILITY, name="kitchen plant", lat=PLANT_AT[0], lon=PLANT_AT[1],
                 treatment="composting"),
    ])
    collector = assets.add_actor(db, "wang", Role.COLLECTOR)
    driver = assets.add_actor(db, "li", Role.DRIVER)
    return District(booth, *ids, collector=collector, driver=driver)


@pytest.fixture
def stored(db, people, district):
    """A count of what is stored (people, assets, phones, handovers), to call before and
    after something that must lose or add nothing."""
    def snapshot():
        with db.read() as s:
            return tuple(s.scalar(select(func.count()).select_from(t))
                         for t in (Actor, Asset, Device, Handover))
    return snapshot
