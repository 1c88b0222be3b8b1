"""Daily tonnage rollups: kept with each append, equal to a rebuild, read as plain rows."""

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from custody.config import Settings
from custody.db.schema import CorrectedWeight, DailyRollup
from custody.domain.model import Action, AssetKind, Category, HandoverDraft, Point, Role
from custody.services import assets, csv_export, handovers, rollup_rebuild, tonnage
from custody.services.assets import NewAsset
from tests.custody.conftest import BOOTH_AT, PLANT_AT, ROOM_AT

DAY = date(2026, 11, 2)


def rec(db, d, source, dest, when, *, actor=None, at=BOOTH_AT, **kw):
    draft = HandoverDraft(source, dest, actor or d.collector, Role.COLLECTOR, device_time=when,
                          point=Point(*at, 10), **kw)
    return handovers.record(db, draft, now=when + timedelta(seconds=30))


def bags(db, category, n=1):
    return assets.register(db, [NewAsset(AssetKind.BAG, category, village="凤桥村")] * n)


def one(rows, **match):
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def snapshot(db):
    with db.engine.connect() as conn:
        rows = conn.execute(select(DailyRollup.__table__).order_by(*DailyRollup.__table__.c)).all()
        fixed = conn.execute(select(CorrectedWeight.__table__).order_by(CorrectedWeight.seq)).all()
    return [tuple(r) for r in rows], [tuple(r) for r in fixed]


def walk(db, d, t0, *, kitchen_kg=(1.5, 2.0), bin_kg=3.6, room_out_kg=3.5, plant_kg=3.4):
    for bag, kg in zip(bags(db, Category.KITCHEN, len(kitchen_kg)), kitchen_kg, strict=True):
        rec(db, d, bag, d.kitchen_bin, t0, weight_kg=kg)
    rec(db, d, d.kitchen_bin, d.cart, t0 + timedelta(minutes=10), weight_kg=bin_kg)
    rec(db, d, d.cart, d.room, t0 + timedelta(minutes=30), at=ROOM_AT, weight_kg=bin_kg,
        category=Category.KITCHEN)
    rec(db, d, d.room, d.truck, t0 + timedelta(hours=1), at=ROOM_AT, actor=d.driver,
        weight_kg=room_out_kg, category=Category.KITCHEN)
    return rec(db, d, d.truck, d.plant, t0 + timedelta(hours=2), at=PLANT_AT, actor=d.driver,
               weight_kg=plant_kg, category=Category.KITCHEN)


def test_each_level_reads_its_measures(db, district, t0):
    walk(db, district, t0)
    booth = one(tonnage.daily_tonnage(db, DAY, DAY, "booth"), category="kitchen")
    assert (booth["node"], booth["deposited_kg"], booth["deposited_count"]) == (
        district.booth, 3.5, 2)
    assert (booth["collected_kg"], booth["collected_count"], booth["delivered_kg"]) == (3.6, 1, 0)
    assert booth["name"] == "凤桥村 1号亭"
    room = one(tonnage.daily_tonnage(db, DAY, DAY, "transfer_room"), category="kitchen")
    assert (room["node"], room["room_in_kg"], room["room_out_kg"]) == (district.room, 3.6, 3.5)
    plant = one(tonnage.daily_tonnage(db, DAY, DAY, "facility"), category="kitchen")
    assert (plant["node"], plant["delivered_kg"], plant["collected_kg"]) == (district.plant, 3.4, 0)
    village = one(tonnage.daily_tonnage(db, DAY, DAY, "village", "凤桥村"), category="kitchen")
    assert (village["collected_kg"], village["room_in_kg"], village["delivered_kg"]) == (
        3.6, 3.6, 0)
    whole = one(tonnage.daily_tonnage(db, DAY, DAY, "district"), category="kitchen")
    assert (whole["node"], whole["collected_kg"], whole["delivered_kg"]) == ("南湖区", 3.6, 3.4)
    assert tonnage.daily_tonnage(db, DAY + timedelta(days=1), DAY + timedelta(days=9),
                                 "district") == []


