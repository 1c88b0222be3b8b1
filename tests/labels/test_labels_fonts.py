"""Chinese on PNG labels is drawn with a font that has the glyphs, never as .notdef boxes."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFont

from labels import (
    CATEGORIES,
    KINDS,
    _fonts,
    png_label,
)
from labels._fonts import subset_font
from tests.labels.conftest import make_label

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CHINESE = "".join(
    dict.fromkeys(
        "凤桥镇联丰村新丰镇竹林村"
        + "".join(c.name_zh for c in CATEGORIES.values())
        + "".join(k.name_zh for k in KINDS.values())
    )
)


@pytest.fixture
def lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A fresh font lookup, undone (with the monkeypatching) after the test."""
    monkeypatch.delenv(_fonts.CJK_FONT_ENV, raising=False)
    _fonts.cjk_font_path.cache_clear()
    yield monkeypatch
    _fonts.cjk_font_path.cache_clear()


def site_line(site: str) -> np.ndarray:
    """Ink (dark pixels) of the site line of a 50 x 30 mm bag label rendered at 300 dpi."""
    label = make_label("bag", 1, "kitchen", site)
    pixels = np.asarray(Image.open(io.BytesIO(png_label(label, dpi=300))).convert("L"))
    return pixels[262:306, 354:591] < 128


def test_every_chinese_character_on_labels_has_its_own_glyph(font_path: str, notdef: str) -> None:
    font = ImageFont.truetype(font_path, 48)
    box = np.asarray(font.getmask(notdef[0]))
    for ch in CHINESE:
        glyph = np.asarray(font.getmask(ch))
        assert glyph.any(), ch
        assert glyph.shape != box.shape or not np.array_equal(glyph, box), ch


def test_png_site_names_are_drawn_in_chinese_not_boxes(notdef: str) -> None:
    chinese, boxes = site_line("联丰村"), site_line(notdef)
    assert boxes.any() and chinese.sum() > 1.5 * boxes.sum()
    assert (chinese ^ boxes).sum() > 0.6 * (chinese | boxes).sum()


@pytest.mark.skipif(not Path(LATIN_FONT).is_file(), reason="DejaVu Sans not installed")
def test_a_latin_font_offered_by_fontconfig_is_not_taken(lookup: pytest.MonkeyPatch) -> None:
    lookup.setattr(_fonts, "_FONT_CANDIDATES", ())
    lookup.setattr(_fonts, "_fontconfig_fonts", lambda: [LATIN_FONT])
    assert _fonts.has_cjk_glyphs(LATIN_FONT) is False
    assert _fonts.cjk_font_path() is None


def test_the_font_can_be_configured(
    lookup: pytest.MonkeyPatch, tmp_path: Path, font_path: str
) -> None:
    copy = tmp_path / "site-font.ttc"
    copy.write_bytes(Path(font_path).read_bytes())
    lookup.setenv(_fonts.CJK_FONT_ENV, str(copy))
    assert _fonts.cjk_font_path() == str(copy)


@pytest.mark.skipif(not Path(LATIN_FONT).is_file(), reason="DejaVu Sans not installed")
def test_a_configured_font_without_chinese_is_refused_with_a_warning(
    lookup: pytest.MonkeyPatch, font_path: str
) -> None:
    lookup.setenv(_fonts.CJK_FONT_ENV, LATIN_FONT)
    with pytest.warns(UserWarning, match="not a readable font with Chinese glyphs"):
        assert _fonts.cjk_font_path() not in (None, LATIN_FONT)


def test_a_subset_draws_exactly_the_glyphs_of_the_full_font(font_path: str, notdef: str) -> None:
    text = CHINESE + "A，" + notdef[0]
    subset = subset_font(font_path, text)
    full = ImageFont.truetype(font_path, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small = ImageFont.truetype(io.BytesIO(subset.data), 40)
    for ch in text:
        assert bytes(small.getmask(ch)) == bytes(full.getmask(ch)), ch
        assert small.getlength(ch) == full.getlength(ch), ch
    assert subset.glyph_ids[notdef[0]] == 0 and all(subset.glyph_ids[ch] for ch in CHINESE)
    assert len(subset.data) < 40_000  # of a 5 MB face


def test_a_damaged_font_file_is_refused_with_a_warning(
    lookup: pytest.MonkeyPatch, tmp_path: Path, font_path: str
) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(Path(font_path).read_bytes()[:2000])
    lookup.setenv(_fonts.CJK_FONT_ENV, str(broken))
    with pytest.warns(UserWarning, match="not a readable font with Chinese glyphs"):
        assert _fonts.cjk_font_path() == font_path
    assert _fonts.has_cjk_glyphs(str(broken)) is False
