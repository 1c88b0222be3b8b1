"""Offline: pages load only vendored assets from the app, and every one of them exists."""

from __future__ import annotations

import re
from datetime import date, datetime

import folium
import pytest

from maps import STATIC_DIR, TracePoint, asset_files, public_map_html, trace_map_html

ASSET_BASE_URL = "/static/maps/"
TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
ATTRIBUTION_LINK = "https://www.openstreetmap.org/copyright"

_EXTERNAL = re.compile(r"https?://[^\s\"'<>()\\]+")
_LOCAL_REF = re.compile(r"(?:src|href)=\"(/static/maps/[^\"]+)\"")
_CSS_URL = re.compile(r"url\(([^)#]+)\)")


@pytest.fixture(params=["public", "trace"])
def page(request, small_day, map_options) -> str:
    """Each kind of map page."""
    if request.param == "public":
        return public_map_html(*small_day, day=date(2026, 11, 22), **map_options)
    points = [
        TracePoint(30.75, 120.78, datetime(2026, 11, 22, 7), "投放亭 B1"),
        TracePoint(30.80, 120.70, datetime(2026, 11, 22, 9), "处理中心"),
    ]
    return trace_map_html(points, **map_options)


def test_page_references_no_url_but_the_tiles_and_their_attribution(page):
    assert set(_EXTERNAL.findall(page)) == {TILES_URL, ATTRIBUTION_LINK}


def test_every_referenced_asset_is_vendored(page):
    refs = _LOCAL_REF.findall(page)
    assert any(r.endswith("leaflet.js") for r in refs)
    assert any(r.endswith("leaflet.css") for r in refs)
    for ref in refs:
        assert (STATIC_DIR / ref.removeprefix(ASSET_BASE_URL)).is_file(), ref


def test_no_cdn_library_folium_would_add_by_default(page):
    for name in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons"):
        assert name not in page.lower()


def test_asset_base_url_without_trailing_slash_works(small_day, map_options):
    html = public_map_html(
        *small_day, day=date(2026, 11, 22), **{**map_options, "asset_base_url": "/assets/maps"}
    )
    assert 'src="/assets/maps/leaflet/leaflet.js"' in html


def test_images_the_stylesheets_use_are_vendored():
    for css in (p for p in asset_files() if p.endswith(".css")):
        folder = (STATIC_DIR / css).parent
        for url in _CSS_URL.findall((STATIC_DIR / css).read_text()):
            assert (folder / url.strip("'\"")).is_file(), (css, url)


def test_asset_files_lists_the_static_dir_with_licences():
    files = asset_files()
    assert "leaflet/leaflet.js" in files and "leaflet/leaflet.css" in files
    assert "leaflet/LICENSE" in files
    assert "custody-maps.css" in files
    assert all((STATIC_DIR / f).is_file() for f in files)
    assert sum((STATIC_DIR / f).stat().st_size for f in files) < 250_000


def test_maps_do_not_change_folium_defaults_for_other_maps(small_day, map_options):
    public_map_html(*small_day, day=date(2026, 11, 22), **map_options)
    assert any("cdn" in url for _, url in folium.Map.default_js)
