"""The package surface: complete exports, and a library that imports neither custody nor Flask."""

from __future__ import annotations

import subprocess
import sys
import types

import labels


def test_all_names_exist() -> None:
    for name in labels.__all__:
        assert hasattr(labels, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(labels).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(labels.__all__)


def test_exported_objects_come_from_private_modules() -> None:
    for name in labels.__all__:
        module = getattr(getattr(labels, name), "__module__", "labels._")
        assert module.startswith("labels._"), (name, module)


def test_importing_labels_pulls_in_no_custody_flask_or_database() -> None:
    code = (
        "import sys, labels; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('custody', 'flask', 'sqlalchemy', 'psycopg')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
