"""A full disk answers 507 with a clear message, loses nothing, and recovers by itself.

The data folder (or only the database, or only the photos) is put on a small tmpfs that is
then filled to the last byte; PostgreSQL's disk_full (SQLSTATE 53100) is raised by the real
server from a trigger.
"""

import errno
import io
import subprocess
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

import scanners
from custody.config import Settings
from custody.db import migrate
from custody.db.engine import Database
from custody.db.full import is_storage_full
from custody.db.schema import Handover, ScanAttempt
from custody.domain.model import Role
from custody.services import accounts, devices, ledger
from custody.web import create_app
from tests.conftest import TEST_KEYS
from tests.custody.conftest import register_district
from tests.custody.photos import phone_photo
from tests.custody.test_accounts_web import HTML

DISK_MB = 24


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of DISK_MB megabytes, unmounted afterwards (skips where mount is not allowed)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs",
                           str(mount_point)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); "
                    "run the tests as root to check a full disk")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder) -> "Filler":
    """Fill the file system under ``folder`` to the last byte."""
    return Filler(folder / "filler.bin")


class Filler:
    """A file that takes every free byte, until ``free()``."""

    def __init__(self, path):
        self.path = path
        with open(path, "wb", buffering=0) as fh:
            block = b"\0" * (1 << 20)
            while block:
                try:
                    fh.write(block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    block = block[: len(block) // 2]

    def free(self) -> None:
        """Give the space back."""
        self.path.unlink()


@pytest.fixture(params=["all", "database", "photos"])
def full_site(request, small_disk, tmp_path):
    """An app whose data folder, database or photo folder lives on the small disk."""
    on_disk = request.param
    data_dir = small_disk if on_disk in ("all", "photos") else tmp_path / "data"
    db_folder = small_disk if on_disk in ("all", "database") else tmp_path
    db = Database(f"sqlite:///{db_folder / 'custody.sqlite'}")
    migrate.upgrade(db)
    settings = Settings(data_dir=data_dir, database_url=db.url.render_as_string(False),
                        code_keys=TEST_KEYS,
                        code_key_id="A", secret_key="s" * 32)
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    collector = accounts.create_user(db, "zhou", Role.COLLECTOR, "zhou-password")
    _, token = devices.issue_device_token(db, collector, "zhou's phone")
    yield SimpleNamespace(app=app, db=db, district=register_district(db), disk=small_disk,
                          auth={"Authorization": f"Bearer {token}"}, what=on_disk)
    db.dispose()


def upload(client, auth, photo: bytes, key: str):
    """A phone's upload, as phone.js sends it."""
    return client.post("/api/v1/scans", content_type="multipart/form-data",
                       headers={**auth, "Idempotency-Key": key, "Accept": "application/json"},
                       data={"action": "deposit", "weight_kg": "1.5",
                             "photo": (io.BytesIO(photo), "photo.jpg")})


def stored(db) -> tuple[int, int]:
    """(handovers, scan attempts) in the database."""
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Handover)),
                s.scalar(select(func.count()).select_from(ScanAttempt)))


def test_a_full_disk_answers_507_loses_nothing_and_recovers(full_site):
    site, d = full_site, full_site.district
    client = site.app.test_client()
    first = upload(client, site.auth, phone_photo(d.kitchen_bag, d.kitchen_bin), "first")
    assert first.status_code == 201, first.get_json()
    before = stored(site.db)

    filler = fill(site.disk)
    photo = phone_photo(d.hazardous_bag, d.other_bin, seed=7)
    refused = upload(client, site.auth, photo, "second")
    assert refused.status_code == 507, (site.what, refused.status_code, refused.get_data())
    error = refused.get_json()["error"]
    assert error["code"] == "storage_full" and "存储空间已满" in error["message_zh"]
    assert "存储空间已满" in error["message"] and int(refused.headers["Retry-After"]) > 0
    assert "storage is full" in error["detail"]
    assert stored(site.db) == before and ledger.verify(site.db).ok  # nothing lost
    # the public still reads what is stored
    assert client.get(f"/api/v1/scans/{first.get_json()['scan_id']}",
                      headers=site.auth).status_code == 200
    again = upload(client, site.auth, photo, "second")  # the phone's retry, still full
    assert again.status_code == 507

    filler.free()
    recovered = upload(client, site.auth, photo, "second")
    assert recovered.status_code == 201, recovered.get_json()
    assert stored(site.db) == (before[0] + 1, before[1] + 1) and ledger.verify(site.db).ok


def test_a_browser_gets_a_507_page_in_its_language(full_site):
    if full_site.what == "photos":
        pytest.skip("signing in writes to the database only")
    client = full_site.app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    filler = fill(full_site.disk)
    page = client.post("/login", headers=HTML, data={"name": "zhou", "password": "zhou-password",
                                                     "csrf_token": token})
    assert page.status_code == 507
    body = page.get_data(as_text=True)
    assert "服务器存储空间已满" in body and "Server storage is full" not in body
    english = client.post("/login", headers={**HTML, "Accept-Language": "en"},
                          data={"name": "zhou", "password": "zhou-password", "csrf_token": token})
    assert english.status_code == 507
    assert "Server storage is full" in english.get_data(as_text=True)
    filler.free()
    assert client.post("/login", data={"name": "zhou", "password": "zhou-password",
                                       "csrf_token": token}).status_code == 303


def test_postgresql_disk_full_is_507_too(settings, db, district, people):
    if db.is_sqlite:
        pytest.skip("PostgreSQL's disk_full class (53100)")
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    with db.engine.begin() as conn:  # the server itself answers disk_full on the next write
        conn.execute(text("CREATE FUNCTION test_disk_full() RETURNS trigger AS $$ BEGIN "
                          "RAISE EXCEPTION 'could not extend file: No space left on device' "
                          "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER test_disk_full BEFORE INSERT ON scan_attempts "
                          "FOR EACH ROW EXECUTE FUNCTION test_disk_full()"))
    client = app.test_client()
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    key = str(uuid.uuid4())
    try:
        refused = upload(client, people["collector"]["auth"], photo, key)
        assert refused.status_code == 507
        assert refused.get_json()["error"]["code"] == "storage_full"
        assert stored(db) == (0, 0)
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER test_disk_full ON scan_attempts"))
            conn.execute(text("DROP FUNCTION test_disk_full()"))
    assert upload(client, people["collector"]["auth"], photo, key).status_code == 201
    assert stored(db) == (1, 1) and ledger.verify(db).ok


def test_other_failures_are_not_mistaken_for_a_full_disk():
    assert not is_storage_full(OSError(errno.EACCES, "denied"))
    assert not is_storage_full(ValueError("x"))
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert is_storage_full(wrapped)
