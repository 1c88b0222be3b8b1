"""The contents rules (custody.domain.contents): what a move carries and what it leaves."""

from custody.domain.contents import (
    Portion,
    carry,
    confirms,
    corrected,
    decode,
    encode,
    repeats,
    split,
)
from custody.domain.model import Action, AssetInfo, AssetKind, Category, Role

K, H, O = Category.KITCHEN, Category.HAZARDOUS, Category.OTHER  # noqa: E741  (K, H, O read as the categories)
BAG_K = AssetInfo("B00000001", AssetKind.BAG, K)
BIN_K = AssetInfo("N00000001", AssetKind.BIN, K)
CART = AssetInfo("V00000001", AssetKind.VEHICLE)
KITCHEN_TRUCK = AssetInfo("V00000002", AssetKind.VEHICLE, K)
ROOM = AssetInfo("R00000001", AssetKind.TRANSFER_ROOM)
PLANT = AssetInfo("F00000001", AssetKind.FACILITY)


def move(source, dest, held=None, into=None, *, action=None, declared=None, weight_g=None):
    return carry(action=action, source=source, dest=dest, source_contents=held,
                 dest_contents=into, declared=declared, weight_g=weight_g)


def test_a_bag_gives_its_own_category_and_weight_into_the_bin():
    c = move(BAG_K, BIN_K, into={"kitchen": 1000}, weight_g=1500)
    assert c.portions == (Portion("kitchen", 1500),)
    assert c.source_after is None and c.dest_after == {"kitchen": 2500} and c.flags == ()


def test_a_move_with_no_category_carries_the_contents_and_empties_the_source():
    c = move(CART, ROOM, {"kitchen": 3000, "other": 500}, {"other": 100})
    assert c.portions == (Portion("kitchen", 3000, True), Portion("other", 500, True))
    assert c.source_after == {} and c.dest_after == {"kitchen": 3000, "other": 600}


def test_a_measured_total_is_split_in_proportion_and_marked_estimated():
    c = move(BIN_K, CART, {"kitchen": 3500, "hazardous": 500}, weight_g=4400)
    assert c.portions == (Portion("hazardous", 550, True), Portion("kitchen", 3850, True))
    assert split(1000, {"kitchen": 1, "other": 1, "hazardous": 1}) == (
        Portion("hazardous", 333, True), Portion("kitchen", 333, True),
        Portion("other", 334, True))  # the rounding gram goes to one part, the sum is exact
    assert split(1000, {"kitchen": 0, "other": 0}) == (Portion("kitchen", 500, True),
                                                       Portion("other", 500, True))


def test_one_category_measured_is_not_estimated():
    assert move(BIN_K, CART, {"kitchen": 0}, weight_g=12000).portions == (
        Portion("kitchen", 12000),)


def test_a_category_truck_takes_only_its_category_from_the_room():
    c = move(ROOM, KITCHEN_TRUCK, {"kitchen": 5000, "hazardous": 300}, action=Action.LOAD)
    assert c.portions == (Portion("kitchen", 5000, True),)
    assert c.source_after == {"hazardous": 300} and c.flags == ()
    cart = move(ROOM, CART, {"kitchen": 5000, "hazardous": 300}, action=Action.LOAD)
    assert {p.category for p in cart.portions} == {"kitchen", "hazardous"}
    assert cart.source_after == {} and cart.flags == ()  # a village cart takes everything


def test_a_mixed_load_on_a_category_vehicle_is_flagged():
    c = move(BIN_K, KITCHEN_TRUCK, {"kitchen": 3000, "hazardous": 300}, action=Action.COLLECT)
    assert c.flags == ("mixed_load",)


def test_a_declared_category_that_contradicts_the_contents_is_a_flag_not_a_change():
    c = move(CART, ROOM, {"kitchen": 3000}, declared="other", action=Action.UNLOAD)
    assert c.portions == (Portion("kitchen", 3000, True),) and c.flags == (
        "category_mismatch",)
    assert move(CART, ROOM, {"kitchen": 3000}, declared="kitchen").flags == ()


def test_nothing_recorded_went_in_falls_back_to_the_declared_then_the_registered_category():
    assert move(CART, PLANT, {}, declared="other", weight_g=900).portions == (
        Portion("other", 900),)
    assert move(BIN_K, CART, None).portions == (Portion("kitchen", 0),)
    assert move(ROOM, KITCHEN_TRUCK, {}).portions == (Portion("kitchen", 0),)
    assert move(CART, PLANT, {}).portions == (Portion("other", 0),)
    none_of_its_kind = move(ROOM, KITCHEN_TRUCK, {"other": 400})
    assert none_of_its_kind.portions == (Portion("kitchen", 0),)
    assert none_of_its_kind.flags == ("category_mismatch",)
    assert none_of_its_kind.source_after == {"other": 400}


def test_an_inspection_moves_nothing():
    c = move(ROOM, ROOM, {"kitchen": 10}, {"kitchen": 10}, action=Action.INSPECT)
    assert c.portions == () and c.source_after == {"kitchen": 10}


def test_corrections_change_what_a_record_counts():
    two = (Portion("kitchen", 3000, True), Portion("other", 1000, True))
    assert corrected(two, None, None) == two
    assert corrected(two, 2000, None) == (Portion("kitchen", 1500, True),
                                          Portion("other", 500, True))
    assert corrected(two, None, "other") == (Portion("other", 4000, True),)
    assert corrected(two, 3900, "kitchen") == (Portion("kitchen", 3900),)
    assert corrected((Portion("kitchen", 5350, True),), 5200, None) == (
        Portion("kitchen", 5200),)  # the weighbridge weighs the one category carried


def test_repeats_and_weighbridge_confirmations():
    assert repeats("N00000001", "N00000001") and not repeats(None, "N00000001")
    assert not repeats("N00000002", "N00000001")
    assert confirms(Action.DELIVER, Role.FACILITY_OPERATOR, 5200, False)
    assert not confirms(Action.DELIVER, Role.FACILITY_OPERATOR, 5200, True)  # weighed already
    assert not confirms(Action.DELIVER, Role.DRIVER, 5200, False)
    assert not confirms(Action.DELIVER, Role.FACILITY_OPERATOR, None, False)


def test_contents_are_stored_as_short_text():
    assert encode({"other": 0, "kitchen": 3500}) == "kitchen:3500,other:0"
    assert decode("kitchen:3500,other:0") == {"kitchen": 3500, "other": 0}
    assert encode({}) is None and decode(None) == {}
