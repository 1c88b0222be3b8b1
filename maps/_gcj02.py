"""WGS-84 to GCJ-02, for drawing on Chinese tiles that use GCJ-02 (AutoNavi/Gaode, Tencent).

Phones report WGS-84 (as does CGCS2000 to within centimetres, the datum of Tianditu);
maps published in mainland China under the GCJ-02 rule are shifted from it by a few
hundred metres. Stored coordinates stay WGS-84: only what is drawn on GCJ-02 tiles is
shifted, at the moment the page is built.

No PyPI package for this is maintained (eviltransform 2018, coord-convert 2019, pygcj 2020:
all abandoned), so this is the widely published formula (Krasovsky 1940 ellipsoid, the
"on4wp7" / eviltransform series), checked in tests/maps/test_maps_tiles.py against the
reference points eviltransform publishes (Shanghai, Shenzhen, Beijing) to within 1 m.
Outside mainland China's bounding box no shift applies (as every GCJ-02 service does).
"""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(lat: float, lon: float) -> bool:
    """True outside the rough box where GCJ-02 applies (no shift there)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    """The latitude part of the published shift polynomial (x, y: lon-105, lat-35)."""
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return ret


def _shift_lon(x: float, y: float) -> float:
    """The longitude part of the published shift polynomial."""
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 position at which a WGS-84 (lat, lon) appears on GCJ-02 tiles."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 position shown at a GCJ-02 (lat, lon), by iteration (to about 1 cm)."""
    wgs_lat, wgs_lon = lat, lon
    for _ in range(30):
        got_lat, got_lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
        d_lat, d_lon = got_lat - lat, got_lon - lon
        wgs_lat, wgs_lon = wgs_lat - d_lat, wgs_lon - d_lon
        if abs(d_lat) < 1e-9 and abs(d_lon) < 1e-9:
            break
    return wgs_lat, wgs_lon
