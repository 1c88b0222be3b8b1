"""The raw-cursor fast path against SQLAlchemy's execution layer, statement by statement.

    python benchmarks/statements.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

``custody.db.prepared.Prepared`` runs a statement written with SQLAlchemy on the
driver's cursor, skipping SQLAlchemy's execution and result layers. It is kept
only where this table shows the difference matters: for each statement of the
services it prints the CPU microseconds a call costs both ways (and for the
tonnage read, per row of a year of booth rollups). A scan costs the web worker
about 8 ms of CPU (``benchmarks/scan_path.py``), so a few tens of µs per scan is
under 1 %.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import drop_database, fresh_database, print_table  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from custody.db.engine import Database  # noqa: E402
from custody.db.prepared import Prepared  # noqa: E402
from custody.db.repositories import accounts as account_reads  # noqa: E402
from custody.db.repositories import ledger as ledger_reads  # noqa: E402
from custody.db.repositories import rollups as rollup_reads  # noqa: E402
from custody.db.schema import DailyRollup  # noqa: E402
from custody.domain.model import AssetKind, Category, HandoverDraft, Point, Role  # noqa: E402
from custody.services import assets, devices, handovers, rollups  # noqa: E402
from custody.services.assets import NewAsset  # noqa: E402

CALLS = 2000
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def cpu_us(fn, n: int = CALLS) -> float:
    """CPU microseconds per call of ``fn`` (after a warm-up)."""
    for _ in range(50):
        fn()
    started = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - started) / n * 1e6


def small_district(db: Database) -> dict:
    """Twenty bags deposited into a bin that was then collected, and a phone."""
    bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN)] * 20)
    (bin_,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN)])
    (cart,) = assets.register(db, [NewAsset(AssetKind.VEHICLE)])
    actor = assets.add_actor(db, "bench", Role.COLLECTOR)
    for i, bag in enumerate(bags):
        handovers.record(db, HandoverDraft(bag, bin_, actor, Role.COLLECTOR,
                                           device_time=T0 + timedelta(seconds=i),
                                           point=Point(30.7, 120.8, 10), weight_kg=1))
    handovers.record(db, HandoverDraft(bin_, cart, actor, Role.COLLECTOR,
                                       device_time=T0 + timedelta(minutes=5)))
    device_id, _token = devices.issue_device_token(db, actor, "bench phone")
    return {"bag": bags[0], "bin": bin_, "device_id": device_id}


def a_year_of_rollups(db: Database, booths: int = 30) -> int:
    """Rollup cells of a year at booth level: booths x 365 days x 4 categories."""
    cats = [c.value for c in Category][:4]
    rows = [{"level": "booth", "day": date(2026, 1, 1) + timedelta(days=d), "node_id": f"S{b:08d}",
             "category": c, "measure": "deposited", "grams": 1000 + d, "count": 3}
            for b in range(booths) for d in range(365) for c in cats]
    with db.write_engine.begin() as conn:
        conn.execute(insert(DailyRollup), rows)
    return len(rows)


def measure(kind: str, db: Database) -> list[tuple[str, str, str, str]]:
    """Rows of the table for one database."""
    found = small_district(db)
    cases = {
        "device token holder (every phone request)":
            (account_reads._TOKEN_HOLDER, {"device_id": found["device_id"]}),
        "custody walk step (scan of a bag seen before)":
            (ledger_reads._NEXT_OUT, {"asset": found["bag"], "after": -1}),
        "place of one asset (corrections, rebuild)":
            (rollup_reads._ONE_PLACE, {"id": found["bin"]}),
    }
    rows = []
    with db.engine.connect() as conn:
        for what, (stmt, params) in cases.items():
            raw = Prepared(stmt)
            fast = cpu_us(lambda raw=raw, params=params: raw.execute(conn, params))
            core = cpu_us(lambda stmt=stmt, params=params: conn.execute(stmt, params).all())
            rows.append((kind, f"{what}: raw cursor / SQLAlchemy, µs",
                         f"{fast:.1f} / {core:.1f}", f"+{core - fast:.1f} µs"))
    cells = a_year_of_rollups(db)
    as_text = db.is_sqlite
    params = {"level": "booth", "node": None,
              "day_from": "2026-01-01" if as_text else date(2026, 1, 1),
              "day_to": "2026-12-31" if as_text else date(2026, 12, 31)}
    tonnage_read = rollup_reads._tonnage(rollups.MEASURES, one_node=False)
    stmt = tonnage_read.statement
    with db.engine.connect() as conn:
        def raw_read() -> None:
            for _ in tonnage_read.stream(conn, params):
                pass

        def core_read() -> None:  # SQLAlchemy takes and gives dates on both databases
            for _ in conn.execute(stmt.execution_options(yield_per=5000),
                                  {**params, "day_from": date(2026, 1, 1),
                                   "day_to": date(2026, 12, 31)}):
                pass

        fast, core = cpu_us(raw_read, 5), cpu_us(core_read, 5)
    rows.append((kind, f"tonnage read of a year, {cells:,} cells: raw cursor / SQLAlchemy, ms",
                 f"{fast / 1000:.1f} / {core / 1000:.1f}", f"x{core / fast:.2f}"))
    return rows


def main() -> None:
    """Measure on SQLite and, with --pg, PostgreSQL; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ["sqlite"] + (["postgresql"] if args.pg else []):
            db = fresh_database(kind, args.pg, Path(tmp), f"statements_{os.getpid()}")
            try:
                rows += measure(kind, db)
            finally:
                db.dispose()
                if kind == "postgresql":
                    drop_database(args.pg, f"statements_{os.getpid()}")
    print_table(rows)


if __name__ == "__main__":
    main()
