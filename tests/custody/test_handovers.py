"""Recording handovers through the service layer, on every database."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from custody.db.schema import Handover
from custody.domain.errors import InvalidHandover, UnknownActor, UnknownAsset
from custody.domain.model import Action, Category, HandoverDraft, Point, Role
from custody.services import handovers, ledger, whereabouts
from tests.custody.conftest import BOOTH_AT, PLANT_AT, ROOM_AT


def record(db, d, source, dest, when, *, actor=None, point=None, **kw):
    draft = HandoverDraft(source, dest, actor or d.collector, Role.COLLECTOR, device_time=when,
                          point=Point(*point, 10) if point else None, **kw)
    return handovers.record(db, draft, now=when)


def walk_normal_path(db, d, t0):
    record(db, d, d.kitchen_bag, d.kitchen_bin, t0, point=BOOTH_AT, weight_kg=1.5)
    record(db, d, d.kitchen_bin, d.cart, t0 + timedelta(minutes=10), point=BOOTH_AT)
    record(db, d, d.cart, d.room, t0 + timedelta(minutes=30), point=ROOM_AT)
    record(db, d, d.room, d.truck, t0 + timedelta(hours=2), point=ROOM_AT, actor=d.driver)
    return record(db, d, d.truck, d.plant, t0 + timedelta(hours=3), point=PLANT_AT,
                  actor=d.driver, weight_kg=840.0)


def count(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Handover))


def test_the_normal_path_records_five_unflagged_handovers(db, district, t0):
    last = walk_normal_path(db, district, t0)
    assert last.seq == 5 and last.action == "deliver" and last.flags == ()
    assert ledger.verify(db).ok


def test_where_follows_a_bags_waste_to_the_facility(db, district, t0):
    walk_normal_path(db, district, t0)
    found = whereabouts.where(db, district.kitchen_bag)
    assert found.container == district.plant and found.reached_facility
    assert [h["action"] for h in found.path] == ["deposit", "collect", "unload", "load",
                                                 "deliver"]
    assert [h["seq"] for h in found.history] == [1]


def test_where_a_bag_is_before_it_reaches_a_facility(db, district, t0):
    record(db, district, district.kitchen_bag, district.kitchen_bin, t0, point=BOOTH_AT)
    record(db, district, district.kitchen_bin, district.cart, t0 + timedelta(minutes=5),
           point=BOOTH_AT)
    found = whereabouts.where(db, district.kitchen_bag)
    assert found.container == district.cart and not found.reached_facility


def test_a_bag_seen_after_its_waste_reached_a_facility_is_flagged(db, district, t0):
    walk_normal_path(db, district, t0)
    again = record(db, district, district.kitchen_bag, district.kitchen_bin,
                   t0 + timedelta(hours=5), point=BOOTH_AT)
    assert "after_terminal" in again.flags


def test_a_hazardous_bag_in_a_kitchen_bin_is_recorded_with_a_flag(db, district, t0):
    result = record(db, district, district.hazardous_bag, district.kitchen_bin, t0,
                    point=BOOTH_AT)
    assert result.flags == ("category_mismatch",)
    assert count(db) == 1


def test_a_vehicle_unloading_where_it_never_loaded_is_flagged(db, district, t0):
    result = record(db, district, district.cart, district.room, t0, point=ROOM_AT)
    assert result.flags == ("unknown_origin",)


def test_a_code_seen_too_far_too_soon_is_impossible_travel(db, district, t0):
    record(db, district, district.kitchen_bin, district.cart, t0, point=(30.95, 120.80))
    result = record(db, district, district.cart, district.room, t0 + timedelta(minutes=2),
                    point=ROOM_AT)
    assert "impossible_travel" in result.flags


def test_unknown_assets_and_actors_are_refused_and_store_nothing(db, district, t0):
    record(db, district, district.kitchen_bag, district.kitchen_bin, t0)
    with pytest.raises(UnknownAsset, match="B00009999"):
        record(db, district, "B00009999", district.kitchen_bin, t0)
    with pytest.raises(UnknownActor):
        record(db, district, district.kitchen_bin, district.cart, t0, actor=999)
    assert count(db) == 1 and ledger.verify(db).ok


def test_a_correction_is_a_new_record_pointing_at_the_old_one(db, district, t0):
    first = record(db, district, district.kitchen_bag, district.kitchen_bin, t0, weight_kg=15)
    fix = record(db, district, district.kitchen_bag, district.kitchen_bin, t0, weight_kg=1.5,
                 corrects_seq=first.seq, note="scale read 15 instead of 1.5")
    with db.read() as s:
        rows = s.scalars(select(Handover).order_by(Handover.seq)).all()
    assert [(r.seq, r.record_kind, r.weight_g, r.corrects_seq) for r in rows] == [
        (1, "handover", 15000, None), (2, "correction", 1500, 1)]
    assert fix.flags == ()
    with pytest.raises(InvalidHandover, match="does not exist"):
        record(db, district, district.kitchen_bag, district.kitchen_bin, t0, corrects_seq=42)


def test_every_field_is_kept_exactly(db, district, t0):
    record(db, district, district.kitchen_bag, district.kitchen_bin, t0,
           point=(30.1234567, 120.7654321), weight_kg=2.345, category=Category.KITCHEN,
           action=Action.DEPOSIT, note="南湖 | note with a separator",
           photo_sha256="ab" * 32)
    (h,) = whereabouts.where(db, district.kitchen_bag).history
    assert (h["lat"], h["lon"], h["accuracy_m"]) == (30.1234567, 120.7654321, 10.0)
    assert h["weight_kg"] == 2.345 and h["category"] == "kitchen"
    assert h["device_time"] == "2026-11-02T07:00:00Z"
    assert h["note"] == "南湖 | note with a separator" and h["photo_sha256"] == "ab" * 32
    assert ledger.verify(db).ok


def test_append_all_writes_the_callers_statement_with_the_records_in_one_transaction(
        db, district, t0):
    d = district
    drafts = [HandoverDraft(d.kitchen_bag, d.kitchen_bin, d.collector, Role.COLLECTOR,
                            device_time=t0, point=Point(*BOOTH_AT, 10)),
              HandoverDraft(d.hazardous_bag, d.other_bin, d.collector, Role.COLLECTOR,
                            device_time=t0, point=Point(*BOOTH_AT, 10))]
    seen = []
    with db.write_engine.begin() as conn:
        recorded, extra = handovers.append_all(
            conn, drafts, now=t0, alongside=lambda records: seen.append(records) or "sent")
    assert extra == "sent" and seen == [recorded] and [r.seq for r in recorded] == [1, 2]
    assert count(db) == 2 and ledger.verify(db).ok

    def fail(records):
        raise RuntimeError("the caller's statement failed")

    with pytest.raises(RuntimeError), db.write_engine.begin() as conn:
        handovers.append_all(conn, drafts, now=t0 + timedelta(minutes=1), alongside=fail)
    assert count(db) == 2 and ledger.verify(db).ok  # the records went with it
