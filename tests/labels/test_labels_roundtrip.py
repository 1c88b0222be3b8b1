"""Round trip: labels -> A4 or thermal PDF -> 300 dpi raster (pdftoppm) -> decoded -> verified."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from labels import SHEETS, IdentityScheme, LabelData, asset_id, write_sheet
from scanners import decode

SCHEME = IdentityScheme("custody.nanhu-jiaxing.cn", {"A": bytes(range(32))}, "A")
KINDS = [
    ("bag", "kitchen"),
    ("bag", "recyclable"),
    ("bag", "hazardous"),
    ("bag", "other"),
    ("bin", "kitchen"),
    ("booth", None),
    ("transfer_room", None),
    ("vehicle", None),
    ("facility", None),
]
DPI = 300


def decode_texts(image: np.ndarray) -> list[str]:
    """Texts of the codes the project's scanner finds in a greyscale image."""
    return [found.text for found in decode(image)]


@pytest.mark.slow
def test_100_labels_print_rasterise_decode_and_verify(tmp_path: Path) -> None:
    expected = []
    for i in range(100):
        kind, category = KINDS[i % len(KINDS)]
        ident = asset_id(kind, 1_000 + i)
        expected.append(LabelData(SCHEME.make_code(ident), ident, kind, category, "凤桥镇联丰村"))
    pdf = tmp_path / "batch.pdf"
    write_sheet(iter(expected), pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 5
    sheet, px = SHEETS["a4"], DPI / 25.4
    decoded: list[str] = []
    for number, page in enumerate(pages):
        image = np.asarray(Image.open(page).convert("L"))
        for slot, (x, y) in enumerate(sheet.slots):
            if number * len(sheet.slots) + slot >= len(expected):
                break
            crop = image[
                round((y - 1) * px) : round((y + sheet.label_h + 1) * px),
                round((x - 1) * px) : round((x + sheet.label_w + 1) * px),
            ]
            texts = decode_texts(crop)
            assert len(texts) == 1, f"page {number + 1} slot {slot}: {texts}"
            decoded.append(SCHEME.verify(texts[0]))
    assert decoded == [label.asset_id for label in expected]


@pytest.mark.slow
def test_thermal_labels_print_rasterise_decode_and_verify(tmp_path: Path) -> None:
    expected = []
    for i in range(18):  # every kind and category twice, one label a page
        kind, category = KINDS[i % len(KINDS)]
        ident = asset_id(kind, 5_000 + i)
        expected.append(LabelData(SCHEME.make_code(ident), ident, kind, category, "新丰镇竹林村"))
    pdf = tmp_path / "thermal.pdf"
    write_sheet(iter(expected), pdf, layout="thermal")
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(expected)
    decoded = []
    for page in pages:
        texts = decode_texts(np.asarray(Image.open(page).convert("L")))
        assert len(texts) == 1, f"{page.name}: {texts}"
        decoded.append(SCHEME.verify(texts[0]))
    assert decoded == [label.asset_id for label in expected]


@pytest.mark.slow
def test_300_thermal_labels_are_a_valid_pdf_whose_every_page_scans_at_203_dpi(
    tmp_path: Path,
) -> None:
    # 300 pages hang from two leaves of the page tree (LEAF_PAGES = 256): order must hold across.
    expected = []
    for i in range(300):
        kind, category = KINDS[i % len(KINDS)]
        ident = asset_id(kind, 7_000 + i)
        expected.append(LabelData(SCHEME.make_code(ident), ident, kind, category, "大桥镇江南村"))
    pdf = tmp_path / "thermal.pdf"
    assert write_sheet(iter(expected), pdf, layout="thermal") == 300
    with pikepdf.open(pdf) as opened:  # what `qpdf --check` runs, warnings included
        assert opened.check_pdf_syntax() == []
        assert len(opened.pages) == 300
    subprocess.run(  # 203 dpi: the coarsest common thermal print head
        ["pdftoppm", "-r", "203", "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(expected)
    decoded = []
    for page in pages:
        texts = decode_texts(np.asarray(Image.open(page).convert("L")))
        assert len(texts) == 1, f"{page.name}: {texts}"
        decoded.append(SCHEME.verify(texts[0]))
    assert decoded == [label.asset_id for label in expected]
