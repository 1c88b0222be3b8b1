"""The Chinese font of labels: finding one that has the glyphs, and subsetting it (fontTools).

Order: ``LABELS_CJK_FONT`` (a path; plain config, read once per process), then the paths of
common Debian CJK packages (TrueType outlines first, since only those embed in PDF sheets), then
``fc-list :lang=zh-cn``. A font counts only if its cmap maps every character of a sample to a
glyph: a Latin font that fontconfig offers as the best match would otherwise pass, and draw
every Chinese character as the .notdef box.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache

from fontTools import subset
from fontTools.ttLib import TTFont

CJK_FONT_ENV = "LABELS_CJK_FONT"
# Characters every label prints (category names, 村/镇 of site names): all must have glyphs.
CJK_SAMPLE = "厨余垃圾可回收物有害其他袋村镇"
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def open_font(path: str) -> TTFont:
    """The first face of a font file (a .ttc holds several), tables read only when used."""
    return TTFont(path, fontNumber=0, lazy=True, recalcTimestamp=False)


def has_cjk_glyphs(path: str) -> bool:
    """Whether the font's first face maps every sample character to a glyph other than .notdef."""
    try:
        cmap = open_font(path).getBestCmap() or {}
    except Exception:  # noqa: BLE001 - fontTools raises many error types on a damaged file
        return False
    return all(cmap.get(ord(ch), ".notdef") != ".notdef" for ch in CJK_SAMPLE)


def is_truetype(path: str) -> bool:
    """Whether the font has TrueType (glyf) outlines, the kind a PDF embeds as FontFile2."""
    try:
        return "glyf" in open_font(path)  # the table directory only: cheap
    except Exception:  # noqa: BLE001 - fontTools raises many error types on a damaged file
        return False


@cache
def cjk_font_path() -> str | None:
    """Path of a font with Chinese glyphs (TrueType preferred), or None if none is installed."""
    configured = os.environ.get(CJK_FONT_ENV)
    if configured:
        if has_cjk_glyphs(configured):
            return configured
        warnings.warn(
            f"{CJK_FONT_ENV}={configured!r} is not a readable font with Chinese glyphs; "
            "looking for an installed one",
            stacklevel=2,
        )
    found = [path for path in _FONT_CANDIDATES if os.path.isfile(path)] + _fontconfig_fonts()
    usable = [path for path in dict.fromkeys(found) if has_cjk_glyphs(path)]
    usable.sort(key=lambda path: not is_truetype(path))  # stable: keeps the order otherwise
    return usable[0] if usable else None


def _fontconfig_fonts() -> list[str]:
    """Files fontconfig says cover Simplified Chinese (its coverage data may be wrong)."""
    if not shutil.which("fc-list"):
        return []
    try:
        listed = subprocess.run(
            ["fc-list", "-f", "%{file}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line for line in listed.splitlines() if os.path.isfile(line))


@dataclass(frozen=True)
class FontSubset:
    """A standalone font holding the glyphs of some characters, with what a PDF needs of it."""

    data: bytes
    glyph_ids: dict[str, int]  # character -> glyph id in ``data`` (0: .notdef, not in the font)
    advances: dict[str, int]  # character -> advance width in font units
    units_per_em: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    postscript_name: str


def subset_font(path: str, text: str) -> FontSubset:
    """Subset the first face of ``path`` to the glyphs of ``text`` (fontTools' subsetter)."""
    font = open_font(path)
    name = font["name"].getDebugName(6) or os.path.splitext(os.path.basename(path))[0]
    options = subset.Options()
    options.notdef_outline = True  # a character the font lacks draws a box, never nothing
    options.layout_features = []  # labels are not shaped: no GSUB/GPOS lookups needed
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    cmap, hmtx, head = font.getBestCmap(), font["hmtx"], font["head"]
    glyph_ids, advances = {}, {}
    for ch in dict.fromkeys(text):
        glyph = cmap.get(ord(ch), ".notdef")
        glyph_ids[ch] = font.getGlyphID(glyph)
        advances[ch] = hmtx[glyph][0]
    os2 = font["OS/2"] if "OS/2" in font else None
    ascent, descent = font["hhea"].ascent, font["hhea"].descent
    return FontSubset(
        data=data.getvalue(),
        glyph_ids=glyph_ids,
        advances=advances,
        units_per_em=head.unitsPerEm,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        ascent=ascent,
        descent=descent,
        cap_height=getattr(os2, "sCapHeight", 0) or ascent,
        postscript_name="".join(ch for ch in name if ch.isalnum() or ch in "-_") or "CJK",
    )
