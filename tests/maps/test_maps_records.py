"""The input records check themselves and cannot be changed after they are made."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

import pytest

from maps import CATEGORY_COLOURS, CATEGORY_LABELS, Flow, MapsError, Site, TracePoint, Trip


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


def test_four_categories_with_gb_t_19095_colours_and_bilingual_labels():
    assert list(CATEGORY_COLOURS) == ["kitchen", "recyclable", "hazardous", "other"]
    assert CATEGORY_LABELS["kitchen"][0] == "厨余垃圾"
    assert CATEGORY_LABELS["recyclable"][0] == "可回收物"
    assert CATEGORY_LABELS["hazardous"][0] == "有害垃圾"
    assert CATEGORY_LABELS["other"][0] == "其他垃圾"
    assert len(set(CATEGORY_COLOURS.values())) == 4
