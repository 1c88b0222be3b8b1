"""Reports: time to build a demo district, and daily-tonnage query latency.

    python benchmarks/reports.py [--villages 3] [--households 200] [--days 7] [--seed 1]
                                 [--fast-bags] [--year-villages 34] [--year-booths 370]
                                 [--repeat 50] [--pg URL | --no-pg]

For each database: builds the demo through the service layer (handovers/s),
then bulk-loads a Nanhu-size year of rollup rows for another district
(``--year-villages`` villages, ``--year-booths`` booths: what 365 days of
appends would leave behind) and times ``daily_tonnage`` and ``mass_balance``
over one day and over the whole year (p50/p95). Prints a table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_database, print_table  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

import maps  # noqa: E402
from custody.db.engine import Database  # noqa: E402
from custody.db.schema import DailyRollup  # noqa: E402
from custody.services import demo, map_view, rollups  # noqa: E402

YEAR = date(2025, 1, 1)  # the bulk-loaded year, apart from the demo's days
CATEGORIES = ("kitchen", "recyclable", "hazardous", "other")


def fill_year(db: Database, villages: int, booths: int) -> int:
    """Bulk-load a year of rollup rows shaped like the appends' (benchmark only)."""
    rng = random.Random(7)
    nodes = ([("district", "北区", m) for m in rollups.MEASURES]
             + [("village", f"V{v}村", m) for v in range(villages) for m in rollups.MEASURES[:4]]
             + [("booth", f"S{b:08d}", m) for b in range(booths) for m in ("deposited",
                                                                           "collected")]
             + [("transfer_room", f"R{v:08d}", m) for v in range(villages)
                for m in ("room_in", "room_out")]
             + [("facility", f"F{f:08d}", "delivered") for f in range(2)])
    rows = [{"level": level, "day": YEAR + timedelta(days=d), "node_id": node, "category": c,
             "measure": m, "grams": rng.randrange(1_000, 5_000_000), "count": rng.randrange(1, 99)}
            for d in range(365) for level, node, m in nodes for c in CATEGORIES]
    with db.write_engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(DailyRollup), rows[start:start + 20_000])
    if not db.is_sqlite:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE daily_rollups"))
            conn.commit()
    return len(rows)


def latency(fn: Callable[[], object], repeat: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds over ``repeat`` calls, and the rows of the last one."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rows = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(rows)


def day_map(db: Database, day: date) -> tuple[float, int, int]:
    """Seconds to build one day's public map page (records + HTML), its bytes and flows."""
    start = time.perf_counter()
    sites, flows, trips = map_view.day_map_records(db, day, min_households=10)
    html = maps.public_map_html(sites, flows, trips, day=day,
                                tiles_url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                tiles_attribution="OpenStreetMap", asset_base_url="/map-assets/")
    return time.perf_counter() - start, len(html.encode()), len(flows)


def nanhu_day(tmp: Path, villages: int, households: int) -> list[tuple[str, str, str, str]]:
    """Build one Nanhu-size day on SQLite through the services and time its map."""
    db = fresh_database("sqlite", None, tmp, "reports")
    day = date(2026, 3, 2)
    report = demo.build(db, demo.DemoSpec(villages=villages, households=households, days=1,
                                          start=day, link_households=False), progress=False)
    seconds, size, flows = min(day_map(db, day) for _ in range(3))
    db.dispose()
    return [("sqlite", f"one Nanhu day: {villages} villages, {households:,} households, "
             f"{report.handovers:,} handovers, handovers/s", f"{report.rate:,.0f}", ""),
            ("sqlite", f"one day's map page ({flows} flows): build s", f"{seconds:.2f}",
             "≤ 1 s"),
            ("sqlite", "one day's map page: HTML MB", f"{size / 1e6:.2f}", "≤ 1.5 MB")]


def main() -> None:
    """Build, fill, query, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=3)
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fast-bags", action="store_true")
    parser.add_argument("--year-villages", type=int, default=34)
    parser.add_argument("--year-booths", type=int, default=370)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--pg", default=os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--map-villages", type=int, default=34)
    parser.add_argument("--map-households", type=int, default=27_686,
                        help="one Nanhu-size day for the map rows (0 skips them)")
    args = parser.parse_args()
    spec = demo.DemoSpec(villages=args.villages, households=args.households, days=args.days,
                         seed=args.seed, link_households=not args.fast_bags)
    end = YEAR + timedelta(days=364)
    queries = {
        "tonnage, 1 day, district": lambda db: rollups.daily_tonnage(db, YEAR, YEAR, "district"),
        "tonnage, 1 day, every village": lambda db: rollups.daily_tonnage(db, YEAR, YEAR,
                                                                          "village"),
        "tonnage, 1 day, every booth": lambda db: rollups.daily_tonnage(db, YEAR, YEAR, "booth"),
        "tonnage, year, district": lambda db: rollups.daily_tonnage(db, YEAR, end, "district"),
        "tonnage, year, one village": lambda db: rollups.daily_tonnage(db, YEAR, end, "village",
                                                                       "V3村"),
        "tonnage, year, one booth": lambda db: rollups.daily_tonnage(db, YEAR, end, "booth",
                                                                     "S00000007"),
        "mass balance, 1 day, every room": lambda db: rollups.mass_balance(db, YEAR, YEAR),
        "mass balance, year, one room": lambda db: rollups.mass_balance(db, YEAR, end,
                                                                        "R00000003"),
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ["sqlite"] + ([] if args.no_pg else ["postgresql"]):
            db = fresh_database(kind, args.pg, Path(tmp), "reports")
            report = demo.build(db, spec, progress=False)
            rows.append((kind, f"demo {args.villages} villages × {args.households} households"
                         f" × {args.days} days: setup (s)", f"{report.setup_seconds:.1f}", ""))
            rows.append((kind, f"demo: {report.handovers:,} handovers, handovers/s",
                         f"{report.rate:,.0f}", ""))
            t = time.perf_counter()
            rebuilt = rollups.rebuild(db)
            rows.append((kind, f"rollups rebuild, {report.handovers:,} handovers (s)",
                         f"{time.perf_counter() - t:.2f}", f"{rebuilt:,} rows"))
            t = time.perf_counter()
            filled = fill_year(db, args.year_villages, args.year_booths)
            rows.append((kind, f"bulk load of a year: {filled:,} rollup rows (s)",
                         f"{time.perf_counter() - t:.1f}", ""))
            for name, query in queries.items():
                p50, p95, n = latency(lambda q=query, d=db: q(d), args.repeat)
                rows.append((kind, f"{name} ({n:,} rows): p50 / p95 ms",
                             f"{p50:.1f} / {p95:.1f}", "p95 ≤ 50"))
            db.dispose()
        if args.map_households:
            rows += nanhu_day(Path(tmp), args.map_villages, args.map_households)
    print_table(rows)


if __name__ == "__main__":
    main()
