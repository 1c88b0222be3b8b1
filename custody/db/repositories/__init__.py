"""Repositories: the one way services reach the database.

Each repository serves one aggregate and takes the ``Connection`` of an open
transaction (a write transaction from ``writing(db)``, a read from
``db.read()``'s session via ``session.connection()``); services call its
methods and never build SQL themselves:

* ``LedgerRepository`` (``ledger.py``): the head lock and the batch's assets
  and actors in one round trip, the append (records, head, portions, asset
  states) in another, whether a record exists.
* ``AssetRepository`` (``assets.py``): the assets a scan's codes name, and the
  moves its photo already recorded.
* ``ScanAttemptRepository`` (``scan_attempts.py``): a scan's attempt row.
* ``RollupRepository`` (``rollups.py``): the rollup and activity upserts (the
  activity village-days' statements in ``village_days.py``), the tonnage read, a
  correction's reads; ``ActivityRepository`` (``activity.py``):
  the activity tables' rebuild; ``RebuildRepository`` (``rebuild.py``): the
  ledger streamed in order and the derived tables refilled.
* ``MapRepository`` (``map_reads.py``): the day map's sites, moves and booths.
* ``DeskRepository`` (``desk.py``): the supervisor's handover lists narrowed by a
  ``LedgerFilter``, flags and their reviews, a record, an asset's history;
  ``DirectoryRepository`` (``directory.py``): scan attempts, the asset register,
  users and search.
* ``AssessmentRepository`` (``assessment_reads.py``): the registry's villages and
  what is due there, the activity rollups summed, households' deposit days;
  ``ReportRepository`` (``report_reads.py``): the tonnage page's sums and the
  facilities' deliveries for the mass balance.
* ``TraceRepository`` (``trace_reads.py``): the public trace's asset, records,
  vehicles and sites.
* ``RegistryRepository`` (``registry.py``): the asset register (assets, serials,
  villages, towns, households) over the ORM session of a ``UnitOfWork``
  (``uow.registry``).
* ``AccountRepository`` (``accounts.py``): actors, credentials and devices, over
  the ORM session of a ``UnitOfWork`` (``uow.accounts``);
  ``DeviceTokenRepository``: the token read every phone request makes;
  ``BrowserSessionRepository``: signed-in browsers.

They live under ``custody.db`` rather than ``custody.services`` because they
are the database side of the layering (web → services → domain, with the
services reaching ``custody.db``): they know the tables (``custody.db.schema``)
and the raw-cursor statements (``custody.db.prepared``), and nothing of the
services. The raw cursor is used only inside them, where a benchmark shows it
pays; each such use carries its figure in its docstring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from custody.db.engine import Database
from custody.db.prepared import pipeline
from custody.db.repositories.accounts import (
    AccountRepository,
    BrowserSessionRepository,
    DeviceTokenRepository,
)
from custody.db.repositories.activity import ActivityRepository
from custody.db.repositories.assessment_reads import AssessmentRepository
from custody.db.repositories.assets import AssetRepository
from custody.db.repositories.desk import DeskRepository, LedgerFilter
from custody.db.repositories.directory import DirectoryRepository
from custody.db.repositories.ledger import LedgerRepository
from custody.db.repositories.map_reads import MapRepository
from custody.db.repositories.rebuild import RebuildRepository
from custody.db.repositories.registry import RegistryRepository
from custody.db.repositories.report_reads import ReportRepository
from custody.db.repositories.rollups import RollupRepository
from custody.db.repositories.scan_attempts import ScanAttemptRepository
from custody.db.repositories.trace_reads import TraceRepository

__all__ = ["AccountRepository", "ActivityRepository", "AssessmentRepository", "AssetRepository",
           "BrowserSessionRepository", "Connection", "DeskRepository",
           "DeviceTokenRepository", "DirectoryRepository", "LedgerFilter", "LedgerRepository",
           "MapRepository", "RebuildRepository", "RegistryRepository", "ReportRepository",
           "Repositories",
           "RollupRepository", "RowConflict", "ScanAttemptRepository", "TraceRepository",
           "looking_up", "reading", "writing"]


class RowConflict(Exception):
    """A write transaction broke a key (a unique one: the row was already there); rolled back."""


class Repositories:
    """Every repository over one connection, made on first use."""

    def __init__(self, conn: Connection):
        self.conn = conn

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.conn)

    @cached_property
    def assets(self) -> AssetRepository:
        return AssetRepository(self.conn)

    @cached_property
    def attempts(self) -> ScanAttemptRepository:
        return ScanAttemptRepository(self.conn)

    @cached_property
    def rollups(self) -> RollupRepository:
        return RollupRepository(self.conn)

    @cached_property
    def map(self) -> MapRepository:
        return MapRepository(self.conn)

    @cached_property
    def activity(self) -> ActivityRepository:
        return ActivityRepository(self.conn)

    @cached_property
    def assessment(self) -> AssessmentRepository:
        return AssessmentRepository(self.conn)

    @cached_property
    def reports(self) -> ReportRepository:
        return ReportRepository(self.conn)

    @cached_property
    def trace(self) -> TraceRepository:
        return TraceRepository(self.conn)

    @cached_property
    def rebuild(self) -> RebuildRepository:
        return RebuildRepository(self.conn)

    @cached_property
    def desk(self) -> DeskRepository:
        return DeskRepository(self.conn)

    @cached_property
    def directory(self) -> DirectoryRepository:
        return DirectoryRepository(self.conn)

    @cached_property
    def browser_sessions(self) -> BrowserSessionRepository:
        return BrowserSessionRepository(self.conn)

    @cached_property
    def device_tokens(self) -> DeviceTokenRepository:
        return DeviceTokenRepository(self.conn)

    @contextmanager
    def one_round_trip(self) -> Iterator[None]:
        """The statements sent inside go to PostgreSQL together (SQLite has no round trips)."""
        with pipeline(self.conn):
            yield


@contextmanager
def writing(db: Database) -> Iterator[Repositories]:
    """The repositories over one write transaction, committed when the block ends cleanly."""
    driver_error = db.write_engine.dialect.loaded_dbapi.IntegrityError
    try:
        with db.write_engine.begin() as conn:
            yield Repositories(conn)
    except (IntegrityError, driver_error) as exc:
        # The raw-cursor statements raise the driver's own error, unwrapped.
        raise RowConflict(str(exc)) from exc


@contextmanager
def reading(db: Database) -> Iterator[Repositories]:
    """The repositories over a connection of the reader engine (rolled back at the end)."""
    with db.engine.connect() as conn:
        yield Repositories(conn)


@contextmanager
def looking_up(db: Database) -> Iterator[Repositories]:
    """The repositories for a one-statement read on the lookup engine (one round trip)."""
    with db.lookup_engine.connect() as conn:
        yield Repositories(conn)