def test_the_day_is_the_local_date_in_shanghai(db, district):
    late = datetime(2026, 11, 2, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    k1, k2 = bags(db, Category.KITCHEN, 2)
    rec(db, district, k1, district.kitchen_bin, late, weight_kg=1.0)
    rec(db, district, k2, district.kitchen_bin, late + timedelta(seconds=1), weight_kg=2.0)
    rows = tonnage.daily_tonnage(db, date(2026, 11, 1), date(2026, 11, 4), "booth")
    assert [(r["day"], r["deposited_kg"]) for r in rows] == [(date(2026, 11, 2), 1.0),
                                                            (date(2026, 11, 3), 2.0)]


def test_without_a_device_time_the_server_time_decides_the_day(db, district):
    (bag,) = bags(db, Category.KITCHEN)
    draft = HandoverDraft(bag, district.kitchen_bin, district.collector, Role.COLLECTOR,
                          weight_kg=1.0)
    handovers.record(db, draft, now=datetime(2026, 11, 2, 16, 30, tzinfo=UTC))
    (row,) = tonnage.daily_tonnage(db, date(2026, 11, 1), date(2026, 11, 5), "district")
    assert row["day"] == date(2026, 11, 3)


def test_a_wrongly_sorted_bag_stays_its_own_category_in_the_bin_and_the_cart(
        db, district, t0):
    rec(db, district, district.hazardous_bag, district.kitchen_bin, t0, weight_kg=0.3)
    rec(db, district, district.kitchen_bin, district.cart, t0 + timedelta(minutes=5),
        weight_kg=0.3)
    rows = tonnage.daily_tonnage(db, DAY, DAY, "booth")
    assert one(rows, category="hazardous")["deposited_kg"] == 0.3
    assert one(rows, category="hazardous")["collected_kg"] == 0.3
    assert [r for r in rows if r["category"] == "kitchen"] == []


def test_a_correction_replaces_the_weight_and_category_it_corrects(db, district, t0):
    last = walk(db, district, t0)
    fixed = rec(db, district, district.truck, district.plant, t0 + timedelta(hours=3),
                at=PLANT_AT, actor=district.driver, weight_kg=3.45, corrects_seq=last.seq)
    plant = one(tonnage.daily_tonnage(db, DAY, DAY, "facility"), category="kitchen")
    assert (plant["delivered_kg"], plant["delivered_count"]) == (3.45, 1)
    rec(db, district, district.truck, district.plant, t0 + timedelta(hours=4), at=PLANT_AT,
        actor=district.driver, category=Category.OTHER, corrects_seq=fixed.seq)
    (plant,) = tonnage.daily_tonnage(db, DAY, DAY, "facility")
    assert (plant["category"], plant["delivered_kg"], plant["delivered_count"]) == (
        "other", 3.45, 1)
    incremental = snapshot(db)
    rollup_rebuild.rebuild(db)
    assert snapshot(db) == incremental


@pytest.mark.parametrize("cells", [200_000, 3])
def test_rebuilt_equals_incremental_after_a_realistic_mix(db, district, t0, monkeypatch, cells):
    monkeypatch.setattr(rollup_rebuild, "REBUILD_CELLS", cells)  # 3: written in many small parts
    d = district
    for day in range(3):
        start = t0 + timedelta(days=day, hours=day * 5)  # some days cross local midnight
        last = walk(db, d, start, kitchen_kg=(1.2 + day, 0.8, 2.2))
        rec(db, d, d.hazardous_bag if day == 0 else bags(db, Category.OTHER)[0], d.other_bin,
            start, weight_kg=0.7)
        rec(db, d, d.other_bin, d.room, start + timedelta(minutes=15), at=ROOM_AT,
            weight_kg=0.7)  # off path: a bin wheeled into the room
        (loose,) = bags(db, Category.RECYCLABLE)
        rec(db, d, loose, d.cart, start + timedelta(minutes=20), weight_kg=4.0)  # off path
        rec(db, d, d.room, d.room, start + timedelta(minutes=40), at=ROOM_AT,
            action=Action.INSPECT, weight_kg=9.0)
        rec(db, d, d.room, d.truck, start + timedelta(minutes=50), at=ROOM_AT, actor=d.driver)
        rec(db, d, d.truck, d.plant, start + timedelta(hours=3), at=PLANT_AT, actor=d.driver,
            weight_kg=4.5, corrects_seq=last.seq)
        rec(db, d, d.truck, d.plant, start + timedelta(hours=3), at=PLANT_AT, actor=d.driver,
            category=Category.OTHER, corrects_seq=last.seq - 1)  # corrects the room -> truck
    incremental = snapshot(db)
    assert len(incremental[0]) > 40 and len(incremental[1]) == 6
    assert rollup_rebuild.rebuild(db) == len(incremental[0])
    assert snapshot(db) == incremental


def test_mass_balance_flags_a_room_that_lost_more_than_the_tolerance(db, district, t0):
    walk(db, district, t0, bin_kg=10.0, room_out_kg=9.5)
    walk(db, district, t0 + timedelta(days=1), bin_kg=10.0, room_out_kg=8.0)
    rows = tonnage.mass_balance(db, DAY, DAY + timedelta(days=1), tolerance=0.1)
    assert [(r["day"], r["in_kg"], r["out_kg"], r["gap_kg"], r["flagged"]) for r in rows] == [
        (DAY, 10.0, 9.5, 0.5, False), (DAY + timedelta(days=1), 10.0, 8.0, 2.0, True)]
    assert tonnage.mass_balance(db, DAY, DAY, district.room, tolerance=0.01)[0]["flagged"]


def test_reports_are_written_as_csv(db, district, t0):
    walk(db, district, t0)
    out = io.StringIO()
    csv_export.write_csv(tonnage.daily_tonnage(db, DAY, DAY, "district"), out)
    header, line = out.getvalue().splitlines()
    assert header.startswith("day,level,node,name,category,deposited_kg,collected_kg")
    assert line.startswith("2026-11-02,district,南湖区,南湖区,kitchen,3.5,3.6")


def test_the_mass_balance_tolerance_is_a_setting(tmp_path):
    env = {"CUSTODY_MASS_BALANCE_TOLERANCE": "0.25", "CUSTODY_SECRET_KEY": "k" * 32}
    assert Settings.from_env(env, data_dir=tmp_path).mass_balance_tolerance == 0.25


def test_exports_stream_in_chunks_and_give_the_same_rows(db, district, t0):
    for day in range(3):  # three days of the normal path: 2 levels x 3 days x rows per chunk
        walk(db, district, t0 + timedelta(days=day))
    rows = tonnage.daily_tonnage(db, DAY, DAY + timedelta(days=2), "booth")
    streamed = tonnage.iter_daily_tonnage(db, DAY, DAY + timedelta(days=2), "booth", chunk=2)
    assert len(rows) > 2 and list(streamed) == rows
    assert rows[0]["name"] == "凤桥村 1号亭"  # names resolved across chunks
    out = io.StringIO()
    csv_export.write_csv(rows, out)
    chunks = list(csv_export.csv_lines(iter(rows), per_chunk=2))
    assert len(chunks) > 1 and "".join(chunks) == out.getvalue()
    assert out.getvalue().count("\n") == len(rows) + 1
    assert list(csv_export.csv_lines([])) == []


def derived(db):
    """Rollups, values in force, portions and contents: everything rebuild re-derives."""
    from custody.db.schema import ActivityRollup, AssetState, HandoverPortion, HouseholdMonth

    with db.engine.connect() as conn:
        portions = conn.execute(select(HandoverPortion.__table__).order_by(
            HandoverPortion.seq, HandoverPortion.category)).all()
        held = conn.execute(select(AssetState.asset_id, AssetState.contents, AssetState.holding)
                            .order_by(AssetState.asset_id)).all()
        work = [tuple(r) for r in conn.execute(select(ActivityRollup.__table__).order_by(
            *ActivityRollup.__table__.c))]
        months = [tuple(r) for r in conn.execute(select(HouseholdMonth.__table__).order_by(
            *HouseholdMonth.__table__.c))]
    return (snapshot(db), [tuple(p) for p in portions], [tuple(h) for h in held], work,
            months)


def test_rebuilt_equals_incremental_with_portions_contents_and_corrections(db, district, t0):
    d = district
    (kitchen_truck,) = assets.register(db, [NewAsset(AssetKind.VEHICLE, Category.KITCHEN,
                                                     name="kitchen truck")])
    k1, k2 = bags(db, Category.KITCHEN, 2)
    (o1,) = bags(db, Category.OTHER)
    rec(db, d, k1, d.kitchen_bin, t0, weight_kg=2.0)
    rec(db, d, d.hazardous_bag, d.kitchen_bin, t0, weight_kg=0.5)  # wrongly sorted
    rec(db, d, o1, d.other_bin, t0, weight_kg=3.0)
    rec(db, d, d.kitchen_bin, d.cart, t0 + timedelta(minutes=10), weight_kg=5.0)  # split
    rec(db, d, d.other_bin, d.cart, t0 + timedelta(minutes=12))  # carried
    rec(db, d, d.cart, d.room, t0 + timedelta(minutes=30), at=ROOM_AT)
    rec(db, d, d.room, kitchen_truck, t0 + timedelta(hours=1), at=ROOM_AT, actor=d.driver)
    kitchen = rec(db, d, kitchen_truck, d.plant, t0 + timedelta(hours=2), at=PLANT_AT,
                  actor=d.driver)
    rec(db, d, d.room, d.truck, t0 + timedelta(hours=1, minutes=30), at=ROOM_AT,
        actor=d.driver)  # the other truck (no category) clears the rest
    rec(db, d, d.truck, d.plant, t0 + timedelta(hours=3), at=PLANT_AT, actor=d.driver,
        weight_kg=3.4)
    rec(db, d, kitchen_truck, d.plant, t0 + timedelta(hours=2, minutes=5), at=PLANT_AT,
        actor=d.driver, weight_kg=4.2, corrects_seq=kitchen.seq)  # the weighbridge weight
    rec(db, d, k2, d.kitchen_bin, t0 + timedelta(hours=4), weight_kg=1.0)  # a new fill
    rec(db, d, d.kitchen_bag, d.kitchen_bin, t0 + timedelta(days=1), weight_kg=1.0)  # household
    keeper = assets.add_actor(db, "keeper", Role.BOOTH_KEEPER)
    handovers.record(db, HandoverDraft(d.other_bin, d.other_bin, keeper, Role.BOOTH_KEEPER,
                                       action=Action.INSPECT, category=Category.KITCHEN,
                                       device_time=t0 + timedelta(days=1, hours=1), note="厨余"),
                     now=t0 + timedelta(days=1, hours=1))
    plant = tonnage.daily_tonnage(db, DAY, DAY, "facility")
    assert {r["category"]: r["delivered_kg"] for r in plant} == {
        "kitchen": 4.2, "hazardous": 0.85, "other": 2.55}  # 3.4 split as 1.0 : 3.0 held
    room = one(tonnage.daily_tonnage(db, DAY, DAY, "transfer_room"), category="kitchen")
    assert (room["room_in_kg"], room["room_out_kg"]) == (4.0, 4.0)  # 5.0 split 4.0 : 1.0
    incremental = derived(db)
    assert len(incremental[1]) == 17
    measures = Counter()
    for r in incremental[3]:
        measures[(r[1], r[3])] += r[5]
    assert measures[(d.booth, "deposit")] == 5 and measures[(d.booth, "deposit_mismatch")] == 1
    assert measures[(d.booth, "keeper_mismatch")] == 1 and measures[(d.room, "room_clear")] == 2
    assert [r[3] for r in incremental[4]] == [0b100, 0b10]  # days 3 and 2 of November
    held = {asset_id: (text, holding) for asset_id, text, holding in incremental[2]}
    assert held[d.kitchen_bin] == ("kitchen:2000", True)  # k2 and the household's bag
    assert held[d.cart] == (None, False) and held[d.room] == (None, False)
    rollup_rebuild.rebuild(db)
    assert derived(db) == incremental
