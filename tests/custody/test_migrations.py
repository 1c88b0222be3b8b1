"""The schema comes from Alembic migrations and matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from custody.db import migrate
from custody.db.schema import Base


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_database_is_at_the_newest_revision(db):
    assert migrate.current_revision(db) == migrate.head_revision()


def test_upgrading_twice_changes_nothing(db):
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
