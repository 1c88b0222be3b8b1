"""A unit of work: a session that rolls back unless ``commit()`` was called.

Its repositories (``uow.accounts``, ``uow.registry``, ``uow.repos``; ``custody.db.repositories``)
are how the services read and write inside it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from custody.db.engine import Database
from custody.db.repositories import AccountRepository, RegistryRepository, Repositories


class UnitOfWork:
    """``with UnitOfWork(db, write=True) as uow: ...; uow.commit()``."""

    session: Session

    def __init__(self, db: Database, *, write: bool = False):
        self.db = db
        self.write = write

    def __enter__(self) -> UnitOfWork:
        factory = self.db.WriteSession if self.write else self.db.Session
        self.session = factory()
        self.session.begin()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    @property
    def accounts(self) -> AccountRepository:
        """Actors, credentials and devices, in this unit of work."""
        return AccountRepository(self.session)

    @property
    def registry(self) -> RegistryRepository:
        """Assets, serials, villages, towns and households, in this unit of work."""
        return RegistryRepository(self.session)

    @property
    def repos(self) -> Repositories:
        """The Core repositories over this unit of work's connection."""
        return Repositories(self.session.connection())

    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        self.session.commit()
