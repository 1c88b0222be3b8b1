"""Plain input records for the maps: sites, flows between them, truck trips, trace points.

The maps take places and amounts only; households never reach this package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from maps._errors import MapsError
from maps._text import CATEGORIES, SITE_KINDS


def _check_position(lat: float, lon: float) -> None:
    """Raise MapsError unless (lat, lon) is a finite WGS84 position."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise MapsError(f"invalid position ({lat!r}, {lon!r})")


def _check_category(category: str) -> None:
    """Raise MapsError unless category is one of the four."""
    if category not in CATEGORIES:
        raise MapsError(f"unknown category {category!r}; expected one of {CATEGORIES}")


def _check_kg(kg: float) -> None:
    """Raise MapsError unless kg is a finite, non-negative weight."""
    if not (math.isfinite(kg) and kg >= 0):
        raise MapsError(f"invalid weight {kg!r} kg")


@dataclass(frozen=True)
class SitePhoto:
    """A public (EXIF-free) photo taken at a site, e.g. a transfer room at clearance."""

    url: str
    caption: str = ""


@dataclass(frozen=True)
class Site:
    """A fixed place on the map (booth, transfer room or facility) and the day's tonnage there.

    ``tonnage_kg`` is what came in on the day, ``out_kg`` what left; ``photos`` are public
    copies only; ``merged`` marks a site that stands for several small booths.
    """

    id: str
    kind: str
    name: str
    lat: float
    lon: float
    tonnage_kg: Mapping[str, float] = field(default_factory=dict, hash=False)
    out_kg: Mapping[str, float] = field(default_factory=dict, hash=False)
    photos: Sequence[SitePhoto] = field(default=(), hash=False)
    merged: bool = False

    def __post_init__(self) -> None:
        """Validate the record and freeze its tonnage mappings and photos."""
        if self.kind not in SITE_KINDS:
            raise MapsError(f"unknown site kind {self.kind!r}; expected one of {SITE_KINDS}")
        _check_position(self.lat, self.lon)
        for amounts in (self.tonnage_kg, self.out_kg):
            for category, kg in amounts.items():
                _check_category(category)
                _check_kg(kg)
        object.__setattr__(self, "tonnage_kg", MappingProxyType(dict(self.tonnage_kg)))
        object.__setattr__(self, "out_kg", MappingProxyType(dict(self.out_kg)))
        object.__setattr__(self, "photos", tuple(self.photos))


@dataclass(frozen=True)
class Flow:
    """Kilograms of one category moved from one site to another on the day."""

    from_site_id: str
    to_site_id: str
    category: str
    kg: float

    def __post_init__(self) -> None:
        """Validate the record."""
        _check_category(self.category)
        _check_kg(self.kg)


@dataclass(frozen=True)
class Trip:
    """One vehicle's track for the day as (lat, lon, time) points in driving order."""

    vehicle_id: str
    points: Sequence[tuple[float, float, datetime]] = field(default=(), hash=False)

    def __post_init__(self) -> None:
        """Validate the points and freeze them as a tuple."""
        points = tuple((float(lat), float(lon), time) for lat, lon, time in self.points)
        for lat, lon, _ in points:
            _check_position(lat, lon)
        object.__setattr__(self, "points", points)


@dataclass(frozen=True)
class TracePoint:
    """One place where a traced asset was seen, with when and a human label."""

    lat: float
    lon: float
    time: datetime
    label: str

    def __post_init__(self) -> None:
        """Validate the record."""
        _check_position(self.lat, self.lon)
