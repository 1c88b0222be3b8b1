"""The demo district: built through the services, verifiable, deterministic for a seed."""

import hashlib
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import scanners
from custody.cli import cli
from custody.db import migrate
from custody.db.engine import Database
from custody.db.schema import Asset, Handover, Household, LedgerHead, ScanAttempt, Village
from custody.services import demo, ledger, rollups, tonnage
from custody.services.conversions import from_us
from custody.services.label_sheets import identity
from custody.services.photos import PhotoStore
from custody.services.rollups import REPORT_TZ

SMALL = demo.DemoSpec(villages=1, households=20, days=1, seed=1)


def head(db):
    with db.engine.connect() as conn:
        return tuple(conn.execute(select(LedgerHead.seq, LedgerHead.hash)).one())


def test_a_small_demo_builds_a_verifiable_ledger_with_rollups(db):
    seen = []
    report = demo.build(db, SMALL, progress=False,
                        photo_for=lambda draft, at: seen.append(draft))
    assert report.handovers > 20 and report.refused == 0
    assert len(seen) == SMALL.photos_per_day[0]  # 2 % of a tiny day, but at least a few
    assert report.photos == 0  # the hook recorded none: each draft was recorded plainly
    assert report.flags["category_mismatch"] >= 1
    assert set(report.flags) == {"category_mismatch"}  # the simulated days are otherwise clean
    assert ledger.verify(db).ok
    with db.read() as session:
        assert session.scalars(select(Village.name)).all() == ["凤桥村"]
        assert len(session.scalars(select(Household)).all()) == 20
        kinds = session.scalars(select(Asset.kind).where(Asset.kind != "bag")).all()
    assert sorted(set(kinds)) == ["bin", "booth", "facility", "transfer_room", "vehicle"]
    (kitchen,) = [r for r in tonnage.daily_tonnage(db, SMALL.start, SMALL.start, "district")
                  if r["category"] == "kitchen"]
    assert kitchen["deposited_kg"] > kitchen["collected_kg"] > kitchen["delivered_kg"] > 0
    assert all(not r["flagged"] for r in tonnage.mass_balance(db, SMALL.start, SMALL.start))


def test_the_same_seed_gives_the_same_ledger_photos_included(db, settings, tmp_path):
    spec = replace(SMALL, labels=False)
    assert demo.build(db, spec, settings=settings, progress=False).photos
    other = Database(f"sqlite:///{tmp_path / 'again.sqlite'}")
    migrate.upgrade(other)
    demo.build(other, spec, settings=replace(settings, data_dir=tmp_path / "again"),
               progress=False)
    assert head(other) == head(db)
    other.dispose()


def test_a_share_of_handovers_goes_through_the_photo_path(db, settings):
    spec = replace(SMALL, days=2, labels=False)
    report = demo.build(db, spec, settings=settings, progress=False)
    with db.read() as session:
        shot = session.execute(select(Handover.source_id, Handover.dest_id, Handover.action,
                                      Handover.photo_sha256, Handover.flags)
                               .where(Handover.photo_sha256.is_not(None))).all()
    assert len(shot) == report.photos == 2 * spec.photos_per_day[0]
    store, scheme = PhotoStore(settings.data_dir / "photos"), identity(settings)
    for source, dest, action, sha, flags in shot:
        photo = store.original_path(sha).read_bytes()
        assert hashlib.sha256(photo).hexdigest() == sha  # stored by content, like an upload
        read = {scheme.verify(d.text) for d in scanners.decode(photo)}
        assert read == {source, dest} and action
        assert "photo" not in (flags or "")  # the camera's EXIF time and place agree
        assert scanners.read_photo_metadata(photo).taken_at is not None
    with db.read() as session:
        attempts = session.execute(select(ScanAttempt.status, ScanAttempt.received_at,
                                          ScanAttempt.photo_sha256, Handover.server_time_us)
                                   .join(Handover, Handover.photo_sha256
                                         == ScanAttempt.photo_sha256, isouter=True)).all()
    # Every photo was an upload through the scan service, kept as an attempt with its answer,
    # at the simulated server time of its handover (a retaken photo leaves a refused attempt).
    recorded = [a for a in attempts if a.status == "recorded"]
    assert {a.photo_sha256 for a in recorded} == {sha for *_, sha, _ in shot}
    assert all(from_us(a.server_time_us) == a.received_at for a in recorded)
    assert {a.received_at.astimezone(REPORT_TZ).date() for a in attempts} <= {
        spec.start, spec.start + timedelta(1)}
    assert ledger.verify(db).ok


def test_the_photographed_share_has_bounds():
    from custody.services.demo_days import _photographed

    assert len(_photographed(SMALL, 0, 10)) == 3  # at least a few
    assert len(_photographed(SMALL, 0, 1000)) == 20  # 2 %
    assert len(_photographed(SMALL, 0, 30_000)) == 50  # a Nanhu-size day: not hours of photos
    assert _photographed(SMALL, 4, 1000) == _photographed(SMALL, 4, 1000)
    assert not _photographed(replace(SMALL, photo_share=0), 0, 1000)


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


def test_a_default_week_has_a_real_districts_category_shares(db):
    report = demo.build(db, demo.DemoSpec(), progress=False)
    assert report.handovers > 1000
    kg = Counter()
    for row in tonnage.daily_tonnage(db, date(2026, 1, 1), date(2026, 1, 7), "district"):
        kg[row["category"]] += row["collected_kg"]
    share = {c: kg[c] / sum(kg.values()) for c in kg}
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
    rollups.rebuild(db)
    assert tonnage.daily_tonnage(db, date(2025, 12, 31), date(2026, 1, 8), "booth") == before


def test_the_demo_and_rebuild_commands(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("CUSTODY_CODE_KEYS", "A:" + "11" * 32)
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    runner = CliRunner()
    result = runner.invoke(cli, [*base, "demo", "--villages", "1", "--households", "20",
                                 "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "1 villages, 20 households" in result.output
    assert "3 handovers through the photo path" in result.output
    assert "labels on 6 sheets" in result.output and "凤桥村-bag.pdf" in result.output
    assert (tmp_path / "data" / "labels" / "vehicle.pdf").exists()
    result = runner.invoke(cli, [*base, "rollups", "rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    result = runner.invoke(cli, [*base, "rollups", "tonnage", "--from", "2026-01-01", "--to",
                                 "2026-01-01", "--level", "village"])
    assert result.output.splitlines()[1].startswith("2026-01-01,village,凤桥村,凤桥村,")
