"""Fixtures for label tests that need the CJK font scripts/setup.sh installs."""

from __future__ import annotations

import pytest

from labels import cjk_font_path
from labels._truetype import open_face


@pytest.fixture(scope="session")
def font_path() -> str:
    """The CJK font labels use (scripts/setup.sh installs fonts-wqy-microhei)."""
    path = cjk_font_path()
    assert path is not None, "no CJK font installed: run scripts/setup.sh (fonts-wqy-microhei)"
    return path


@pytest.fixture(scope="session")
def notdef(font_path: str) -> str:
    """Three private-use characters the font lacks: each draws the .notdef box."""
    face = open_face(font_path)
    return "".join([chr(c) for c in range(0xE000, 0xF900) if not face.glyph_id(chr(c))][:3])
