"""Tile providers and the coordinate system their tiles are drawn in.

Positions reach the maps in WGS-84 (as phones and the register store them). A provider
whose tiles are in WGS-84 or CGCS2000 (OpenStreetMap, Tianditu) takes them as they are;
one in GCJ-02 (AutoNavi/Gaode) needs them shifted for display (``maps._gcj02``), else every
marker lands a few hundred metres off. Without any tiles the map still draws everything
but the background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from maps._errors import MapsError
from maps._gcj02 import wgs84_to_gcj02

TILE_CRS: tuple[str, ...] = ("wgs84", "cgcs2000", "gcj02")


def check_crs(crs: str) -> None:
    """Raise MapsError unless crs is one the maps can draw on."""
    if crs not in TILE_CRS:
        raise MapsError(f"unknown tile coordinate system {crs!r}; expected one of {TILE_CRS}")


@dataclass(frozen=True)
class TileProvider:
    """A tile URL template, its attribution, coordinate system and subdomains."""

    url: str
    attribution: str
    crs: str = "wgs84"
    subdomains: str = "abc"

    def __post_init__(self) -> None:
        """Refuse an unknown coordinate system or a provider without attribution."""
        check_crs(self.crs)
        if not self.attribution:
            raise MapsError("a tile provider needs its attribution")


# Known providers; Tianditu needs a key (``tk``) from tianditu.gov.cn in the URL.
TILE_PROVIDERS: dict[str, TileProvider] = {
    "osm": TileProvider("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                        '&copy; <a href="https://www.openstreetmap.org/copyright">'
                        "OpenStreetMap</a>", "wgs84"),
    "tianditu": TileProvider("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}"
                             "&l={z}&tk={key}", "&copy; 天地图 Tianditu", "cgcs2000",
                             "01234567"),
    "amap": TileProvider("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1"
                         "&scale=1&style=8&x={x}&y={y}&z={z}", "&copy; 高德地图 AutoNavi",
                         "gcj02", "1234"),
}


def display_position(crs: str) -> Callable[[float, float], tuple[float, float]]:
    """The function that turns a stored WGS-84 (lat, lon) into where it is drawn on crs tiles."""
    check_crs(crs)
    if crs == "gcj02":
        return wgs84_to_gcj02
    return lambda lat, lon: (lat, lon)  # CGCS2000 and WGS-84 agree to centimetres
