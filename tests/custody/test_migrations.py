"""The schema comes from Alembic migrations and matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from custody.db import migrate
from custody.db.engine import Database
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


def test_a_live_sqlite_district_upgrades_to_the_towns_and_keeps_its_rows(tmp_path):
    """0011 adds villages.town_id in place: copying the table would drop ``villages``, which
    its households refer to (a foreign key failure on every database with a district)."""
    db = Database(f"sqlite:///{tmp_path / 'live.sqlite'}")
    migrate.upgrade(db, "0010")
    with db.write_engine.begin() as conn:
        conn.execute(text("INSERT INTO villages (id, name, district) "
                          "VALUES (1, '凤桥村', '南湖区')"))
        conn.execute(text("INSERT INTO households (id, village_id, ref) VALUES (1, 1, 'H1')"))
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT v.name, v.town_id, h.ref FROM households h "
                                 "JOIN villages v ON v.id = h.village_id")).all() == [
            ("凤桥村", None, "H1")]
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.dispose()


def test_upgrading_a_live_district_to_0015_fills_the_village_days_as_its_appends_did(db):
    """0015 adds ``activity_village_days``; a district that already holds a week of work must
    read the same assessment right after the upgrade (an empty table reads as no work at all)."""
    from alembic import command

    from tests.custody.assessment_week import build

    build(db)
    query = text("SELECT day, village, measure, nodes, records FROM activity_village_days "
                 "ORDER BY day, village, measure")
    with db.engine.connect() as conn:
        kept = conn.execute(query).all()
    assert any(row.measure == "households" for row in kept) and len(kept) > 10
    cfg = migrate.alembic_config(db.url.render_as_string(hide_password=False))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012")
    migrate.upgrade(db)
    with db.engine.connect() as conn:
        assert conn.execute(query).all() == kept
