"""The demo district: built through the services, verifiable, deterministic for a seed."""

import hashlib
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import scanners
from custody import demo
from custody.cli import cli
from custody.db import migrate
from custody.db.engine import Database
from custody.db.schema import (
    Actor,
    Asset,
    Handover,
    Household,
    LedgerHead,
    ScanAttempt,
    Village,
)
from custody.services import ledger, rollup_rebuild, tonnage
from custody.services.conversions import from_us
from custody.services.label_sheets import identity
from custody.services.photos import PhotoStore
from custody.services.rollups import REPORT_TZ

SMALL = demo.DemoSpec(villages=1, households=20, days=1, seed=1)
# What each action's phone page sends, and who does it (custody/web/phone.py, policy table).
WEIGHED = {"deposit": True, "collect": True, "unload": False, "load": False, "inspect": False}
ROLE_OF = {"deposit": {"booth_keeper"}, "collect": {"collector"}, "unload": {"collector"},
           "load": {"driver"}, "deliver": {"driver", "facility_operator"},
           "inspect": {"booth_keeper"}}  # the village's inspector, on the keepers' page


def head(db):
    with db.engine.connect() as conn:
        return tuple(conn.execute(select(LedgerHead.seq, LedgerHead.hash)).one())


def test_a_small_demo_sends_what_the_phones_send(db, settings):
    report = demo.build(db, replace(SMALL, labels=False), settings=settings, progress=False)
    assert report.handovers > 20 and report.refused == 0
    assert report.double_sends == SMALL.double_sends and report.replays == SMALL.replays
    # bags in the wrong bin, double sends: nothing else is wrong on a simulated day
    assert set(report.flags) <= {"category_mismatch", "reused_photo", "repeat_scan"}
    assert ledger.verify(db).ok
    with db.read() as session:
        rows = session.execute(select(Handover.action, Handover.category, Handover.weight_g,
                                      Actor.role, Handover.photo_sha256)
                               .join(Actor, Actor.id == Handover.actor_id)).all()
        attempts = session.execute(select(ScanAttempt.status, ScanAttempt.action)).all()
        assert session.scalars(select(Village.name)).all() == ["凤桥村"]
        assert len(session.scalars(select(Household)).all()) == 20
        kinds = session.scalars(select(Asset.kind).where(Asset.kind != "bag")).all()
    assert sorted(set(kinds)) == ["bin", "booth", "facility", "transfer_room", "vehicle"]
    clearances = [r for r in rows if r.action == "load"]  # every room clearance is photographed
    assert clearances and all(r.photo_sha256 for r in clearances)
    # and 2 % of a tiny day, but at least a few, of the rest
    assert SMALL.photos_per_day[0] <= report.photos <= SMALL.photos_per_day[0] + len(clearances)
    assert {r.action for r in rows} == set(ROLE_OF)
    for action, category, weight_g, role, _photo in rows:
        assert category is None  # no phone page makes anyone pick one
        assert role in ROLE_OF[action], (action, role)
        if action in WEIGHED:
            assert (weight_g is not None) == WEIGHED[action], action
        else:  # the driver has no scale, the weighbridge operator must enter the net weight
            assert (weight_g is not None) == (role == "facility_operator")
    # every upload left its scan attempt; the replays left none more; the double sends
    # (the same photo again) are kept as evidence and append nothing
    statuses = Counter(a.status for a in attempts)
    assert statuses == {"recorded": report.scans - report.replays - report.double_sends,
                        "repeat_scan": report.double_sends}
    assert statuses["recorded"] == len(rows) and report.double_sends == 2  # one record each
    assert len([r for r in rows if r.photo_sha256]) >= report.photos


