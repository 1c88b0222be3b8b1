"""The custody rules decide flags from plain values (no database)."""

from datetime import UTC, datetime, timedelta

import pytest
from geopy.distance import geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from custody.domain import rules
from custody.domain.errors import InvalidHandover
from custody.domain.model import (
    Action,
    AssetInfo,
    AssetKind,
    AssetState,
    Category,
    HandoverDraft,
    Point,
    Role,
)

T0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
BAG = AssetInfo("B00000001", AssetKind.BAG, Category.KITCHEN)
HAZ_BAG = AssetInfo("B00000002", AssetKind.BAG, Category.HAZARDOUS)
BIN = AssetInfo("N00000001", AssetKind.BIN, Category.KITCHEN)
CART = AssetInfo("V00000001", AssetKind.VEHICLE)
ROOM = AssetInfo("R00000001", AssetKind.TRANSFER_ROOM, location=Point(30.71, 120.81))
PLANT = AssetInfo("F00000001", AssetKind.FACILITY, location=Point(30.75, 120.75))


def flags(source, dest, *, action=None, point=None, source_state=None, dest_state=None,
          category=None, when=T0, max_speed=120.0):
    draft = HandoverDraft(source.asset_id, dest.asset_id, 1, Role.COLLECTOR, action=action,
                          point=point, category=category, device_time=when)
    return rules.evaluate(rules.RuleContext(
        draft, source, dest, source_state or AssetState(), dest_state or AssetState(),
        when, max_speed))


def test_a_normal_deposit_raises_no_flag():
    assert flags(BAG, BIN) == ()


def test_hazardous_bag_into_kitchen_bin_is_a_category_mismatch():
    assert flags(HAZ_BAG, BIN) == ("category_mismatch",)


def test_declared_category_disagreeing_with_the_bin_is_a_mismatch():
    assert "category_mismatch" in flags(BAG, BIN, category=Category.OTHER)


def test_bag_straight_into_a_facility_is_off_path():
    assert flags(BAG, PLANT) == ("off_path",)


def test_an_action_that_does_not_fit_the_kinds_is_off_path():
    assert flags(BAG, BIN, action=Action.DELIVER) == ("off_path",)


def test_a_vehicle_unloading_where_it_never_loaded_has_unknown_origin():
    assert flags(CART, ROOM) == ("unknown_origin",)
    assert flags(CART, ROOM, source_state=AssetState(holding=True)) == ()


def test_a_bag_seen_after_reaching_a_facility_is_after_terminal():
    assert flags(BAG, BIN, source_state=AssetState(reached_facility=True)) == ("after_terminal",)


def test_impossible_travel_uses_distance_over_elapsed_time():
    seen = AssetState(last_seen=T0, last_point=Point(30.90, 120.81, 10), holding=True)
    at_room = Point(30.71, 120.81, 10)  # about 21 km south of where the cart was seen
    assert "impossible_travel" in flags(CART, ROOM, point=at_room, source_state=seen,
                                        when=T0 + timedelta(minutes=5))
    assert "impossible_travel" not in flags(CART, ROOM, point=at_room, source_state=seen,
                                            when=T0 + timedelta(minutes=30))


def test_speed_limit_is_configurable():
    seen = AssetState(last_seen=T0, last_point=Point(30.90, 120.81), holding=True)
    at_room = Point(30.71, 120.81)
    later = T0 + timedelta(minutes=30)  # ~42 km/h
    assert "impossible_travel" not in flags(CART, ROOM, point=at_room, source_state=seen,
                                            when=later)
    assert "impossible_travel" in flags(CART, ROOM, point=at_room, source_state=seen,
                                        when=later, max_speed=30)


def test_gps_noise_within_accuracy_is_not_travel():
    seen = AssetState(last_seen=T0, last_point=Point(30.7100, 120.8100, 30), holding=True)
    near = Point(30.7105, 120.8105, 30)  # ~70 m, inside the two accuracies plus slack
    assert flags(CART, ROOM, point=near, source_state=seen, when=T0) == ()


def test_a_fixed_asset_scanned_far_from_its_registered_place_is_flagged():
    far_from_room = Point(31.20, 121.40)
    assert "impossible_travel" in flags(CART, ROOM, point=far_from_room,
                                        source_state=AssetState(holding=True))


def test_inspection_moves_nothing_and_is_not_off_path():
    assert flags(BAG, BIN, action=Action.INSPECT) == ()


@pytest.mark.parametrize("kwargs, message", [
    ({"weight_kg": -1}, "weight"),
    ({"photo_sha256": "xyz"}, "photo_sha256"),
    ({"device_time": datetime(2026, 1, 1)}, "time zone"),
    ({"note": "x" * 2001}, "note"),
])
def test_bad_drafts_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(InvalidHandover, match=message):
        HandoverDraft("B00000001", "N00000001", 1, Role.COLLECTOR, **kwargs)


def test_a_point_out_of_range_is_refused():
    with pytest.raises(InvalidHandover, match="out of range"):
        Point(91, 0)


@settings(max_examples=300, deadline=None)
@given(lat1=st.floats(-80, 80), lon1=st.floats(-177, 177), dlat=st.floats(-2, 2),
       dlon=st.floats(-2, 2), factor=st.floats(0.9, 1.1))
def test_the_quick_distance_bound_never_changes_the_geodesic_verdict(lat1, lon1, dlat, dlon,
                                                                     factor):
    a, b = Point(lat1, lon1), Point(max(-90, min(90, lat1 + dlat)), lon1 + dlon)
    exact = geodesic((a.lat, a.lon), (b.lat, b.lon)).meters
    assume(exact > 1.0)  # the rules' limits always include tens of metres of slack
    limit = exact * factor
    assert rules._farther_than(a, b, limit) == (exact > limit)
