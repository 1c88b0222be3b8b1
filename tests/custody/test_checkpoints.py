"""Checkpoints verify with the public key alone: served at public URLs, checked by the
standalone ``ledgercheck`` against a read-only database, on SQLite and PostgreSQL."""

import base64
import hashlib
import subprocess
import sys

import pytest

from custody.services import ledger
from tests.custody.test_cli import register_path, run  # noqa: F401  (the fixture)
from tests.custody.test_verify import rehash_from, tamper


@pytest.fixture
def published(run, settings, tmp_path):  # noqa: F811
    """Three records and a checkpoint signed by `custody checkpoint`, the app's data folder."""
    register_path(run)
    for bag in ("B00000001", "B00000002"):
        run("handover", "--from", bag, "--to", "N00000001", "--actor", "wang")
    run("handover", "--from", "N00000001", "--to", "V00000001", "--actor", "wang")
    run("checkpoint", "--out", str(tmp_path / "checkpoint.txt"))
    # `custody init` wrote the verifier key where the app serves it from (one data folder
    # here; a deployment copies the key file to its app hosts, never the private key)
    assert settings.checkpoint_public_key_file == tmp_path / "data" / "checkpoint.vkey"
    return tmp_path / "data"


def ledgercheck(*args: str) -> subprocess.CompletedProcess:
    """Run the standalone verifier as a third party would."""
    return subprocess.run([sys.executable, "-m", "ledgercheck", *args], capture_output=True,
                          text=True, timeout=120)


def test_the_checkpoint_and_key_are_public_and_check_out(published, live_url, database_url,
                                                        client):
    note = client.get("/ledger/checkpoint")
    key = client.get("/ledger/key")
    assert note.status_code == key.status_code == 200
    assert note.mimetype == key.mimetype == "text/plain"
    done = ledgercheck("--checkpoint", f"{live_url}/ledger/checkpoint",
                       "--key", f"{live_url}/ledger/key", "--database", database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 3 records intact; the first 3 are those the checkpoint")


def test_the_note_is_a_c2sp_signed_note(published, client):
    note = client.get("/ledger/checkpoint").get_data(as_text=True)
    vkey = client.get("/ledger/key").get_data(as_text=True).strip()
    text, signatures = note.split("\n\n")
    origin, count, head, when = text.split("\n")
    assert origin == "custody.nanhu.jiaxing.cn/ledger" and count == "3"
    assert len(base64.b64decode(head)) == 32 and when.startswith("time 20")
    (line,) = signatures.strip().split("\n")
    dash, name, blob = line.split(" ")
    assert dash == "\u2014" and name == origin
    name_k, id_hex, encoded = vkey.split("+", 2)
    raw = base64.b64decode(encoded)
    assert name_k == origin and raw[0] == 1 and len(raw) == 33
    expected_id = hashlib.sha256(origin.encode() + b"\n\x01" + raw[1:]).digest()[:4]
    assert bytes.fromhex(id_hex) == expected_id == base64.b64decode(blob)[:4]


def test_a_rewritten_history_is_caught_by_the_standalone_verifier(published, db, database_url,
                                                                   tmp_path, client):
    (tmp_path / "key").write_text(client.get("/ledger/key").get_data(as_text=True))
    tamper(db, "UPDATE handovers SET actor_id = actor_id WHERE seq = 2")
    assert ledger.verify(db).ok
    tamper(db, "UPDATE handovers SET note = 'moved' WHERE seq = 2")
    rehash_from(db, 2)
    assert ledger.verify(db).ok  # the chain alone cannot tell
    done = ledgercheck("--checkpoint", str(tmp_path / "checkpoint.txt"),
                       "--key", str(tmp_path / "key"), "--database", database_url)
    assert done.returncode == 1 and "BROKEN at record 3: history rewritten" in done.stderr


def test_an_edited_record_is_named(published, db, database_url, tmp_path, client):
    tamper(db, "UPDATE handovers SET weight_g = 5 WHERE seq = 2")
    key = client.get("/ledger/key").get_data(as_text=True).strip()
    done = ledgercheck("--checkpoint", str(tmp_path / "checkpoint.txt"), "--key", key,
                       "--database", database_url)
    assert done.returncode == 1 and "BROKEN at record 2" in done.stderr


def test_a_checkpoint_from_another_key_is_not_trusted(published, database_url, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledgercheck import verifier_key

    stranger = verifier_key("custody.nanhu.jiaxing.cn/ledger",
                            Ed25519PrivateKey.generate().public_key())
    done = ledgercheck("--checkpoint", str(tmp_path / "checkpoint.txt"), "--key", stranger,
                       "--database", database_url)
    assert done.returncode == 2 and "not signed by the trusted key" in done.stderr


def test_verify_against_never_reads_or_makes_the_private_key(published, run, tmp_path,  # noqa: F811
                                                             monkeypatch):
    private = published / "checkpoint-ed25519.pem"
    private.rename(tmp_path / "kept-offline.pem")  # the signing host keeps it, not this one
    out = run("verify", "--against", str(tmp_path / "checkpoint.txt")).output
    assert out.startswith("ok: 3 records") and not private.exists()
    (published / "checkpoint.vkey").rename(tmp_path / "checkpoint.vkey")
    refused = run("verify", "--against", str(tmp_path / "checkpoint.txt"), code=1).output
    assert "no verifier key" in refused and not private.exists()
    out = run("verify", "--against", str(tmp_path / "checkpoint.txt"), "--key",
              str(tmp_path / "checkpoint.vkey")).output
    assert out.startswith("ok: 3 records") and not private.exists()


def test_before_any_checkpoint_the_urls_say_so(client):
    for path in ("/ledger/checkpoint", "/ledger/key"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404 and "尚未发布" in response.get_data(as_text=True)
