"""The demo district: built through the services, verifiable, deterministic for a seed."""

from collections import Counter
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from custody.cli import cli
from custody.db import migrate
from custody.db.engine import Database
from custody.db.schema import Asset, Household, LedgerHead, Village
from custody.services import demo, ledger, rollups

SMALL = demo.DemoSpec(villages=1, households=20, days=1, seed=1)


def head(db):
    with db.engine.connect() as conn:
        return tuple(conn.execute(select(LedgerHead.seq, LedgerHead.hash)).one())


def test_a_small_demo_builds_a_verifiable_ledger_with_rollups(db):
    seen = []
    report = demo.build(db, SMALL, progress=False,
                        photo_for=lambda draft: seen.append(draft) or draft)
    assert report.handovers > 20 and report.refused == 0
    assert len(seen) == report.handovers  # every draft went through the hook (no corrections)
    assert report.flags["category_mismatch"] >= 1
    assert set(report.flags) == {"category_mismatch"}  # the simulated days are otherwise clean
    assert ledger.verify(db).ok
    with db.read() as session:
        assert session.scalars(select(Village.name)).all() == ["凤桥村"]
        assert len(session.scalars(select(Household)).all()) == 20
        kinds = session.scalars(select(Asset.kind).where(Asset.kind != "bag")).all()
    assert sorted(set(kinds)) == ["bin", "booth", "facility", "transfer_room", "vehicle"]
    (kitchen,) = [r for r in rollups.daily_tonnage(db, SMALL.start, SMALL.start, "district")
                  if r["category"] == "kitchen"]
    assert kitchen["deposited_kg"] > kitchen["collected_kg"] > kitchen["delivered_kg"] > 0
    assert all(not r["flagged"] for r in rollups.mass_balance(db, SMALL.start, SMALL.start))


def test_the_same_seed_gives_the_same_ledger(db, tmp_path):
    demo.build(db, SMALL, progress=False)
    other = Database(f"sqlite:///{tmp_path / 'again.sqlite'}")
    migrate.upgrade(other)
    demo.build(other, SMALL, progress=False)
    assert head(other) == head(db)
    other.dispose()


def test_a_week_rebuilds_to_the_same_rollups(db):
    spec = demo.DemoSpec(villages=2, households=24, days=7, seed=3, link_households=False)
    demo.build(db, spec, progress=False)
    before = rollups.daily_tonnage(db, date(2025, 12, 31), date(2026, 1, 8), "booth")
    hazardous = [r for r in before if r["category"] == "hazardous" and r["collected_count"]]
    assert hazardous and {r["day"] for r in hazardous} == {date(2026, 1, 7)}  # weekly
    rollups.rebuild(db)
    assert rollups.daily_tonnage(db, date(2025, 12, 31), date(2026, 1, 8), "booth") == before


def test_a_default_week_has_a_real_districts_category_shares(db):
    report = demo.build(db, demo.DemoSpec(), progress=False)
    assert report.handovers > 1000
    kg = Counter()
    for row in rollups.daily_tonnage(db, date(2026, 1, 1), date(2026, 1, 7), "district"):
        kg[row["category"]] += row["collected_kg"]
    share = {c: kg[c] / sum(kg.values()) for c in kg}
    assert 0.50 <= share["kitchen"] <= 0.60
    assert 0.25 <= share["other"] <= 0.35
    assert 0.07 <= share["recyclable"] <= 0.14
    assert 0 < share["hazardous"] < 0.01


def test_the_demo_and_rebuild_commands(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("CUSTODY_CODE_KEYS", "A:" + "11" * 32)
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    runner = CliRunner()
    result = runner.invoke(cli, [*base, "demo", "--villages", "1", "--households", "20",
                                 "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "1 villages, 20 households" in result.output
    result = runner.invoke(cli, [*base, "rollups", "rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    result = runner.invoke(cli, [*base, "rollups", "tonnage", "--from", "2026-01-01", "--to",
                                 "2026-01-01", "--level", "village"])
    assert result.output.splitlines()[1].startswith("2026-01-01,village,凤桥村,凤桥村,")
