"""Dependencies point inward: the libraries and the domain stay free of outer layers."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(folder: Path) -> dict[str, set[str]]:
    """Top-level package names imported by each module under a folder."""
    found = {}
    for path in folder.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("library", ["scanners", "labels", "maps", "ledgercheck", "vocabulary"])
def test_libraries_import_neither_flask_nor_custody(library):
    for module, names in imported_roots(ROOT / library).items():
        assert not names & {"flask", "custody", "sqlalchemy"}, module


def test_the_domain_imports_neither_flask_nor_sqlalchemy():
    for module, names in imported_roots(ROOT / "custody" / "domain").items():
        assert not names & {"flask", "sqlalchemy", "werkzeug"}, module


def test_services_do_not_import_the_web_layer():
    for module, names in imported_roots(ROOT / "custody" / "services").items():
        assert "flask" not in names, module
        source = (ROOT / module).read_text(encoding="utf-8")
        assert "custody.web" not in source, module


def test_the_demo_speaks_to_the_services_as_the_web_does_but_never_through_flask():
    """The demo answers its scans with the web's own table (``custody.web.scan_answers``,
    which needs no Flask); nothing else of the web."""
    for module, names in imported_roots(ROOT / "custody" / "demo").items():
        assert "flask" not in names, module
        source = (ROOT / module).read_text(encoding="utf-8")
        assert "custody.web" not in source.replace("custody.web.scan_answers", ""), module
    web = imported_roots(ROOT / "custody" / "web")
    for module in ("scan_answers.py", "catalogs.py"):  # the answers and their words
        answers = web[f"custody/web/{module}"]
        assert not answers & {"flask", "flask_babel", "werkzeug", "sqlalchemy"}, answers
