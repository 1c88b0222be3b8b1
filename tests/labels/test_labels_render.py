"""What a user sees on one label: colour band, names in Chinese and English, ID, site, QR."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from labels import (
    CATEGORIES,
    KINDS,
    NEUTRAL_COLOUR,
    Catalog,
    Category,
    LabelData,
    png_label,
    svg_label,
    write_sheet,
)
from tests.labels.conftest import SCHEME, make_label, pdf_tool

SVG = "{http://www.w3.org/2000/svg}"


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_svg_shows_category_colour_names_id_kind_and_site(category: str) -> None:
    label = make_label("bag", 123, category)
    root = ET.fromstring(svg_label(label))
    band = root.find(f"{SVG}rect[@class='band']")
    assert band is not None and band.get("fill") == CATEGORIES[category].colour
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text")}
    assert texts["name_zh"] == CATEGORIES[category].name_zh
    assert texts["name_en"] == CATEGORIES[category].name_en
    assert texts["asset_id"] == "B00000123"
    assert texts["kind"] == f"{KINDS['bag'].name_zh} {KINDS['bag'].name_en}"
    assert texts["site"] == "凤桥镇联丰村"
    assert root.find(f"{SVG}path[@class='qr']") is not None


@pytest.mark.parametrize("kind", ["booth", "transfer_room", "vehicle", "facility"])
def test_fixed_assets_show_their_kind_on_a_neutral_band(kind: str) -> None:
    root = ET.fromstring(svg_label(make_label(kind, 5, None)))
    assert root.find(f"{SVG}rect[@class='band']").get("fill") == NEUTRAL_COLOUR
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text")}
    assert texts["name_zh"] == KINDS[kind].name_zh
    assert texts["name_en"] == KINDS[kind].name_en
    assert NEUTRAL_COLOUR not in {c.colour for c in CATEGORIES.values()}


def test_svg_escapes_site_names() -> None:
    root = ET.fromstring(svg_label(make_label("bin", 1, "other", "A&B <村>")))
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text")}
    assert texts["site"] == "A&B <村>"


def test_long_site_names_are_shrunk_or_truncated_to_fit() -> None:
    root = ET.fromstring(svg_label(make_label("bag", 1, "kitchen", "新丰镇竹林村" * 6)))
    site = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "site")
    assert site.text.endswith("...") and len(site.text) < 36


@pytest.mark.parametrize("category", [*sorted(CATEGORIES), None])
def test_png_band_has_the_category_colour_and_the_qr_decodes(category: str | None) -> None:
    label = make_label("bin" if category else "booth", 77, category)
    image = Image.open(io.BytesIO(png_label(label, dpi=300)))
    assert image.size == (591, 354)  # 50 x 30 mm at 300 dpi
    expected = rgb(CATEGORIES[category].colour if category else NEUTRAL_COLOUR)
    assert image.getpixel((image.width - 4, 4)) == expected
    found = zxingcpp.read_barcodes(np.asarray(image.convert("L")))
    assert [r.text for r in found] == [label.code]
    assert SCHEME.verify(found[0].text) == label.asset_id


def test_png_draws_chinese_text_pixels_in_the_band() -> None:
    image = np.asarray(Image.open(io.BytesIO(png_label(make_label("bag", 1, "hazardous")))))
    band = image[10:60, 360:580]
    white = np.all(band == 255, axis=-1).sum()
    assert white > 100  # the white band text was drawn, not skipped


def test_png_degrades_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from labels import _render

    monkeypatch.setattr(_render, "cjk_font_path", lambda: None)
    _render._png_font.cache_clear()
    try:
        image = Image.open(io.BytesIO(png_label(make_label("bag", 2, "kitchen"))))
    finally:
        _render._png_font.cache_clear()
    assert image.getpixel((image.width - 4, 4)) == rgb(CATEGORIES["kitchen"].colour)


def test_label_data_rejects_unknown_kind_and_category() -> None:
    with pytest.raises(ValueError):
        LabelData("X", "B00000001", "sack", None, None)
    with pytest.raises(ValueError):
        LabelData("X", "B00000001", "bag", "compost", None)


def test_words_and_colours_come_from_the_catalog_passed_in(tmp_path) -> None:
    perishable = Category("kitchen", "易腐垃圾", "Perishable waste", "#00A000")
    catalog = Catalog({**CATEGORIES, "kitchen": perishable}, KINDS)
    label = make_label("bag", 8, "kitchen")
    root = ET.fromstring(svg_label(label, catalog=catalog))
    assert root.find(f"{SVG}rect[@class='band']").get("fill") == "#00A000"
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text")}
    assert (texts["name_zh"], texts["name_en"]) == ("易腐垃圾", "Perishable waste")
    image = Image.open(io.BytesIO(png_label(label, catalog=catalog)))
    assert image.getpixel((image.width - 4, 4)) == (0, 160, 0)
    write_sheet([label], tmp_path / "sheet.pdf", catalog=catalog)
    text = pdf_tool("pdftotext", str(tmp_path / "sheet.pdf"), "-")
    assert "易腐垃圾" in text and "Perishable waste" in text and "厨余垃圾" not in text
    assert "厨余垃圾" in ET.fromstring(svg_label(label)).findtext(f"{SVG}text")  # the default


@pytest.mark.parametrize("bold", [False, True])
def test_text_widths_are_reportlabs_helvetica_metrics(bold: bool) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from labels._layout import text_width

    printable = "".join(chr(c) for c in range(32, 127))
    font = "Helvetica-Bold" if bold else "Helvetica"
    for size in (1.6, 2.4, 3.9, 7.0):
        expected = stringWidth(printable, font, size)
        assert text_width(printable, size, bold) == pytest.approx(expected)
    assert text_width("B00000123 凤桥", 2.0, bold) == pytest.approx(
        stringWidth("B00000123 ", font, 2.0) + 4.0)
