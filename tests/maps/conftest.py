"""Maps test fixtures: a small day, a Nanhu-sized day, a reader for the embedded data."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from maps import CATEGORIES, Flow, Site, Trip

DAY = date(2026, 11, 22)
TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
ASSET_BASE_URL = "/static/maps/"

_BATCH_CALL = re.compile(r"^\s*\}\)\((\w+), (.*), (\[.*\])\);$", re.MULTILINE)


@pytest.fixture
def map_options() -> dict[str, Any]:
    """Keyword arguments every map call in these tests uses."""
    return {
        "tiles_url": TILES_URL,
        "tiles_attribution": ATTRIBUTION,
        "asset_base_url": ASSET_BASE_URL,
    }


@pytest.fixture
def batches() -> Callable[[str], dict[str, tuple[Any, list[Any]]]]:
    """A reader of the per-layer data arrays embedded in a map page, by layer variable."""

    def read(html: str) -> dict[str, tuple[Any, list[Any]]]:
        """Layer variable name -> (shared options, items)."""
        return {m[1]: (json.loads(m[2]), json.loads(m[3])) for m in _BATCH_CALL.finditer(html)}

    return read


@pytest.fixture
def small_day() -> tuple[list[Site], list[Flow], list[Trip]]:
    """Two booths, a transfer room and a facility, four flows and one trip."""
    sites = [
        Site("B1", "booth", "东栅村 1号亭", 30.751, 120.781, {"kitchen": 40.0, "other": 12.5}),
        Site("B2", "booth", "东栅村 2号亭", 30.752, 120.785, {"kitchen": 10.0, "hazardous": 0.4}),
        Site(
            "R1",
            "transfer_room",
            "东栅村 中转房",
            30.755,
            120.790,
            {"kitchen": 50.0, "other": 12.5, "hazardous": 0.4},
        ),
        Site("F1", "facility", "南湖 处理中心", 30.800, 120.700, {"kitchen": 50.0}),
    ]
    flows = [
        Flow("B1", "R1", "kitchen", 40.0),
        Flow("B1", "R1", "other", 12.5),
        Flow("B2", "R1", "kitchen", 10.0),
        Flow("B2", "R1", "hazardous", 0.4),
        Flow("R1", "F1", "kitchen", 50.0),
    ]
    start = datetime(2026, 11, 22, 6, 0)
    trips = [Trip("浙F12345", [(30.755, 120.79, start), (30.8, 120.7, start + timedelta(hours=1))])]
    return sites, flows, trips


@pytest.fixture
def nanhu_day() -> tuple[list[Site], list[Flow], list[Trip]]:
    """A synthetic day at Nanhu scale: 34 villages of 9 booths, 2 facilities, 20 trips."""
    return make_nanhu_day()


def make_nanhu_day(seed: int = 1) -> tuple[list[Site], list[Flow], list[Trip]]:
    """Build a synthetic Nanhu-sized day (about 300 booths, 800 flows, 20 trips of 50 points)."""
    rnd = random.Random(seed)
    sites: list[Site] = []
    flows: list[Flow] = []
    facility_ids = ("F0", "F1")
    facility_kg = {f: dict.fromkeys(CATEGORIES, 0.0) for f in facility_ids}
    for village in range(34):
        lat, lon = 30.6 + rnd.random() * 0.3, 120.6 + rnd.random() * 0.3
        room = f"R{village}"
        room_kg = dict.fromkeys(CATEGORIES, 0.0)
        for booth in range(9):
            kg = {c: round(rnd.uniform(5, 120), 1) for c in CATEGORIES if rnd.random() < 0.6}
            booth_id = f"B{village}-{booth}"
            sites.append(
                Site(
                    booth_id,
                    "booth",
                    f"村{village} 投放亭{booth}",
                    lat + rnd.uniform(-0.01, 0.01),
                    lon + rnd.uniform(-0.01, 0.01),
                    kg,
                )
            )
            for category, amount in kg.items():
                flows.append(Flow(booth_id, room, category, amount))
                room_kg[category] += amount
        sites.append(Site(room, "transfer_room", f"村{village} 中转房", lat, lon, room_kg))
        for category, amount in room_kg.items():
            if amount:
                facility = "F0" if category in ("kitchen", "recyclable") else "F1"
                flows.append(Flow(room, facility, category, amount))
                facility_kg[facility][category] += amount
    for index, facility in enumerate(facility_ids):
        sites.append(
            Site(
                facility,
                "facility",
                f"处理中心 {index}",
                30.7 + index / 10,
                120.7,
                facility_kg[facility],
            )
        )
    start = datetime(2026, 11, 22, 6, 0)
    trips = [
        Trip(
            f"浙F{n:05d}",
            [
                (
                    30.6 + rnd.random() * 0.3,
                    120.6 + rnd.random() * 0.3,
                    start + timedelta(minutes=5 * k),
                )
                for k in range(50)
            ],
        )
        for n in range(20)
    ]
    return sites, flows, trips
