"""The production PostgreSQL roles (deploy/postgresql/grants.sql): the app's role works the
whole scan path but cannot UPDATE, DELETE or TRUNCATE ledger rows; the reader only reads."""

import io
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import scanners
from custody.config import Settings
from custody.db import migrate
from custody.db.engine import Database
from custody.domain.model import Role
from custody.services import accounts, devices, ledger
from custody.web import create_app
from tests.conftest import PG_URL, TEST_KEYS
from tests.custody.conftest import register_district
from tests.custody.photos import phone_photo

GRANTS = Path(__file__).resolve().parents[2] / "deploy" / "postgresql" / "grants.sql"
pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


@pytest.fixture
def roles():
    """A database owned by a fresh owner role, migrated by it, with the recipe's grants."""
    tag = uuid.uuid4().hex[:8]
    names = SimpleNamespace(owner=f"custody_owner_{tag}", app=f"custody_app_{tag}",
                            reader=f"custody_reader_{tag}", db=f"custody_roles_{tag}")
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in (names.owner, names.app, names.reader):
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{names.db}" OWNER "{names.owner}"'))
    base = make_url(PG_URL).set(database=names.db)
    names.url = {who: base.set(username=getattr(names, who)).render_as_string(False)
                 for who in ("owner", "app", "reader")}
    owner_db = Database(names.url["owner"])
    migrate.upgrade(owner_db)  # `custody init`, as the owner
    owner_db.dispose()
    libpq = make_url(names.url["owner"]).set(drivername="postgresql").render_as_string(False)
    subprocess.run(["psql", libpq, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"app={names.app}",
                    "-v", f"reader={names.reader}", "-f", str(GRANTS)], check=True,
                   capture_output=True, text=True)
    yield names
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{names.db}" WITH (FORCE)'))
        for role in (names.app, names.reader, names.owner):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def refused(url: str, sql: str) -> str:
    """The SQLSTATE PostgreSQL answers ``sql`` with, run as the role in ``url``."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            return exc.sqlstate
    return "00000"


def test_the_app_role_records_but_cannot_rewrite_the_ledger(roles, tmp_path):
    db = Database(roles.url["app"])  # everything below runs as the app's role
    district = register_district(db)
    collector = accounts.create_user(db, "zhou", Role.COLLECTOR, "zhou-password")
    _, token = devices.issue_device_token(db, collector, "phone")
    settings = Settings(data_dir=tmp_path, database_url=roles.url["app"], code_keys=TEST_KEYS,
                        code_key_id="A", secret_key="s" * 32)
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    client = app.test_client()
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    scan = client.post("/api/v1/scans", content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
                       data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")})
    assert scan.status_code == 201, scan.get_json()
    login = client.post("/login", data={"name": "zhou", "password": "zhou-password",
                                        "csrf_token": _csrf(client)})
    assert login.status_code == 303  # sessions are written and read as the app role too
    key = ledger.load_or_create_signing_key(tmp_path / "key.pem")
    ledger.make_checkpoint(db, key, "custody.test/ledger")  # publishing is an INSERT
    assert ledger.verify(db).ok
    db.dispose()

    app_url = roles.url["app"]
    insufficient_privilege = "42501"  # the grant refuses, before any trigger runs
    for sql in ["UPDATE handovers SET weight_g = 1 WHERE seq = 1",
                "DELETE FROM handovers WHERE seq = 1",
                "TRUNCATE handovers CASCADE",
                "ALTER TABLE handovers DISABLE TRIGGER USER",
                "UPDATE checkpoints SET count = 0",
                "DELETE FROM checkpoints",
                "UPDATE alembic_version SET version_num = '0001'"]:
        assert refused(app_url, sql) == insufficient_privilege, sql
    assert refused(app_url, "SELECT count(*) FROM handovers") == "00000"


def test_the_reader_role_only_reads_and_ledgercheck_runs_with_it(roles):
    for sql in ["INSERT INTO checkpoints (count, head_hash, signed_at, note) "
                "VALUES (0, '', now(), '')",
                "UPDATE ledger_head SET seq = 0", "DELETE FROM handovers",
                "SELECT * FROM credentials", "SELECT * FROM devices"]:
        assert refused(roles.url["reader"], sql) == "42501", sql
    from ledgercheck import check_chain, open_read_only

    conn = open_read_only(roles.url["reader"])
    report, head = check_chain(conn)
    conn.close()
    assert report.broken_at is None and head == (0, "0" * 64)


def _csrf(client) -> str:
    """The login page's CSRF token."""
    client.get("/login")
    with client.session_transaction() as session:
        return session["csrf_token"]

