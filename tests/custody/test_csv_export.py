"""CSV exports are safe to open in a spreadsheet: a formula-like name arrives as text."""

import csv
import io
from pathlib import Path

import pytest

from custody.services.csv_export import csv_lines, spreadsheet_safe
from tests.custody.test_accounts_web import sign_in
from tests.custody.test_cli import run  # noqa: F401  (the fixture)

HOSTILE_VILLAGE = "=cmd|' /C calc'!A0"
HOSTILE_BOOTH = "@SUM(1+1)*cmd|' /C calc'!A0"
DAY = "2026-11-02"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_like_text_cell_is_escaped(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["凤桥村", "B00000001", "", "a=b", 12, -3.5, 0.0, None, True])
def test_other_cells_are_left_alone(value):
    assert spreadsheet_safe(value) == value


def test_negative_numbers_stay_numbers_and_text_that_looks_like_one_does_not():
    rows = [{"node": "-5", "gap_kg": -3.5, "count": -2}]
    assert list(csv.reader(io.StringIO("".join(csv_lines(rows))))) == [
        ["node", "gap_kg", "count"], ["'-5", "-3.5", "-2"]]


@pytest.fixture
def hostile_district(run, tmp_path):  # noqa: F811
    """A booth and bin imported from a CSV with formula-like names, and a weighed deposit."""
    sheet = tmp_path / "assets.csv"
    sheet.write_text("kind,category,name,village,lat,lon,site,household\n"
                     f'booth,,"{HOSTILE_BOOTH}","{HOSTILE_VILLAGE}",30.7,120.8,,\n',
                     encoding="utf-8")
    run("assets", "import", str(sheet))
    run("assets", "add", "--kind", "bin", "--category", "kitchen", "--site", "S00000001")
    run("assets", "add", "--kind", "vehicle", "--name", "-cart")
    run("actors", "add", "wang", "--role", "collector")
    run("handover", "--from", "N00000001", "--to", "V00000001", "--actor", "wang",
        "--weight", "12.5", "--lat", "30.7", "--lon", "120.8", "--time", f"{DAY}T01:00:00")
    return run


def cells(text: str) -> list[list[str]]:
    """The rows of a CSV document."""
    return list(csv.reader(io.StringIO(text)))


def test_the_public_tonnage_csv_escapes_a_formula_village(hostile_district, client):
    body = client.get(f"/api/v1/tonnage.csv?from={DAY}&to={DAY}&level=village")
    assert body.status_code == 200 and body.mimetype == "text/csv"
    rows = cells(body.get_data(as_text=True))
    assert {row[2] for row in rows[1:]} == {"'" + HOSTILE_VILLAGE}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    kitchen = dict(zip(rows[0], next(row for row in rows if row[4] == "kitchen"), strict=True))
    assert kitchen["collected_kg"] == "12.5"  # the weight is still a number


def test_the_staff_booth_csv_escapes_a_formula_name(hostile_district, client, people):
    sign_in(client, people["supervisor"]["name"], people["supervisor"]["password"])
    rows = cells(client.get(f"/api/v1/tonnage.csv?from={DAY}&to={DAY}&level=booth"
                            ).get_data(as_text=True))
    assert rows[0][:5] == ["day", "level", "node", "name", "category"]
    assert {row[3] for row in rows[1:]} == {"'" + HOSTILE_BOOTH}


def test_the_cli_export_escapes_too(hostile_district):
    out = hostile_district("rollups", "tonnage", "--from", DAY, "--to", DAY, "--level",
                           "village").output
    assert {row[2] for row in cells(out)[1:]} == {"'" + HOSTILE_VILLAGE}


def test_every_csv_writer_in_the_service_is_the_one_helper():
    root = Path(__file__).resolve().parents[2] / "custody"
    writers = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
               if "csv.writer" in p.read_text() or "DictWriter" in p.read_text()]
    assert writers == ["services/csv_export.py"]
