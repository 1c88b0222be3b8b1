"""Shared by the benchmark scripts: fresh migrated databases, and the result table."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from custody.db import migrate
from custody.db.engine import Database


def fresh_database(kind: str, pg_url: str | None, tmp: Path, name: str = "bench") -> Database:
    """An empty migrated database of the given kind (PostgreSQL: ``custody_<name>``)."""
    if kind == "sqlite":
        db = Database(f"sqlite:///{Path(tmp) / f'{name}-{random.random()}.sqlite'}")
    else:
        base = make_url(pg_url)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "custody_{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "custody_{name}"'))
        admin.dispose()
        db = Database(base.set(database=f"custody_{name}").render_as_string(hide_password=False))
    migrate.upgrade(db)
    return db


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """Print (database, measure, result, goal) rows as an aligned table."""
    width = max(len(r[1]) for r in rows)
    result = max(12, *(len(r[2]) for r in rows))
    print(f"{'database':<11} {'measure':<{width}} {'result':>{result}}  goal")
    print("-" * (width + result + 20))
    for kind, what, value, goal in rows:
        print(f"{kind:<11} {what:<{width}} {value:>{result}}  {goal}")
