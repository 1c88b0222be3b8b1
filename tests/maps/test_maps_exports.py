"""The package's public surface is exactly what __all__ names."""

from __future__ import annotations

import ast
from pathlib import Path

import maps


def test_all_names_exist():
    for name in maps.__all__:
        assert hasattr(maps, name), name


def test_every_public_name_is_exported():
    public = {name for name in vars(maps) if not name.startswith("_")}
    submodules = {name for name in public if getattr(maps, name).__class__.__name__ == "module"}
    assert public - submodules == set(maps.__all__)


def test_maps_does_not_import_custody_or_flask():
    for source in Path(maps.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"custody", "flask", "sqlalchemy"}, source