def test_a_week_balances_per_category_and_counts_each_event_once(db, settings):
    spec = demo.DemoSpec(villages=2, households=160, days=7, seed=5, labels=False)
    report = demo.build(db, spec, settings=settings, progress=False)
    assert report.refused == 0 and ledger.verify(db).ok
    assert report.double_sends == 7 * spec.double_sends and report.replays == 7 * spec.replays
    assert report.flags["reused_photo"] >= report.double_sends  # kept as evidence
    first, last = spec.start, spec.start + timedelta(days=spec.days - 1)
    kg, count = Counter(), Counter()
    for level, measure in (("booth", "deposited"), ("booth", "collected"),
                           ("transfer_room", "room_in"), ("transfer_room", "room_out"),
                           ("facility", "delivered")):
        for row in tonnage.daily_tonnage(db, first, last, level):
            kg[measure, row["category"]] += row[f"{measure}_kg"]
            count[measure] += row[f"{measure}_count"]
    for category in ("kitchen", "other", "recyclable", "hazardous"):
        booths, rooms, plants = (kg[m, category] for m in ("collected", "room_in", "delivered"))
        assert booths > 0, category
        assert kg["deposited", category] == pytest.approx(report.truth["deposited"][category],
                                                          abs=0.05)
        assert booths == pytest.approx(report.truth["collected"][category], rel=1e-3)
        assert rooms == pytest.approx(booths, rel=1e-3), category  # carts unload all they hold
        assert kg["room_out", category] == pytest.approx(rooms, rel=0.1), category
        assert plants == pytest.approx(report.truth["delivered"][category], abs=0.05)
        assert abs(plants - rooms) <= 0.1 * rooms, category  # the mass-balance tolerance
    assert not [r for r in tonnage.mass_balance(db, first, last) if r["flagged"]]
    # each physical event once: double sends and replays added nothing, and the weighbridge
    # operator's scan confirmed the driver's delivery (a correction) rather than adding one
    assert count["deposited"] == report.events["deposit"]
    with db.read() as session:
        records = Counter(session.execute(select(Handover.record_kind, Handover.action)).all())
        repeats = session.scalar(select(func.count()).select_from(ScanAttempt)
                                 .where(ScanAttempt.status == "repeat_scan"))
    assert records == {("handover", a): n for a, n in report.events.items()} | {
        ("correction", "deliver"): report.events["deliver"]}
    assert repeats == report.repeats == report.double_sends


def test_the_same_seed_gives_the_same_ledger_photos_included(db, settings, tmp_path):
    spec = replace(SMALL, labels=False)
    assert demo.build(db, spec, settings=settings, progress=False).photos
    other = Database(f"sqlite:///{tmp_path / 'again.sqlite'}")
    migrate.upgrade(other)
    demo.build(other, spec, settings=replace(settings, data_dir=tmp_path / "again"),
               progress=False)
    assert head(other) == head(db)
    other.dispose()


def test_a_share_of_scans_goes_through_the_photo_path(db, settings):
    spec = replace(SMALL, days=2, labels=False)
    report = demo.build(db, spec, settings=settings, progress=False)
    with db.read() as session:
        shot = session.execute(select(Handover.source_id, Handover.dest_id, Handover.action,
                                      Handover.photo_sha256, Handover.flags)
                               .where(Handover.photo_sha256.is_not(None))).all()
    assert len({sha for *_, sha, _ in shot}) == report.photos >= 2 * spec.photos_per_day[0]
    assert len(shot) == report.photos  # a double send of one appended nothing
    assert report.repeats == report.double_sends == 2 * spec.double_sends
    store, scheme = PhotoStore(settings.data_dir / "photos"), identity(settings)
    for source, dest, action, sha, flags in shot:
        photo = store.original_path(sha).read_bytes()
        assert hashlib.sha256(photo).hexdigest() == sha  # stored by content, like an upload
        read = {scheme.verify(d.text) for d in scanners.decode(photo)}
        assert read == {source, dest} and action
        assert "photo_" not in (flags or "")  # the camera's EXIF time and place agree
        assert scanners.read_photo_metadata(photo).taken_at is not None
    with db.read() as session:
        attempts = session.execute(select(ScanAttempt.status, ScanAttempt.received_at,
                                          ScanAttempt.photo_sha256)).all()
        recorded_at = dict(session.execute(select(Handover.photo_sha256,
                                                  func.min(Handover.server_time_us))
                                           .group_by(Handover.photo_sha256)).all())
    # Every photo was an upload through the scan service, kept as an attempt with its answer,
    # at the simulated server time of its handover (a retaken photo leaves a refused attempt).
    recorded = [a for a in attempts if a.status == "recorded" and a.photo_sha256]
    assert {a.photo_sha256 for a in recorded} == {sha for *_, sha, _ in shot}
    assert all(from_us(recorded_at[a.photo_sha256]) <= a.received_at for a in recorded)
    assert {a.received_at.astimezone(REPORT_TZ).date() for a in attempts} <= {
        spec.start, spec.start + timedelta(1)}
    assert ledger.verify(db).ok


