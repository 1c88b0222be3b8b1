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
        _admin(pg_url, f'DROP DATABASE IF EXISTS "custody_{name}" WITH (FORCE)',
               f'CREATE DATABASE "custody_{name}"')
        db = Database(make_url(pg_url).set(database=f"custody_{name}")
                      .render_as_string(hide_password=False))
    migrate.upgrade(db)
    return db


def drop_database(pg_url: str, name: str) -> None:
    """Drop the PostgreSQL database ``fresh_database`` made under ``name``."""
    _admin(pg_url, f'DROP DATABASE IF EXISTS "custody_{name}" WITH (FORCE)')


def _admin(pg_url: str, *statements: str) -> None:
    """Run statements outside a transaction on the server's maintenance connection."""
    admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """Print (database, measure, result, goal) rows as an aligned table."""
    width = max(len(r[1]) for r in rows)
    result = max(12, *(len(r[2]) for r in rows))
    print(f"{'database':<11} {'measure':<{width}} {'result':>{result}}  goal")
    print("-" * (width + result + 20))
    for kind, what, value, goal in rows:
        print(f"{kind:<11} {what:<{width}} {value:>{result}}  {goal}")
