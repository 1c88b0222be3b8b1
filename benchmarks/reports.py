"""Reports on a Nanhu-size year: build time, tonnage and assessment latency, map, bulletin.

    python benchmarks/reports.py --year URL [--year URL ...] [--build] [--rebuild]
                                 [--villages 34] [--households 27686] [--days 365]
                                 [--repeat 50]
    python benchmarks/reports.py --small [--pg URL | --no-pg]

``--year URL`` measures a database that holds a demo district's year of
handovers. With ``--build`` the script first builds it there through the
service layer: the demo's phone-shaped days with each scan's planned handover
appended in bulk (``DemoSpec(through="ledger")``; ``custody demo`` uploads each
scan to the scan service instead, too slow for ten million); an existing
database at the URL is emptied first: a SQLite file is removed, a PostgreSQL database dropped and
created), timing the build. Then, on the year actually in the database, it
times ``daily_tonnage`` and ``mass_balance`` for one day and for the whole
year (p50/p95 over ``--repeat`` calls, nodes picked from the data), and the
two public pages as a resident opens them, through the web app's test client:
one mid-year day's map (``GET /map?day=``: records, popups with each room's
clearance photos, the privacy merge, HTML; its size, and the records and the
households-per-booth count timed apart) and the tonnage page of one village
over the whole range (``GET /tonnage``: query, summary, SVG trend, HTML).
The year's loads name a clearance photo each (see ``custody.demo.build``), so
the popups carry what the field's would; the assessment of every village over
the day, week, month and quarter of that day (p50/p95) and that month's
bulletin PDF (benchmarks/_assessment.py). ``--rebuild``
also times a full rollup rebuild from the ledger and its peak memory.

``--small`` builds a demo week on fresh SQLite and PostgreSQL databases instead
and runs the same measurements on it: a quick check, not the benchmark.
Prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

# The project before this folder: benchmarks/labels.py must not shadow the labels package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _assessment  # noqa: E402
from _common import fresh_database, print_table  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from custody import demo  # noqa: E402
from custody.db import migrate  # noqa: E402
from custody.db.engine import Database  # noqa: E402
from custody.db.schema import Asset, DailyRollup, Handover  # noqa: E402
from custody.services import csv_export, map_view, rollup_rebuild, tonnage  # noqa: E402


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


@contextlib.contextmanager
def public_client(db: Database) -> Iterator[FlaskClient]:
    """A test client of the web app on ``db``, as a resident's browser reaches it."""
    from custody.config import Settings
    from custody.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url="sqlite://",
                            code_keys={"A": b"k" * 32}, secret_key="x" * 32)
        yield create_app({"SETTINGS": settings, "DATABASE": db}).test_client()


def page(client: FlaskClient, url: str, repeat: int) -> tuple[float, float, bytes]:
    """p50/p95 ms of GET ``url`` (HTML, as a browser asks for it) and the page's bytes."""
    body = []

    def get() -> list:
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200, (url, response.status_code)
        body[:] = [response.get_data()]
        return body

    p50, p95, _ = latency(get, repeat)
    return p50, p95, body[0]


def day_map(db: Database, client: FlaskClient, day: date,
            repeat: int) -> list[tuple[str, str, str]]:
    """The public map page of one day, GET /map?day= end to end (records, popups with the
    rooms' clearance photos, HTML), and the parts of it: (measure, result, goal) rows."""
    p50, p95, html = page(client, f"/map?day={day}", repeat)

    def records() -> tuple:
        return map_view.day_map_records(db, day, min_households=10,
                                        photo_url=lambda sha: f"/photos/{sha}.jpg")

    sites, flows, _ = records()
    photos = sum(len(s.photos) for s in sites)
    records = latency(records, repeat)
    per_booth = latency(lambda: map_view.households_per_booth(db, day), repeat)
    return [(f"map page GET /map?day={day} ({len(flows)} flows, {photos} clearance photos "
             f"in popups): p50 / p95 s", f"{p50 / 1000:.2f} / {p95 / 1000:.2f}", "≤ 1 s"),
            (f"map page of {day}: HTML MB", f"{len(html) / 1e6:.2f}", "≤ 1.5 MB"),
            ("  of which the day's records (sites, flows, photos, merge): p50 / p95 s",
             f"{records[0] / 1000:.2f} / {records[1] / 1000:.2f}", "part of the 1 s"),
            ("  of which households per booth (privacy merge): p50 / p95 s",
             f"{per_booth[0] / 1000:.2f} / {per_booth[1] / 1000:.2f}", "part of the 1 s")]


def tonnage_page(client: FlaskClient, first: date, last: date, village: str,
                 repeat: int) -> tuple[str, str, str]:
    """GET /tonnage for one village's whole range (by month, as the page picks for a year):
    the route's query, summary and SVG/HTML render, p50/p95."""
    url = f"/tonnage?from={first}&to={last}&level=village&node={village}"
    p50, p95, html = page(client, url, repeat)
    return (f"tonnage page GET /tonnage, {first} to {last}, one village ({len(html) / 1e3:.0f}"
            " kB): p50 / p95 ms", f"{p50:.0f} / {p95:.0f}", "≤ 300 ms")