def test_the_photographed_share_has_bounds():
    shot = demo.photographed_today
    assert len(shot(SMALL, 0, 10)) == 3  # at least a few
    assert len(shot(SMALL, 0, 1000)) == 20  # 2 %
    assert len(shot(SMALL, 0, 30_000)) == 50  # a Nanhu-size day: not hours of photos
    assert shot(SMALL, 4, 1000) == shot(SMALL, 4, 1000)
    assert not shot(replace(SMALL, photo_share=0), 0, 1000)


def test_the_demo_prints_its_label_sheets(db, settings):
    spec = replace(SMALL, photo_share=0)
    report = demo.build(db, spec, settings=settings, progress=False)
    folder = demo.label_folder(settings)
    names = {s.path.name for s in report.sheets}
    assert names == {f"凤桥村-{k}.pdf" for k in ("booth", "bin", "transfer_room", "bag")} | {
        "vehicle.pdf", "facility.pdf"}
    assert all((folder / n).stat().st_size > 1000 for n in names)
    with db.read() as session:
        bags = set(session.scalars(select(Asset.asset_id).where(Asset.kind == "bag")))
    (bag_sheet,) = [s for s in report.sheets if s.path.name.endswith("-bag.pdf")]
    assert bag_sheet.labels == len(bags)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    page = subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1",
                           str(bag_sheet.path)], capture_output=True, check=True).stdout
    printed = {identity(settings).verify(d.text) for d in scanners.decode(page)}
    assert len(printed) == min(24, len(bags)) and printed <= bags  # A4: 3 x 8 labels


# The shares are the simulation's, not the database's: one backend is enough (68 s on PostgreSQL).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_default_week_has_a_real_districts_category_shares(db):
    spec = demo.DemoSpec()
    report = demo.build(db, spec, progress=False)
    assert report.handovers > 1000 and report.refused == 0
    share = demo.collected_shares(db, spec)
    assert 0.50 <= share["kitchen"] <= 0.60
    assert 0.25 <= share["other"] <= 0.35
    assert 0.07 <= share["recyclable"] <= 0.14
    assert 0 < share["hazardous"] < 0.01


def test_a_week_rebuilds_to_the_same_rollups(db):
    spec = demo.DemoSpec(villages=2, households=24, days=7, seed=3, link_households=False)
    demo.build(db, spec, progress=False)
    before = tonnage.daily_tonnage(db, date(2025, 12, 31), date(2026, 1, 8), "booth")
    hazardous = [r for r in before if r["category"] == "hazardous" and r["collected_count"]]
    assert hazardous and {r["day"] for r in hazardous} == {date(2026, 1, 7)}  # weekly
    rollup_rebuild.rebuild(db)
    assert tonnage.daily_tonnage(db, date(2025, 12, 31), date(2026, 1, 8), "booth") == before


