"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

``TEST_DATABASE_URL`` names a PostgreSQL server database; each pytest-xdist
worker gets a database of its own there, created by migrations once and
emptied before every test.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from custody.config import Settings
from custody.db import migrate
from custody.db.engine import Database
from custody.domain.ledger import GENESIS_HASH

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_KEYS = {"A": bytes(range(32))}
LEDGER_TABLES = ["flag_reviews", "daily_rollups", "corrected_weights", "handover_portions",
                 "handovers", "asset_states", "assets", "asset_serials", "households",
                 "villages", "scan_attempts", "browser_sessions", "checkpoints", "devices",
                 "credentials", "actors", "towns", "activity_rollups", "activity_village_days",
                 "household_months"]


@pytest.fixture(scope="session")
def pg_database_url(worker_id: str):
    """A migrated PostgreSQL database private to this xdist worker."""
    base = make_url(PG_URL)
    # The pid keeps two test runs on one server (two developers, CI) apart.
    name = f"custody_test_{worker_id}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A URL of an empty, migrated database on each backend."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'custody.sqlite'}")
        migrate.upgrade(db)
        db.dispose()
        return db.url.render_as_string(hide_password=False)
    url = request.getfixturevalue("pg_database_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(LEDGER_TABLES)} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE ledger_head SET seq = 0, hash = :h"), {"h": GENESIS_HASH})
        conn.execute(text("ALTER TABLE handovers ENABLE TRIGGER USER"))
    engine.dispose()
    return url


@pytest.fixture
def db(database_url):
    """An open Database on an empty, migrated schema."""
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    """Settings for a test deployment with fixed keys."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    code_keys=TEST_KEYS, code_key_id="A")


@pytest.fixture
def app(settings, db):
    """The Flask app on the test database."""
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def live_url(app):
    """The app served on a free loopback port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def t0() -> datetime:
    """A fixed moment to build handover times from."""
    return datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def fast_passwords(monkeypatch):
    """Cheap password hashing, for tests that sign in many times (never in production)."""
    from custody.services import accounts

    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def people(db, fast_passwords) -> dict:
    """One user per role, each with a password and an enrolled phone: role -> details."""
    from custody.domain.model import Role
    from custody.services import accounts, devices

    found = {}
    for role in Role:
        name, password = f"{role.value}-user", f"{role.value}-password"
        actor_id = accounts.create_user(db, name, role, password)
        device_id, token = devices.issue_device_token(db, actor_id, f"{name}'s phone")
        found[role.value] = {"id": actor_id, "name": name, "password": password,
                             "device_id": device_id, "token": token,
                             "auth": {"Authorization": f"Bearer {token}"}}
    return found
