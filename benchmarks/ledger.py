"""Ledger throughput: handovers/s through the service layer, and verify records/s.

    python benchmarks/ledger.py [--handovers 3000] [--verify-records 1000000]
                                [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints a table. The verify run bulk-loads a correctly chained ledger of the
requested size (hashes computed by the real encoder) and then times
``custody.services.ledger.verify`` over it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_database, print_table  # noqa: E402
from sqlalchemy import text  # noqa: E402

from custody.db.engine import Database  # noqa: E402
from custody.domain.ledger import GENESIS_HASH, LEDGER_FIELDS, record_hash  # noqa: E402
from custody.domain.model import AssetKind, Category, HandoverDraft, Point, Role  # noqa: E402
from custody.services import assets, handovers, ledger  # noqa: E402
from custody.services.assets import NewAsset  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def bench_handovers(db: Database, n: int) -> float:
    """Handovers/s, one transaction each, over a realistic mix of bags, bins and carts."""
    bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN)] * n)
    bins = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN)] * 50)
    (cart,) = assets.register(db, [NewAsset(AssetKind.VEHICLE)])
    actor = assets.add_actor(db, "bench", Role.COLLECTOR)
    drafts = []
    for i, bag in enumerate(bags):
        b = bins[i % len(bins)]
        when = T0 + timedelta(seconds=i)
        drafts.append(HandoverDraft(bag, b, actor, Role.COLLECTOR, device_time=when,
                                    point=Point(30.7, 120.8, 10), weight_kg=1.2))
        if i % 20 == 19:  # a bin is emptied into the cart now and then
            drafts.append(HandoverDraft(b, cart, actor, Role.COLLECTOR, device_time=when,
                                        point=Point(30.7, 120.8, 10)))
    start = time.perf_counter()
    for draft in drafts:
        handovers.record(db, draft)
    return len(drafts) / (time.perf_counter() - start)


def bench_clients(db: Database, n: int, clients: int) -> float:
    """Handovers/s from concurrent clients, one transaction each (the app's write path)."""
    bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN)] * n)
    bins = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN)] * 50)
    actor = assets.add_actor(db, f"bench-{clients}", Role.COLLECTOR)
    start_line = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        start_line.wait()
        for i in range(k, n, clients):
            draft = HandoverDraft(bags[i], bins[i % len(bins)], actor, Role.COLLECTOR,
                                  device_time=T0 + timedelta(seconds=i),
                                  point=Point(30.7, 120.8, 10), weight_kg=1.2)
            handovers.record(db, draft)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - start)


def bulk_chain(db: Database, n: int) -> None:
    """Append n correctly chained records fast, bypassing the rules (benchmark only)."""
    (bag,) = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN)])
    (bin_,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN)])
    actor = assets.add_actor(db, "bulk", Role.COLLECTOR)
    cols = ", ".join(LEDGER_FIELDS) + ", hash"
    marks = ", ".join([":" + c for c in LEDGER_FIELDS] + [":hash"])
    stmt = text(f"INSERT INTO handovers ({cols}) VALUES ({marks})")
    prev = GENESIS_HASH
    base_us = int(T0.timestamp() * 1_000_000)
    batch = []
    with db.engine.begin() as conn:
        for seq in range(1, n + 1):
            row = {"seq": seq, "prev_hash": prev, "record_kind": "handover",
                   "action": "deposit", "source_id": bag, "dest_id": bin_, "actor_id": actor,
                   "role": "collector", "device_time_us": base_us + seq * 1000,
                   "server_time_us": base_us + seq * 1000 + 7, "lat_e7": 307000000 + seq % 997,
                   "lon_e7": 1208000000, "accuracy_cm": 1000, "photo_sha256": None,
                   "weight_g": 1200 + seq % 300, "category": "kitchen", "flags": None,
                   "corrects_seq": None, "note": None}
            row["hash"] = prev = record_hash([row[f] for f in LEDGER_FIELDS])
            batch.append(row)
            if len(batch) == 10_000:
                conn.execute(stmt, batch)
                batch = []
        if batch:
            conn.execute(stmt, batch)
        conn.execute(text("UPDATE ledger_head SET seq = :s, hash = :h"), {"s": n, "h": prev})


def bench_verify(db: Database, workers: int | None) -> tuple[float, int]:
    """Records/s of a full verify."""
    start = time.perf_counter()
    report = ledger.verify(db, workers=workers)
    elapsed = time.perf_counter() - start
    assert report.ok, report.broken
    return report.count / elapsed, report.count


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handovers", type=int, default=3000)
    parser.add_argument("--verify-records", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] + ([] if args.no_pg else ["postgresql"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            db = fresh_database(kind, args.pg, Path(tmp))
            rate = bench_handovers(db, args.handovers)
            goal = "≥ 1,000" if kind == "sqlite" else "≥ 500"
            rows.append((kind, "handovers/s, 1 client, 1 transaction each", f"{rate:,.0f}",
                         goal))
            for clients in (8,):
                rate = bench_clients(db, args.handovers, clients)
                rows.append((kind, f"handovers/s, {clients} clients, 1 transaction each",
                             f"{rate:,.0f}", goal))
            db.dispose()
            db = fresh_database(kind, args.pg, Path(tmp))
            t = time.perf_counter()
            bulk_chain(db, args.verify_records)
            load = time.perf_counter() - t
            for workers in (1, None):
                rate, count = bench_verify(db, workers)
                label = "1 process" if workers == 1 else "default (parallel)"
                rows.append((kind, f"verify records/s, {count:,} records, {label}",
                             f"{rate:,.0f}", "≥ 200,000"))
            rows.append((kind, f"bulk load of {args.verify_records:,} chained records (s)",
                         f"{load:.1f}", ""))
            db.dispose()
    print_table(rows)


if __name__ == "__main__":
    main()