def test_the_demo_and_rebuild_commands(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("CUSTODY_CODE_KEYS", "A:" + "11" * 32)
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    runner = CliRunner()
    result = runner.invoke(cli, [*base, "demo", "--villages", "1", "--households", "20",
                                 "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "1 villages, 20 households" in result.output
    assert int(re.search(r"(\d+) scans through the photo path", result.output)[1]) >= 3
    assert "2 double sends (same photo, new key), 3 queue replays (same key)" in result.output
    assert "collected by category: kitchen" in result.output
    assert "labels on 6 sheets" in result.output and "凤桥村-bag.pdf" in result.output
    assert (tmp_path / "data" / "labels" / "vehicle.pdf").exists()
    result = runner.invoke(cli, [*base, "rollups", "rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    result = runner.invoke(cli, [*base, "rollups", "tonnage", "--from", "2026-01-01", "--to",
                                 "2026-01-01", "--level", "village"])
    assert result.output.splitlines()[1].startswith("2026-01-01,village,凤桥村,凤桥村,")


def test_a_stand_in_reads_as_a_photo_of_the_same_labels(settings):
    import random as random_module

    import labels
    from custody.demo import camera
    from custody.demo.days import FieldScan
    from custody.demo.phone import DemoPhones, read_stand_in
    from custody.domain.model import Action, Point, Role

    scheme = identity(settings)
    phones = DemoPhones(None, scheme, demo.DemoReport(1, 1, 1), None)
    taken = datetime(2026, 1, 1, 8, 30, tzinfo=REPORT_TZ)
    point = Point(30.75, 120.8, 10.0)
    scan = FieldScan(510, Action.DEPOSIT, "B00000001", "N00000002", 1, Role.BOOTH_KEEPER,
                     (30.75, 120.8), 1.2)
    artwork = [labels.LabelData(scheme.make_code(a), a, k, "kitchen", "凤桥村")
               for a, k in (("B00000001", "bag"), ("N00000002", "bin"))]
    photo = scanners.read_photo(camera.photograph(artwork, random_module.Random(1), taken,
                                                  point))
    stand_in = read_stand_in(phones._stand_in(scan, taken, point))
    assert {c.text for c in stand_in.codes} == {c.text for c in photo.codes}
    assert stand_in.metadata.taken_at == photo.metadata.taken_at == taken
    assert stand_in.metadata.latitude == pytest.approx(photo.metadata.latitude, abs=1e-6)
    assert stand_in.metadata.longitude == pytest.approx(photo.metadata.longitude, abs=1e-6)
    with pytest.raises(scanners.NotAnImage):  # a real upload is never read as a stand-in
        read_stand_in(b"\xff\xd8\xff\xe0 a JPEG")


def test_the_ledger_mode_appends_the_same_phone_shaped_days_in_bulk(db):
    spec = demo.DemoSpec(villages=1, households=60, days=3, seed=2, through="ledger")
    report = demo.build(db, spec, progress=False)
    assert report.refused == report.repeats == report.replays == report.double_sends == 0
    assert set(report.flags) <= {"category_mismatch"} and ledger.verify(db).ok
    with db.read() as session:
        records = Counter(session.execute(select(Handover.record_kind, Handover.action)).all())
        assert not session.scalar(select(func.count()).select_from(ScanAttempt))
        assert not session.scalar(select(func.count()).select_from(Handover)
                                  .where(Handover.category.is_not(None)))
    assert records == {("handover", a): n for a, n in report.events.items()} | {
        ("correction", "deliver"): report.events["deliver"]}  # confirmed at the weighbridge
    delivered = Counter()
    for row in tonnage.daily_tonnage(db, spec.start, spec.start + timedelta(days=2), "facility"):
        delivered[row["category"]] += row["delivered_kg"]
    assert delivered == pytest.approx(dict(report.truth["delivered"]), abs=0.05)


def test_the_demo_inspectors_rounds_fill_the_assessment(db, settings, people):
    """Each village's inspector (督导员) checks its booths in the morning through the scan
    service, as the keepers' phone page sends it: the demo's assessment ranks them, and the
    villages' inspections per booth are counted, as a supervisor sees on the page."""
    from types import SimpleNamespace

    from custody.web import create_app
    from tests.custody.test_phone import HTML, sign_in

    spec = demo.DemoSpec(villages=2, households=300, days=7, seed=2, photo_share=0,
                         labels=False, start=date(2026, 1, 5))  # a Monday: a whole week
    report = demo.build(db, spec, settings=settings, progress=False)
    assert report.refused == 0 and report.events["inspect"] > 0
    with db.read() as session:
        rows = session.execute(select(Handover.source_id, Handover.dest_id, Handover.role,
                                      Handover.note, Handover.weight_g, Handover.flags)
                               .where(Handover.action == "inspect")).all()
    assert len(rows) == report.events["inspect"]
    assert all(s == d and role == "booth_keeper" and w is None
               for s, d, role, _n, w, _f in rows)
    assert any(note and "桶里有" in note for *_, note, _w, _f in rows)  # a wrong bag noted
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    client = app.test_client()
    found = client.get("/api/v1/assessment?period=week&date=2026-01-07&level=inspector",
                       headers=people["supervisor"]["auth"]).get_json()
    assert found["recorded"] and len(found["rows"]) == spec.villages
    assert all(0.5 <= r["rate"] <= 1 and r["rank"] for r in found["rows"])
    villages = client.get("/api/v1/assessment?period=week&date=2026-01-07",
                          headers=people["supervisor"]["auth"]).get_json()["rows"]
    assert all(0.5 <= v["inspection"] <= 1 for v in villages)
    sign_in(client, people["supervisor"])
    text = client.get("/supervise/assessment?period=week&date=2026-01-07",
                      headers=HTML).get_data(as_text=True)
    inspectors = text[text.index('id="inspectors"'):text.index('id="definitions"')]
    assert all(r["name"] in inspectors for r in found["rows"])
    assert "本期没有任何记录" not in inspectors
