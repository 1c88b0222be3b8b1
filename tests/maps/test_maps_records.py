"""The input records check themselves and cannot be changed after they are made."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

import pytest

import vocabulary
from maps import CATEGORIES, Flow, MapsError, MapText, Site, TracePoint, Trip


def test_site_kind_category_position_and_weight_are_checked():
    with pytest.raises(MapsError):
        Site("H1", "household", "a home", 30.7, 120.7)
    with pytest.raises(MapsError):
        Site("B1", "booth", "x", 95.0, 120.7)
    with pytest.raises(MapsError):
        Site("B1", "booth", "x", 30.7, 120.7, {"glass": 1.0})
    with pytest.raises(MapsError):
        Site("B1", "booth", "x", 30.7, 120.7, {"kitchen": -1.0})
    with pytest.raises(MapsError):
        Flow("B1", "R1", "kitchen", math.nan)
    with pytest.raises(MapsError):
        Trip("V1", [(30.7, 200.0, datetime(2026, 1, 1))])
    with pytest.raises(MapsError):
        TracePoint(math.inf, 120.7, datetime(2026, 1, 1), "x")


def test_records_are_frozen_including_their_tonnage_and_points():
    tonnage = {"kitchen": 1.0}
    site = Site("B1", "booth", "x", 30.7, 120.7, tonnage)
    tonnage["kitchen"] = 99.0
    assert site.tonnage_kg["kitchen"] == 1.0
    with pytest.raises(TypeError):
        site.tonnage_kg["kitchen"] = 2.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.name = "y"  # type: ignore[misc]
    trip = Trip("V1", [(30.7, 120.7, datetime(2026, 1, 1))])
    assert isinstance(trip.points, tuple)
    assert hash(site) == hash(Site("B1", "booth", "x", 30.7, 120.7, {"kitchen": 5.0}))


def test_the_four_categories_and_their_palette_come_from_the_vocabulary():
    assert CATEGORIES == ("kitchen", "recyclable", "hazardous", "other")
    text = MapText()
    assert dict(text.colours) == vocabulary.category_colours()
    assert text.categories["kitchen"] == vocabulary.CATEGORIES["kitchen"].en
