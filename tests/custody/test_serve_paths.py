"""Paths as the README runs them: `custody serve` from the repository root, data in ./data.

The served app is started exactly as ``scripts/serve.sh`` starts it (the .venv's
``custody`` console script, the default relative data folder ``data``), from a
temporary copy of the repository root (every top-level entry linked, ``data``
left out), so the test leaves nothing in the checkout. A collector's phone
records a photographed deposit over HTTP; both photo URLs must then answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from custody.config import Settings
from custody.db.engine import Database, sqlite_url
from custody.domain.model import Role
from custody.services import accounts, devices
from tests.conftest import TEST_KEYS
from tests.custody.conftest import register_district
from tests.custody.photos import phone_photo
from tests.deploy.test_nginx_recipe import free_port, stop_group, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the repository root: its entries linked, no data folder."""
    root = tmp_path / "custody-checkout"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("data", "test-artifacts", ".pytest_cache"):
            (root / entry.name).symlink_to(entry)
    if not (root / ".venv").exists():  # tests run from another interpreter's venv
        (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return root


def readme_env() -> dict[str, str]:
    """The environment of a shell that runs the README's commands: no Custody settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CUSTODY_") and k != "DATABASE_URL"}
    env["CUSTODY_SCAN_WORKERS"] = "1"  # one decoder process: a small test machine
    return env


def test_custody_serve_from_the_repository_root_serves_the_photos_it_records(
        checkout, fast_passwords):
    env = readme_env()
    custody = ".venv/bin/custody"  # as scripts/serve.sh calls it, relative to the root
    data = checkout / "data"
    # The label keys an operator would have set; kept where `custody init` keeps them.
    data.mkdir()
    (data / "code-keys.json").write_text(json.dumps({k: v.hex() for k, v in TEST_KEYS.items()}))
    subprocess.run([custody, "init"], cwd=checkout, env=env, check=True, capture_output=True)
    assert (data / "custody.sqlite").exists()

    db = Database(sqlite_url(data))
    district = register_district(db)
    collector = accounts.create_user(db, "zhou", Role.COLLECTOR, "zhou-password")
    _, phone = devices.issue_device_token(db, collector, "王师傅的手机")
    supervisor = accounts.create_user(db, "demo", Role.SUPERVISOR, "demo-password")
    _, office = devices.issue_device_token(db, supervisor, "office")
    db.dispose()

    port = free_port()
    server = subprocess.Popen([custody, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "1", "--threads", "2"], cwd=checkout, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        wait_for_port(port, server)
        base = f"http://127.0.0.1:{port}"
        photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
        answer = _post_until_up(base, phone, photo)
        assert answer.status_code == 201, answer.text
        sha = answer.json()["photo_sha256"]

        public = requests.get(f"{base}/photos/{sha}.jpg", timeout=30)
        assert public.status_code == 200, public.text[:300]
        assert public.headers["Content-Type"] == "image/jpeg" and public.content[:2] == b"\xff\xd8"
        original = requests.get(f"{base}/photos/{sha}/original",
                                headers={"Authorization": f"Bearer {office}"}, timeout=30)
        assert original.status_code == 200, original.text[:300]
        assert original.content == photo  # the upload, byte for byte
    finally:
        stop_group(server, signal.SIGQUIT)
        errors = server.stderr.read().decode("utf-8", "replace")
        server.stderr.close()
    assert "Traceback" not in errors, errors[-3000:]
    # the photos are in ./data of the root it ran from, and nowhere in the checkout
    assert len(list((data / "photos" / "originals").rglob("*"))) == 2  # a folder, a file
    assert not (ROOT / "custody" / "web" / "data").exists()
    assert not (ROOT / "custody" / "data").exists()


def _post_until_up(base: str, token: str, photo: bytes) -> requests.Response:
    """The phone's upload (multipart photo, action, token, key), retried while workers boot."""
    key = str(uuid.uuid4())
    for _ in range(60):
        try:
            return requests.post(
                f"{base}/api/v1/scans", timeout=60,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                data={"action": "deposit", "weight_kg": "1.4",
                      "client_time": "2026-11-22T08:00:00+08:00"},
                files={"photo": ("scan.jpg", photo, "image/jpeg")})
        except requests.ConnectionError:
            time.sleep(0.5)
    raise TimeoutError("the server did not answer")


def test_every_configured_path_is_absolute_once_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(code_keys=TEST_KEYS, secret_key="x")
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'custody.sqlite'}"
    assert settings.checkpoint_key_file == tmp_path / "data" / "checkpoint-ed25519.pem"
    assert settings.checkpoint_public_key_file == tmp_path / "data" / "checkpoint.vkey"
    given = Settings(data_dir=Path("d"), database_url="sqlite:///db/x.sqlite",
                     checkpoint_key_file=Path("keys/k.pem"), code_keys=TEST_KEYS, secret_key="x")
    assert given.data_dir == tmp_path / "d"
    assert given.database_url == f"sqlite:///{tmp_path / 'db' / 'x.sqlite'}"
    assert given.checkpoint_key_file == tmp_path / "keys" / "k.pem"
    monkeypatch.chdir(tmp_path / "..")  # resolved once: a later chdir changes nothing
    assert given.data_dir == tmp_path / "d"
    pg = "postgresql+psycopg://custody@db.example/custody"
    assert Settings(database_url=pg, code_keys=TEST_KEYS, secret_key="x").database_url == pg
    env = {"CUSTODY_DATA_DIR": "rel", "CUSTODY_CODE_KEYS": f"A:{TEST_KEYS['A'].hex()}",
           "CUSTODY_SECRET_KEY": "x"}
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env(env).data_dir == tmp_path / "rel"
