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


def batch(count: int, first_serial: int, site: str) -> list[LabelData]:
    """Labels cycling through every kind and category."""
    expected = []
    for i in range(count):
        kind, category = KINDS[i % len(KINDS)]
        ident = asset_id(kind, first_serial + i)
        expected.append(LabelData(SCHEME.make_code(ident), ident, kind, category, site))
    return expected


def rasterise(pdf: Path, dpi: int) -> list[np.ndarray]:
    """Every page as poppler prints it in grey at ``dpi``."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
    )
    pages = sorted(pdf.parent.glob(prefix.name + "-*.png"))
    return [np.asarray(Image.open(page).convert("L")) for page in pages]


@pytest.mark.slow
def test_100_labels_print_rasterise_decode_and_verify(tmp_path: Path) -> None:
    expected = batch(100, 1_000, "凤桥镇联丰村")
    pdf = tmp_path / "batch.pdf"
    write_sheet(iter(expected), pdf)
    pages = rasterise(pdf, DPI)
    assert len(pages) == 5
    sheet, px = SHEETS["a4"], DPI / 25.4
    decoded: list[str] = []
    for number, image in enumerate(pages):
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
@pytest.mark.parametrize(
    ("count", "dpi"),
    [
        (18, DPI),  # every kind and category twice, one label a page
        (300, 203),  # two leaves of the page tree (LEAF_PAGES = 256); the coarsest common head
    ],
)
def test_thermal_labels_are_a_valid_pdf_whose_every_page_scans(
    tmp_path: Path, count: int, dpi: int
) -> None:
    expected = batch(count, 5_000, "新丰镇竹林村")
    pdf = tmp_path / "thermal.pdf"
    assert write_sheet(iter(expected), pdf, layout="thermal") == count
    with pikepdf.open(pdf) as opened:  # what `qpdf --check` runs, warnings included
        assert opened.check_pdf_syntax() == []
        assert len(opened.pages) == count
    pages = rasterise(pdf, dpi)
    assert len(pages) == count
    decoded = []
    for number, image in enumerate(pages, start=1):
        texts = decode_texts(image)
        assert len(texts) == 1, f"page {number}: {texts}"
        decoded.append(SCHEME.verify(texts[0]))
    assert decoded == [label.asset_id for label in expected]
