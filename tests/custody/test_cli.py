"""The `custody` command, end to end on a real database."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from custody.cli import cli


@pytest.fixture
def run(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("CUSTODY_CODE_KEYS", "A:" + "11" * 32)
    runner = CliRunner()

    def invoke(*args, code=0):
        result = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "--database-url",
                                     database_url, *args])
        assert result.exit_code == code, result.output + repr(result.exception)
        return result

    invoke("init")
    return invoke


def register_path(run):
    run("assets", "add", "--kind", "booth", "--village", "凤桥村", "--lat", "30.7", "--lon",
        "120.8")
    run("assets", "add", "--kind", "bin", "--category", "kitchen", "--site", "S00000001")
    run("assets", "add", "--kind", "bag", "--category", "kitchen", "--count", "2")
    run("assets", "add", "--kind", "vehicle")
    run("actors", "add", "wang", "--role", "collector")


def test_init_add_handover_where_verify(run):
    register_path(run)
    out = run("handover", "--from", "B00000001", "--to", "N00000001", "--actor", "wang",
              "--weight", "1.5", "--lat", "30.7", "--lon", "120.8").output
    assert "recorded #1 B00000001 -> N00000001 (deposit); flags: none" in out
    out = run("handover", "--from", "N00000001", "--to", "V00000001", "--actor", "wang").output
    assert "recorded #2" in out
    where = json.loads(run("where", "B00000001", "--json").output)
    assert where["container"] == "V00000001" and len(where["path"]) == 2
    assert run("verify").output.startswith("ok: 2 records")


def test_checkpoint_then_verify_against_it(run, tmp_path):
    register_path(run)
    run("handover", "--from", "B00000001", "--to", "N00000001", "--actor", "wang")
    cp = tmp_path / "checkpoint.txt"
    run("checkpoint", "--out", str(cp))
    assert cp.read_text().split("\n")[1] == "1"  # origin, then the count
    assert "ok: 1 records" in run("verify", "--against", str(cp)).output


def test_verify_exits_1_naming_the_tampered_record(run, database_url):
    register_path(run)
    run("handover", "--from", "B00000001", "--to", "N00000001", "--actor", "wang")
    from custody.db.engine import Database
    from tests.custody.test_verify import tamper

    db = Database(database_url)
    tamper(db, "UPDATE handovers SET weight_g = 5 WHERE seq = 1")
    db.dispose()
    out = run("verify", code=1).output
    assert "BROKEN at record 1" in out and "edited" in out


def test_bad_input_gets_a_clear_error_and_changes_nothing(run, database_url):
    register_path(run)
    out = run("handover", "--from", "B00000099", "--to", "N00000001", "--actor", "wang",
              code=1).output
    assert "no asset B00000099" in out
    out = run("handover", "--from", "B00000001", "--to", "N00000001", "--actor", "nobody",
              code=1).output
    assert "no actor named 'nobody'" in out
    out = run("handover", "--from", "B00000001", "--to", "N00000001", "--actor", "wang",
              "--weight", "-3", code=1).output
    assert "weight out of range" in out
    assert run("verify").output.startswith("ok: 0 records")


def test_import_reports_bad_rows_and_imports_nothing(run, tmp_path, database_url):
    csv = tmp_path / "assets.csv"
    csv.write_text("kind,category\nbag,kitchen\nbag,plastic\n", encoding="utf-8")
    out = run("assets", "import", str(csv), code=1).output
    assert "row 3: unknown category 'plastic'" in out
    assert "imported 1" in run("assets", "import", str(csv), "--skip-bad").output
    from custody.db.engine import Database

    db = Database(database_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assets")).scalar() == 1
    db.dispose()


def test_labels_issue_and_print(run, tmp_path):
    out = tmp_path / "bags.pdf"
    result = run("labels", "issue", "--kind", "bag", "--category", "kitchen", "--count", "5",
                 "--village", "凤桥村", "--out", str(out))
    assert "issued 5 labels B00000001..B00000005" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = run("labels", "print", "B00000002", "B00000004", "--out", str(tmp_path / "r.pdf"),
                 "--layout", "thermal")
    assert "printed 2 labels" in result.output
    assert "no asset B00000099" in run("labels", "print", "B00000099", "--out",
                                       str(tmp_path / "x.pdf"), code=1).output