def export(db: Database, first: date, last: date, level: str) -> tuple[str, str, str]:
    """The year's CSV export of every node of a level, as the web app streams it: timings."""
    start = time.perf_counter()
    chunks = csv_export.csv_lines(tonnage.iter_daily_tonnage(db, first, last, level))
    size = len(next(chunks, ""))
    to_first = time.perf_counter() - start
    size += sum(len(chunk) for chunk in chunks)
    total = time.perf_counter() - start
    return (f"CSV export, year, every {level} ({size / 1e6:.1f} MB): first chunk ms / all s",
            f"{1000 * to_first:.0f} / {total:.1f}", "streamed")


def empty_database(url: str) -> Database:
    """A migrated, empty database at ``url`` (anything there before is removed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    db = Database(url)
    migrate.upgrade(db)
    return db


def kind_of(db: Database) -> str:
    return "sqlite" if db.is_sqlite else "postgresql"


def build(db: Database, spec: demo.DemoSpec) -> list[tuple[str, str, str, str]]:
    """Build the demo year through the services; the build's rows of the table."""
    report = demo.build(db, spec, progress=True)
    total = report.setup_seconds + report.simulate_seconds
    kind = kind_of(db)
    return [(kind, f"build: {spec.villages} villages, {spec.households:,} households, "
             f"{spec.days} days, {report.handovers:,} handovers (min)", f"{total / 60:.1f}", ""),
            (kind, "build: handovers/s (registering the day's bags included)",
             f"{report.rate:,.0f}", "")]


def measure(db: Database, repeat: int, rebuild: bool) -> list[tuple[str, str, str, str]]:
    """Query latency, map page and (optionally) rebuild on the year in ``db``."""
    kind = kind_of(db)
    with db.engine.connect() as conn:
        handovers = conn.execute(select(func.count()).select_from(Handover)).scalar_one()
        cells = conn.execute(select(func.count()).select_from(DailyRollup)).scalar_one()
        first, last = conn.execute(select(func.min(DailyRollup.day),
                                          func.max(DailyRollup.day))).one()
        if isinstance(first, str):
            first, last = date.fromisoformat(first), date.fromisoformat(last)
        village, booth, room = (conn.execute(
            select(DailyRollup.node_id).where(DailyRollup.level == level)
            .order_by(DailyRollup.node_id).limit(1)).scalar_one()
            for level in ("village", "booth", "transfer_room"))
        assets = conn.execute(select(func.count()).select_from(Asset)).scalar_one()
    day = first + (last - first) // 2
    rows = [(kind, f"the year: {handovers:,} handovers, {assets:,} assets, {cells:,} rollup "
             f"cells, {first} to {last}", "", "")]
    queries = {
        "tonnage, 1 day, district": lambda: tonnage.daily_tonnage(db, day, day, "district"),
        "tonnage, 1 day, every village": lambda: tonnage.daily_tonnage(db, day, day, "village"),
        "tonnage, 1 day, every booth": lambda: tonnage.daily_tonnage(db, day, day, "booth"),
        "tonnage, year, district": lambda: tonnage.daily_tonnage(db, first, last, "district"),
        "tonnage, year, every village": lambda: tonnage.daily_tonnage(db, first, last,
                                                                      "village"),
        "tonnage, year, one village": lambda: tonnage.daily_tonnage(db, first, last, "village",
                                                                    village),
        "tonnage, year, one booth": lambda: tonnage.daily_tonnage(db, first, last, "booth",
                                                                  booth),
        "mass balance, 1 day, every room": lambda: tonnage.mass_balance(db, day, day),
        "mass balance, year, one room": lambda: tonnage.mass_balance(db, first, last, room),
    }
    for name, query in queries.items():
        p50, p95, n = latency(query, repeat)
        rows.append((kind, f"{name} ({n:,} rows): p50 / p95 ms", f"{p50:.1f} / {p95:.1f}",
                     "p95 ≤ 50"))
    for level in ("village", "booth"):
        rows.append((kind, *export(db, first, last, level)))
    with public_client(db) as client:
        rows += [(kind, *row) for row in day_map(db, client, day, min(repeat, 7))]
        rows.append((kind, *tonnage_page(client, first, last, village, min(repeat, 20))))
    rows += _assessment.measure(db, kind, day, repeat, latency)
    if rebuild:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        rebuilt = rollup_rebuild.rebuild(db)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows.append((kind, f"rollups rebuild from the ledger, {rebuilt:,} cells (s)",
                     f"{time.perf_counter() - start:.1f}",
                     f"peak RSS {before / 1024:.0f} -> {after / 1024:.0f} MiB"))
    return rows


def main() -> None:
    """Build (optionally), measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", action="append", default=[], metavar="URL")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--villages", type=int, default=34)
    parser.add_argument("--households", type=int, default=27_686)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--pg", default=os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    rows = []
    if args.small:
        spec = demo.DemoSpec(days=7, photo_share=0, labels=False, through="ledger")
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ["sqlite"] + ([] if args.no_pg else ["postgresql"]):
                db = fresh_database(kind, args.pg, Path(tmp), "reports")
                rows += build(db, spec)
                rows += measure(db, args.repeat, rebuild=True)
                db.dispose()
    spec = demo.DemoSpec(villages=args.villages, households=args.households, days=args.days,
                         photo_share=0, labels=False, through="ledger")
    for url in args.year:
        db = empty_database(url) if args.build else Database(url)
        if args.build:
            rows += build(db, spec)
        rows += measure(db, args.repeat, args.rebuild)
        db.dispose()
    if not rows:
        parser.error("give --year URL (with --build to build it) or --small")
    print_table(rows)


if __name__ == "__main__":
    main()
