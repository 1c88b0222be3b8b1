"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with one writer at a time: a write transaction starts
with ``BEGIN IMMEDIATE`` so two appends never both read the same ledger head.
PostgreSQL appends lock the ledger head row instead (see services), on their own
small pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 60_000


def sqlite_url(data_dir: Path) -> str:
    """The default database URL: a SQLite file in the data folder."""
    return f"sqlite:///{Path(data_dir).resolve() / 'custody.sqlite'}"


class Database:
    """One database: a reader engine, a writer engine and a lookup engine.

    ``lookup_engine`` serves the one-statement reads on the scan path (the device
    token, the idempotency key). On PostgreSQL it is autocommit and skips the
    pre-ping, so such a read is one round trip instead of four (ping, BEGIN, the
    query, ROLLBACK); a connection the server dropped fails that one request. On
    SQLite there are no round trips and it is the reader engine.
    """

    def __init__(self, url: str, *, echo: bool = False):
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(url, echo, immediate=False)
            self.write_engine = _sqlite_engine(url, echo, immediate=True)
            self.lookup_engine = self.engine
        else:
            self.engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10,
                                        max_overflow=20)
            # Appends queue on the ledger-head lock, so a few connections serve them all,
            # and they skip the pre-ping round trip: a connection the server dropped fails
            # that one transaction, which SQLAlchemy then discards with the whole pool.
            self.write_engine = create_engine(url, echo=echo, pool_size=4, max_overflow=8,
                                              pool_recycle=1800)
            self.lookup_engine = create_engine(url, echo=echo, pool_size=4, max_overflow=8,
                                               pool_recycle=1800, isolation_level="AUTOCOMMIT")
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.WriteSession = sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self.Session() as session:
            yield session

    def refresh_statistics(self) -> None:
        """Have the planner look at the tables again, after a bulk load such as the demo.

        PostgreSQL's autovacuum would get there eventually; until it does, the planner
        sees fresh tables as nearly empty and can pick a scan over an index.
        """
        if self.is_sqlite:
            with self.write_engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
        else:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        for other in (self.write_engine, self.lookup_engine):
            if other is not self.engine:
                other.dispose()


def _sqlite_engine(url: str, echo: bool, *, immediate: bool) -> Engine:
    """A SQLite engine that manages its own BEGIN, as the SQLAlchemy docs advise."""
    engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below rule
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql(begin)

    return engine
