"""Tile providers from the environment, and the public map drawn on GCJ-02 tiles."""

from dataclasses import replace

import pytest

import maps
from custody.config import Settings
from custody.web import create_app
from tests.custody.conftest import BOOTH_AT
from tests.custody.test_reports_web import day_of_work  # noqa: F401 - a fixture


def test_a_known_provider_brings_its_coordinate_system(tmp_path):
    amap = Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path), "CUSTODY_TILES": "amap"})
    assert amap.tiles_crs == "gcj02" and "autonavi" in amap.tiles_url
    tianditu = Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path), "CUSTODY_TILES": "tianditu",
                                  "CUSTODY_TILES_KEY": "abc123"})
    assert tianditu.tiles_crs == "cgcs2000" and "tk=abc123" in tianditu.tiles_url
    with pytest.raises(ValueError, match="CUSTODY_TILES_KEY"):
        Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path), "CUSTODY_TILES": "tianditu"})
    with pytest.raises(ValueError, match="unknown tile provider"):
        Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path), "CUSTODY_TILES": "baidu"})


def test_any_tile_service_with_its_coordinate_system(tmp_path):
    custom = Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path),
                                "CUSTODY_TILES_URL": "https://tiles.example.cn/{z}/{x}/{y}.png",
                                "CUSTODY_TILES_ATTRIBUTION": "example",
                                "CUSTODY_TILES_CRS": "gcj02"})
    assert custom.tiles_crs == "gcj02"
    with pytest.raises(ValueError, match="CUSTODY_TILES_CRS"):
        Settings.from_env({"CUSTODY_DATA_DIR": str(tmp_path), "CUSTODY_TILES_URL": "x",
                           "CUSTODY_TILES_CRS": "bd09"})


def test_on_gcj02_tiles_the_booth_is_drawn_where_those_tiles_show_it(settings, db,
                                                                    day_of_work):  # noqa: F811
    app = create_app({"TESTING": True, "DATABASE": db,
                      "SETTINGS": replace(settings, tiles_crs="gcj02", tiles_url="https://"
                                          "webrd01.is.autonavi.com/{z}/{x}/{y}",
                                          tiles_attribution="AutoNavi")})
    html = app.test_client().get(f"/map?day={day_of_work}").get_data(as_text=True)
    lat, lon = (round(v, 5) for v in maps.wgs84_to_gcj02(*BOOTH_AT))
    assert f"[{lat},{lon}," in html
    assert f"[{BOOTH_AT[0]},{BOOTH_AT[1]}," not in html and f"[{BOOTH_AT[0]:.1f}," not in html
