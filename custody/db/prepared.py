"""Statements compiled once per dialect and run on the raw driver cursor.

The ledger append runs a handful of small statements per handover; through
SQLAlchemy's execution layer each costs ~100 µs of Python on the reference
machine, far more than SQLite needs to run it. A ``Prepared`` statement is
still written with SQLAlchemy (so it follows the models), compiled once per
dialect, and then executed directly on the DBAPI cursor of the connection's
current transaction. Only plain values go in (ints, strings, None, bools) and
plain tuples come out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement


class Prepared:
    """One SQLAlchemy statement, compiled lazily per dialect, run on the raw cursor."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict]] = {}

    def _for(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict]:
        """(sql text, parameter order or None if named, literal values) for this dialect."""
        name = conn.dialect.name
        found = self._compiled.get(name)
        if found is None:
            compiled = self.statement.compile(dialect=conn.dialect)
            order = tuple(compiled.positiontup) if compiled.positional else None
            literals = {k: v for k, v in compiled.params.items() if v is not None}
            found = self._compiled[name] = (str(compiled), order, literals)
        return found

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """Run once; return every row (empty for statements without rows)."""
        sql, order, literals = self._for(conn)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, _args(literals, params or {}, order))
            return cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()

    def submit(self, conn: Connection, params: Mapping[str, Any] | None = None):
        """Send without waiting for the answer (inside ``pipeline``); fetch from the cursor."""
        sql, order, literals = self._for(conn)
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(sql, _args(literals, params or {}, order))
        return cursor

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set."""
        sql, order, literals = self._for(conn)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, [_args(literals, row, order) for row in rows])
        finally:
            cursor.close()


def _args(literals: dict, params: Mapping[str, Any], order: tuple[str, ...] | None):
    """Parameters in the driver's style: a tuple for positional, a mapping for named."""
    merged = {**literals, **params} if literals else params
    return merged if order is None else tuple(merged[name] for name in order)


@contextmanager
def pipeline(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, send the statements inside in one round trip (psycopg pipeline mode).

    Elsewhere it does nothing: SQLite runs in process and has no round trips.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    with conn.connection.driver_connection.pipeline():
        yield
