"""The vendored scripts and styles the generated maps load, served by the app itself.

folium points every map at CDN copies of Leaflet, jQuery, Bootstrap and Font Awesome.
Our maps use only Leaflet and our own stylesheet, so each map instance is pointed at
copies under `STATIC_DIR`, reached through the app's `asset_base_url`.

Vendored, unmodified, from `npm pack leaflet@1.9.4` (dist/): leaflet.js, leaflet.css and the
three images leaflet.css refers to; BSD-2-Clause, licence kept in static/leaflet/LICENSE.
static/custody-maps.css and static/custody-maps.js are ours.
"""

from __future__ import annotations

from pathlib import Path

import folium

STATIC_DIR: Path = Path(__file__).resolve().parent / "static"

# (folium resource name, path under STATIC_DIR); names match folium's so nothing re-adds CDN links.
MAP_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("leaflet", "leaflet/leaflet.js"),
    ("custody_maps_js", "custody-maps.js"),
)
MAP_STYLES: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "leaflet/leaflet.css"),
    ("custody_maps_css", "custody-maps.css"),
)


def asset_files() -> list[str]:
    """Every file under STATIC_DIR (scripts, styles, images, licences) as sorted POSIX paths."""
    return sorted(
        p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()
    )


def asset_url(asset_base_url: str, path: str) -> str:
    """The URL of one asset below asset_base_url."""
    return asset_base_url.rstrip("/") + "/" + path


def use_local_assets(folium_map: folium.Map, asset_base_url: str) -> None:
    """Point this map instance (not folium's class defaults) at the vendored assets."""
    folium_map.default_js = [(name, asset_url(asset_base_url, path)) for name, path in MAP_SCRIPTS]
    folium_map.default_css = [(name, asset_url(asset_base_url, path)) for name, path in MAP_STYLES]
