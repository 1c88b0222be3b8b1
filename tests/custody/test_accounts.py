"""Accounts: passwords, device tokens, revocation and deactivation, and `custody users`."""

import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from custody.cli import cli
from custody.db.schema import Base, Device
from custody.domain.errors import BadPassword, DuplicateUser, UnknownActor, UnknownDevice
from custody.domain.model import Role
from custody.services import accounts, devices


def test_the_right_password_signs_in_and_a_wrong_one_does_not(db):
    actor_id = accounts.create_user(db, "wang", Role.COLLECTOR, "correct horse")
    principal = accounts.authenticate_password(db, "wang", "correct horse")
    assert principal == accounts.Principal(actor_id, "wang", "collector", "session")
    assert accounts.authenticate_password(db, "wang", "correct horsE") is None
    assert accounts.authenticate_password(db, "nobody", "correct horse") is None
    assert accounts.authenticate_password(db, "wang", "x" * 10_000) is None


def test_passwords_are_stored_as_slow_salted_hashes(db):
    accounts.create_user(db, "wang", Role.COLLECTOR, "correct horse")
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM credentials")).scalar_one()
    assert stored.startswith("scrypt:") and "correct horse" not in stored


def test_bad_passwords_and_duplicate_names_are_refused(db, fast_passwords):
    with pytest.raises(BadPassword):
        accounts.create_user(db, "wang", Role.COLLECTOR, "short")
    accounts.create_user(db, "wang", Role.COLLECTOR, "long enough")
    with pytest.raises(DuplicateUser):
        accounts.create_user(db, "wang", Role.DRIVER, "long enough")


def test_a_new_password_replaces_the_old_one(db, fast_passwords):
    actor_id = accounts.create_user(db, "wang", Role.COLLECTOR, "first password")
    accounts.set_password(db, actor_id, "second password")
    assert accounts.authenticate_password(db, "wang", "first password") is None
    assert accounts.authenticate_password(db, "wang", "second password").actor_id == actor_id
    with pytest.raises(UnknownActor):
        accounts.set_password(db, 999, "whatever123")


def test_a_device_token_signs_in_until_revoked(db, fast_passwords):
    actor_id = accounts.create_user(db, "li", Role.DRIVER, "long enough")
    device_id, token = devices.issue_device_token(db, actor_id, "李师傅的手机")
    assert token.startswith(f"cdy_{device_id}_")
    assert devices.authenticate_token(db, token) == accounts.Principal(
        actor_id, "li", "driver", "token", device_id)
    [device] = devices.list_devices(db, actor_id)
    assert device.name == "李师傅的手机" and device.last_used_at is not None
    devices.revoke_device(db, device_id)
    assert devices.authenticate_token(db, token) is None
    devices.revoke_device(db, device_id)  # twice is harmless
    with pytest.raises(UnknownDevice):
        devices.revoke_device(db, 999)


def test_forged_and_malformed_tokens_are_refused(db, fast_passwords):
    actor_id = accounts.create_user(db, "li", Role.DRIVER, "long enough")
    device_id, token = devices.issue_device_token(db, actor_id, "phone")
    other_id, _ = devices.issue_device_token(db, actor_id, "other phone")
    secret = token.split("_", 2)[2]
    for bad in [token[:-1] + ("A" if token[-1] != "A" else "B"), f"cdy_{other_id}_{secret}",
                f"cdy_999_{secret}", "cdy__x", "cdy_x_y", "", secret, token + "x" * 300]:
        assert devices.authenticate_token(db, bad) is None, bad


def test_a_deactivated_actor_is_refused_on_every_device(db, fast_passwords):
    actor_id = accounts.create_user(db, "li", Role.DRIVER, "long enough")
    _, token = devices.issue_device_token(db, actor_id, "phone")
    accounts.set_active(db, actor_id, False)
    assert devices.authenticate_token(db, token) is None
    assert accounts.authenticate_password(db, "li", "long enough") is None
    with pytest.raises(Exception, match="deactivated"):
        devices.issue_device_token(db, actor_id, "new phone")
    accounts.set_active(db, actor_id, True)
    assert devices.authenticate_token(db, token).actor_id == actor_id


def test_the_raw_token_is_stored_nowhere(db, fast_passwords):
    actor_id = accounts.create_user(db, "li", Role.DRIVER, "long enough")
    device_id, token = devices.issue_device_token(db, actor_id, "phone")
    devices.authenticate_token(db, token)
    secret = token.split("_", 2)[2]
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                assert not any(secret in str(value) for value in row), table.name
    with db.read() as session:
        stored = session.scalars(select(Device.token_hash).where(Device.id == device_id)).one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_only_admins_may_manage_admins_devices():
    assert devices.may_manage("admin", "admin")
    assert devices.may_manage("supervisor", "driver")
    assert not devices.may_manage("supervisor", "admin")
    assert not devices.may_manage("driver", "driver")


@pytest.fixture
def run(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("CUSTODY_CODE_KEYS", "A:" + "11" * 32)
    runner = CliRunner()

    def invoke(*args, code=0, stdin=None):
        result = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "--database-url",
                                     database_url, *args], input=stdin)
        assert result.exit_code == code, result.output + repr(result.exception)
        return result

    return invoke


def test_the_users_commands(run, db, fast_passwords):
    actor_id = int(run("users", "add", "wang", "--role", "collector", "--password-stdin",
                       stdin="correct horse\n").stdout)
    assert accounts.authenticate_password(db, "wang", "correct horse").actor_id == actor_id
    result = run("users", "token", "wang", "--device", "王师傅的手机")
    token = result.stdout.strip()
    assert devices.authenticate_token(db, token).name == "wang"
    assert "shown once" in result.stderr
    assert "王师傅的手机" in run("users", "devices", "wang").stdout
    device_id = token.split("_")[1]
    run("users", "revoke", device_id)
    assert devices.authenticate_token(db, token) is None
    assert "revoked" in run("users", "devices").stdout
    run("users", "add", "wang", "--role", "driver", "--password-stdin", stdin="another one\n",
        code=1)
    run("users", "add", "zhao", "--role", "driver", "--password-stdin", stdin="short\n", code=1)
    run("users", "token", "nobody", "--device", "x", code=1)
    run("users", "password", "wang", "--password-stdin", stdin="brand new one\n")
    assert accounts.authenticate_password(db, "wang", "brand new one") is not None
    run("users", "active", "wang", "off")
    assert accounts.authenticate_password(db, "wang", "brand new one") is None


def test_users_add_prompts_twice_for_the_password(run, db, fast_passwords):
    run("users", "add", "wang", "--role", "admin", stdin="correct horse\ncorrect horse\n")
    assert accounts.authenticate_password(db, "wang", "correct horse").role == "admin"
