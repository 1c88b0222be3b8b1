"""Statements compiled once per dialect and run on the raw driver cursor.

The ledger append runs a handful of small statements per handover; through
SQLAlchemy's execution layer each costs ~100 µs of Python on the reference
machine, far more than SQLite needs to run it. A ``Prepared`` statement is
still written with SQLAlchemy (so it follows the models), compiled once per
dialect, and then executed directly on the DBAPI cursor of the connection's
current transaction. Only plain values go in (ints, strings, None, bools) and
plain tuples come out.

``BulkInsert`` writes many rows (optionally upserting): on PostgreSQL as one
statement, over one array per column (``INSERT .. SELECT unnest(..), ..``) for
many rows, which costs the client a few microseconds a row where executemany
costs tens, or as one multi-row VALUES for a few; on SQLite, in process, as
executemany.

Services reach the database through the repositories
(``custody.db.repositories``), which use SQLAlchemy (Core ``select()`` or the
ORM) and keep this raw path only where a benchmark shows the difference, each
use with its figure in its docstring: the ledger append and the scan path
(``repositories/ledger.py``, ``assets.py``, ``scan_attempts.py``, ``rollups.py``,
``village_days.py``: one transaction each, ``benchmarks/ledger.py``,
``benchmarks/scan_path.py --callgrind``), the verify walk
(``repositories/ledger.py``: a million records) and the tonnage read
(``repositories/rollups.py``). ``benchmarks/statements.py`` prints both costs
for the single-row reads that went back to SQLAlchemy (9 to 45 µs a call, under
1 % of a scan). No service imports this module
(``tests/architecture/test_repositories.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
        """Send without waiting for the answer (inside ``pipeline``); read it with ``fetch_all``."""
        sql, order, literals = self._for(conn)
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(sql, _args(literals, params or {}, order))
        return cursor

    def stream(self, conn: Connection, params: Mapping[str, Any] | None = None, *,
               chunk: int = 5000) -> Iterator[list[tuple]]:
        """Run once; yield the rows ``chunk`` at a time, never holding them all.

        On PostgreSQL the cursor is a server-side one (psycopg's named cursor), so
        the server keeps the rest of the result until it is fetched; SQLite steps
        through the result as it is fetched anyway.
        """
        sql, order, literals = self._for(conn)
        raw = conn.connection.driver_connection
        cursor = (raw.cursor(name=f"stream_{id(self):x}") if conn.dialect.name == "postgresql"
                  else raw.cursor())
        try:
            cursor.execute(sql, _args(literals, params or {}, order))
            while rows := cursor.fetchmany(chunk):
                yield rows
        finally:
            cursor.close()

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set."""
        sql, order, literals = self._for(conn)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, [_args(literals, row, order) for row in rows])
        finally:
            cursor.close()


class BulkInsert:
    """INSERT of many rows into every column of ``table``, per dialect.

    ``conflict`` receives the dialect's insert statement and returns it with its
    ON CONFLICT clause (both dialects offer ``on_conflict_do_update`` and
    ``excluded``). Rows must not conflict with each other within one call.
    """

    def __init__(self, table: Table, *, conflict: Callable[[Any], Any] | None = None):
        self.table = table
        self.names = [c.name for c in table.columns]
        self._conflict = conflict = conflict or (lambda stmt: stmt)
        self._values: dict[int, Prepared] = {}
        arrays = [func.unnest(bindparam(f"a_{c.name}", type_=ARRAY(c.type)))
                  for c in table.columns]
        values = {name: bindparam(name) for name in self.names}
        self._rows = {"postgresql": Prepared(conflict(pg_insert(table).values(values))),
                      "sqlite": Prepared(conflict(sqlite_insert(table).values(values)))}
        self._arrays = Prepared(conflict(pg_insert(table).from_select(self.names,
                                                                      select(*arrays))))

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write the rows (nothing when there are none)."""
        if not rows:
            return
        if conn.dialect.name != "postgresql" or len(rows) == 1:
            self._rows[conn.dialect.name].execute_many(conn, rows)
        elif len(rows) >= ARRAYS_FROM:
            self._arrays.execute(conn, {f"a_{name}": [row[name] for row in rows]
                                        for name in self.names})
        else:
            self._many_values(len(rows)).execute(
                conn, {f"{name}_{i}": row[name] for i, row in enumerate(rows)
                       for name in self.names})

    def _many_values(self, n: int) -> Prepared:
        """One PostgreSQL statement of ``n`` VALUES rows, made on first use.

        executemany sends one statement per row, each parsed, planned and answered
        on its own; a scan upserts two asset states and three rollup cells.
        """
        found = self._values.get(n)
        if found is None:
            rows = [{name: bindparam(f"{name}_{i}") for name in self.names} for i in range(n)]
            found = self._values[n] = Prepared(self._conflict(pg_insert(self.table).values(rows)))
        return found


def fetch_all(cursor) -> list[tuple]:
    """Every row of a statement sent with ``Prepared.submit``, closing its cursor."""
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


# From this many rows on, PostgreSQL gets column arrays: for a row or two a plain
# VALUES statement plans and runs faster (about 0.4 ms less per statement).
ARRAYS_FROM = 16


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
