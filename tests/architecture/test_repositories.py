"""Services reach the database one way: the repositories (``custody.db.repositories``).

The modules listed here build no SQL: they import nothing from SQLAlchemy, the
tables (``custody.db.schema``) or the raw cursor (``custody.db.prepared``), only
the repositories and the engine. The raw cursor is used nowhere in the services.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "custody" / "services"
FORBIDDEN = ("sqlalchemy", "custody.db.prepared", "custody.db.schema")

# The scan path (upload → decode → verify code → plan → rules → ledger → rollup) and the
# reads that follow it, and the desk's reads; every module here speaks only to repositories.
THROUGH_REPOSITORIES = [
    "scans", "scan_photos", "scan_planning", "scan_attempts", "handovers",
    "handover_appender", "asset_states", "tonnage", "ledger", "accounts", "devices", "rollups",
    "whereabouts", "activity_rollups", "map_view", "corrections", "browser_sessions",
    # the supervisor's desk
    "flag_reviews", "scan_reads", "asset_reads", "record_filters",
    # the reports
    "assessment_counts", "household_days", "facility_balance", "tonnage_summary",
    # the asset register
    "assets", "label_sheets", "asset_names", "towns", "enrolment", "facilities",
    # the public trace
    "trace",
    # re-deriving the rollups
    "rollup_rebuild",
]


def imported_modules(path: Path) -> set[str]:
    """Every module name a file imports (``from a.b import c`` gives ``a.b`` and ``a.b.c``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def reaches(names: set[str], forbidden: str) -> bool:
    return any(n == forbidden or n.startswith(forbidden + ".") for n in names)


@pytest.mark.parametrize("module", THROUGH_REPOSITORIES)
def test_the_scan_path_builds_no_sql(module):
    names = imported_modules(SERVICES / f"{module}.py")
    assert not [f for f in FORBIDDEN if reaches(names, f)], names
    database = {n for n in names if reaches({n}, "custody.db")}
    assert all(reaches({n}, "custody.db.repositories") or reaches({n}, "custody.db.engine")
               for n in database), database


# The one service that holds an ORM session (its repositories ride on it); it builds no SQL.
HOLDS_THE_SESSION = {"unit_of_work"}


def test_every_service_reaches_the_database_through_repositories():
    """Not only the listed modules: no service builds SQL or names a table."""
    builders = {p.stem for p in SERVICES.rglob("*.py")
                if any(reaches(imported_modules(p), f) for f in FORBIDDEN)
                or reaches(imported_modules(p), "custody.db.rollup_tables")
                or reaches(imported_modules(p), "custody.db.account_tables")}
    assert builders <= HOLDS_THE_SESSION, builders - HOLDS_THE_SESSION


def test_the_raw_cursor_is_used_only_inside_the_repositories():
    users = {str(p.relative_to(ROOT)) for p in (ROOT / "custody").rglob("*.py")
             if reaches(imported_modules(p), "custody.db.prepared")
             or "from custody.db import prepared" in p.read_text(encoding="utf-8")}
    inside = {u for u in users if u.startswith("custody/db/repositories/")}
    assert users == inside, users - inside


def test_no_sql_is_written_as_text():
    """No text() or driver SQL in the services: statements are SQLAlchemy expressions."""
    for path in SERVICES.glob("*.py"):
        assert "sqlalchemy.text" not in imported_modules(path), path.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "exec_driver_sql":
                pytest.fail(f"{path.name}:{node.lineno} runs SQL text")
