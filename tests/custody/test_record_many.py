"""A batch of drafts in one transaction records exactly what one transaction per draft would."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from custody.db import migrate, prepared
from custody.db.engine import Database
from custody.db.prepared import ARRAYS_FROM
from custody.db.repositories import assets as asset_repository
from custody.db.schema import AssetState, CorrectedWeight, DailyRollup, Handover
from custody.domain.errors import DomainError
from custody.domain.model import Action, Category, HandoverDraft, Point, Role
from custody.services import handovers, ledger
from tests.custody.conftest import BOOTH_AT, PLANT_AT, ROOM_AT, register_district


def mixed_drafts(d, t0):
    """A day with every kind of record: normal path, flags, refusals, corrections, re-scans."""
    minutes = iter(range(0, 10_000, 7))

    def draft(source, dest, at, *, actor=None, role=Role.COLLECTOR, **kw):
        when = t0 + timedelta(minutes=next(minutes))
        return HandoverDraft(source, dest, actor or d.collector, role, device_time=when,
                             point=Point(*at, 8) if at else None, **kw), when

    return [
        draft(d.kitchen_bag, d.kitchen_bin, BOOTH_AT, weight_kg=1.5),
        draft(d.hazardous_bag, d.kitchen_bin, BOOTH_AT, weight_kg=0.4),  # category_mismatch
        draft(d.kitchen_bag, "B99999999", BOOTH_AT),  # unknown asset: refused
        draft(d.kitchen_bin, d.cart, BOOTH_AT, weight_kg=1.9),
        draft(d.other_bin, d.cart, None),  # unknown_origin, no GPS
        draft(d.kitchen_bin, d.kitchen_bin, BOOTH_AT, action=Action.INSPECT),
        draft(d.cart, d.room, ROOM_AT, weight_kg=1.9),
        draft(d.kitchen_bin, d.cart, BOOTH_AT, actor=999),  # unknown actor: refused
        draft(d.room, d.truck, ROOM_AT, actor=d.driver, role=Role.DRIVER, weight_kg=1.8),
        draft(d.truck, d.plant, PLANT_AT, actor=d.driver, role=Role.DRIVER, weight_kg=840.0),
        draft(d.kitchen_bag, d.other_bin, (31.2, 121.4)),  # after_terminal, impossible_travel
        draft(d.truck, d.plant, PLANT_AT, actor=d.driver, role=Role.DRIVER, weight_kg=830.0,
              corrects_seq=9, note="weighbridge re-read"),
        draft(d.truck, d.plant, PLANT_AT, actor=d.driver, role=Role.DRIVER,
              category=Category.KITCHEN, corrects_seq=12),  # a correction of a correction
        draft(d.room, d.truck, ROOM_AT, actor=d.driver, role=Role.DRIVER, corrects_seq=500),
        draft(d.other_bin, d.cart, BOOTH_AT, weight_kg=3.0),
    ]


def dump(db):
    """Every derived and ledger row, comparable across databases."""
    with db.read() as s:
        return {
            "handovers": [tuple(r) for r in s.execute(
                select(*Handover.__table__.columns).order_by(Handover.seq))],
            "states": [tuple(r) for r in s.execute(
                select(*AssetState.__table__.columns).order_by(AssetState.asset_id))],
            "rollups": sorted(tuple(str(v) for v in r) for r in s.execute(
                select(*[c for c in DailyRollup.__table__.columns if c.name != "id"]))),
            "corrected": [tuple(r) for r in s.execute(
                select(*CorrectedWeight.__table__.columns).order_by(CorrectedWeight.seq))],
        }


def outcome(result):
    if isinstance(result, DomainError):
        return type(result).__name__
    return (result.seq, result.hash, result.action, result.flags)


@pytest.mark.parametrize(("few_ids", "arrays_from"),
                         [(asset_repository.FEW_IDS, ARRAYS_FROM), (0, 1)])
def test_a_batch_records_what_one_transaction_per_draft_records(db, district, t0, tmp_path,
                                                                 monkeypatch, few_ids,
                                                                 arrays_from):
    monkeypatch.setattr(asset_repository, "FEW_IDS", few_ids)  # 0: every read through the id table
    monkeypatch.setattr(prepared, "ARRAYS_FROM", arrays_from)  # 1: every write by arrays
    drafts = mixed_drafts(district, t0)
    batch = handovers.record_many(db, [d for d, _ in drafts], times=[w for _, w in drafts])

    alone = Database(f"sqlite:///{tmp_path / 'one-by-one.sqlite'}")
    migrate.upgrade(alone)
    assert register_district(alone) == district
    one_by_one = []
    for draft, when in drafts:
        try:
            one_by_one.append(handovers.record(alone, draft, now=when))
        except DomainError as exc:
            one_by_one.append(exc)

    assert [outcome(r) for r in batch] == [outcome(r) for r in one_by_one]
    assert [outcome(r) for r in batch].count("UnknownAsset") == 1
    assert "InvalidHandover" in [outcome(r) for r in batch]
    flags = {f for r in batch if not isinstance(r, DomainError) for f in r.flags}
    assert {"category_mismatch", "unknown_origin", "after_terminal",
            "impossible_travel"} <= flags
    assert dump(db) == dump(alone)
    assert ledger.verify(db).ok and ledger.verify(alone).ok
    alone.dispose()


def test_a_refused_draft_in_a_batch_leaves_nothing_and_the_rest_is_recorded(db, district, t0):
    good = HandoverDraft(district.kitchen_bag, district.kitchen_bin, district.collector,
                         Role.COLLECTOR, device_time=t0, weight_kg=1.0)
    bad = HandoverDraft(district.kitchen_bag, district.kitchen_bin, 4242, Role.COLLECTOR,
                        device_time=t0)
    results = handovers.record_many(db, [bad, good, bad])
    assert [type(r).__name__ for r in results] == ["UnknownActor", "RecordedHandover",
                                                     "UnknownActor"]
    assert results[1].seq == 1
    assert len(dump(db)["handovers"]) == 1
