"""Chinese on PDF sheets: an embedded font subset that any reader draws, and text that extracts."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labels import LabelData, _pdffont, write_sheet
from tests.labels.conftest import make_label, pdf_tool

SITES = ["凤桥镇联丰村", "七星街道湘东村", "新丰镇竹林村"]


def bag(serial: int, site: str, category: str = "kitchen") -> LabelData:
    """A bag label for a site."""
    return make_label("bag", serial, category, site)


def fonts(pdf: Path) -> list[list[str]]:
    """``pdffonts`` rows: name, type words..., encoding, emb, sub, uni, object, generation."""
    return [line.split() for line in pdf_tool("pdffonts", str(pdf)).splitlines()[2:]]


def test_chinese_uses_one_embedded_subset_font_for_the_whole_sheet(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    write_sheet((bag(i, SITES[i % 3]) for i in range(49)), out)
    rows = fonts(out)
    cid = [row for row in rows if "CID" in row]
    assert len(cid) == 1, rows
    name, *kind, encoding, emb, sub, uni, _, _ = cid[0]
    assert re.fullmatch(r"[A-Z]{6}\+\w+", name) and kind == ["CID", "TrueType"]
    assert (encoding, emb, sub, uni) == ("Identity-H", "yes", "yes", "yes")
    assert not any("STSong" in row[0] for row in rows)


def test_chinese_text_extracts_from_the_embedded_font(tmp_path: Path, notdef: str) -> None:
    out = tmp_path / "sheet.pdf"
    write_sheet([bag(i, site) for i, site in enumerate([*SITES, "A&B " + notdef])], out)
    text = pdf_tool("pdftotext", str(out), "-")
    for expected in [*SITES, "厨余垃圾", "袋 Bag", "A&B " + notdef]:
        assert expected in text


def site_line(pdf: Path) -> np.ndarray:
    """Ink of the site line of a thermal label, as poppler renders it at 300 dpi."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-singlefile", pdf, prefix], check=True)
    pixels = np.asarray(Image.open(prefix.with_suffix(".pgm")))
    return pixels[262:306, 354:591] < 128


def test_rendered_chinese_is_glyphs_not_notdef_boxes(tmp_path: Path, notdef: str) -> None:
    write_sheet([bag(1, "联丰村")], tmp_path / "chinese.pdf", layout="thermal")
    write_sheet([bag(1, notdef)], tmp_path / "boxes.pdf", layout="thermal")
    chinese, boxes = site_line(tmp_path / "chinese.pdf"), site_line(tmp_path / "boxes.pdf")
    assert boxes.any() and chinese.sum() > 1.5 * boxes.sum()
    assert (chinese ^ boxes).sum() > 0.6 * (chinese | boxes).sum()


def test_without_a_cjk_font_sheets_refer_to_stsong_and_warn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_pdffont, "cjk_font_path", lambda: None)
    out = tmp_path / "sheet.pdf"
    with pytest.warns(UserWarning, match="STSong-Light"):
        write_sheet([bag(1, SITES[0])], out)
    # Poppler without poppler-data lacks the UniGB-UCS2-H CMap: it neither lists nor extracts
    # this font, so read the objects themselves.
    pdf = out.read_bytes()
    assert b"/BaseFont /STSong-Light " in pdf and b"/FontFile" not in pdf
    assert "B00000001" in pdf_tool("pdftotext", str(out), "-")


def test_the_same_labels_give_the_same_bytes() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_sheet([bag(i, site) for i, site in enumerate(SITES)], first)
    write_sheet([bag(i, site) for i, site in enumerate(SITES)], second)
    assert first.getvalue() == second.getvalue()
