"""Shared pieces of the label tests: one identity scheme, a label maker, the CJK font."""

from __future__ import annotations

import subprocess

import pytest

from labels import IdentityScheme, LabelData, asset_id, cjk_font_path
from labels._fonts import open_font

SCHEME = IdentityScheme("waste.nanhu.jiaxing.gov", {"A": bytes(range(32))}, "A")


def make_label(kind: str, serial: int, category: str | None,
               site: str | None = "凤桥镇联丰村") -> LabelData:
    """A label for a fresh asset."""
    ident = asset_id(kind, serial)
    return LabelData(SCHEME.make_code(ident), ident, kind, category, site)


def pdf_tool(*args: str) -> str:
    """What a poppler tool (pdftotext, pdffonts, ...) prints."""
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def font_path() -> str:
    """The CJK font labels use (scripts/setup.sh installs fonts-wqy-microhei)."""
    path = cjk_font_path()
    assert path is not None, "no CJK font installed: run scripts/setup.sh (fonts-wqy-microhei)"
    return path


@pytest.fixture(scope="session")
def notdef(font_path: str) -> str:
    """Three private-use characters the font lacks: each draws the .notdef box."""
    cmap = open_font(font_path).getBestCmap()
    return "".join([chr(c) for c in range(0xE000, 0xF900) if c not in cmap][:3])
