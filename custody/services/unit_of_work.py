"""A unit of work: a session that rolls back unless ``commit()`` was called."""

from __future__ import annotations

from sqlalchemy.orm import Session

from custody.db.engine import Database


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

    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        self.session.commit()
