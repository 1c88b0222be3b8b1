"""Tiles that work in China: GCJ-02 display positions, tile providers, no tiles at all."""

from __future__ import annotations

import math

import pytest

from maps import (
    TILE_PROVIDERS,
    MapsError,
    TileProvider,
    gcj02_to_wgs84,
    public_map_html,
    trace_map_html,
    wgs84_to_gcj02,
)

# Published by eviltransform (googollee/eviltransform, its test suite): WGS-84 -> GCJ-02.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_to_gcj02_matches_the_published_points_within_a_metre(wgs, gcj):
    assert metres(wgs84_to_gcj02(*wgs), gcj) <= 1.0
    assert metres(wgs, gcj) > 100  # the shift is real: hundreds of metres


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_back_to_wgs84_within_a_metre(wgs, gcj):
    assert metres(gcj02_to_wgs84(*gcj), wgs) <= 1.0


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)


def test_on_gcj02_tiles_markers_are_drawn_shifted_and_the_records_stay_wgs84(
        small_day, batches, map_options):
    sites, flows, trips = small_day
    html = public_map_html(sites, flows, trips, day=__import__("datetime").date(2026, 11, 22),
                           **{**map_options, "tiles_crs": "gcj02"})
    drawn = [item[:2] for _, items in batches(html).values() for item in items
             if isinstance(item[2], str) and item[2].startswith("custody-site")]
    for site in sites:
        expected = [round(v, 5) for v in wgs84_to_gcj02(site.lat, site.lon)]
        assert expected in drawn
        assert [round(site.lat, 5), round(site.lon, 5)] not in drawn
    assert sites[0].lat == 30.751  # the caller's records are untouched


def test_the_trace_map_shifts_too(map_options, batches):
    from datetime import datetime

    from maps import TracePoint
    point = TracePoint(30.75, 120.78, datetime(2026, 11, 22, 8), "booth")
    html = trace_map_html([point], **{**map_options, "tiles_crs": "gcj02"})
    items = [i for _, its in batches(html).values() for i in its]
    assert [round(v, 5) for v in wgs84_to_gcj02(30.75, 120.78)] in [i[:2] for i in items]


def test_without_tiles_everything_but_the_background_is_drawn(small_day, map_options):
    sites, flows, trips = small_day
    html = public_map_html(sites, flows, trips, day=__import__("datetime").date(2026, 11, 22),
                           **{**map_options, "tiles_url": None})
    assert "L.tileLayer" not in html
    assert html.count('"custody-flow custody-flow-') == len(flows)
    assert html.count('"custody-site custody-site-') == len(sites)


def test_providers_name_their_coordinate_system():
    assert TILE_PROVIDERS["amap"].crs == "gcj02"
    assert TILE_PROVIDERS["tianditu"].crs == "cgcs2000" and "{key}" in TILE_PROVIDERS[
        "tianditu"].url
    assert TILE_PROVIDERS["osm"].crs == "wgs84"
    with pytest.raises(MapsError):
        TileProvider("https://t/{z}/{x}/{y}.png", "x", crs="bd09")
    with pytest.raises(MapsError):
        public_map_html([], [], [], day=__import__("datetime").date(2026, 11, 22),
                        tiles_url=None, asset_base_url="/a/", tiles_crs="mars")
