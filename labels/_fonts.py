"""Finding a font that really has Chinese glyphs, for PNG labels and embedding in PDF sheets.

Order: ``LABELS_CJK_FONT`` (a path; plain config, read once per process), then the paths of
common Debian CJK packages (TrueType outlines first, since only those embed in PDF sheets), then
``fc-list :lang=zh-cn``. A font counts only if its cmap maps every character of a sample to a
real glyph: a Latin font that fontconfig offers as the best match would otherwise pass, and
draw every Chinese character as the .notdef box.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from functools import cache

from ._truetype import FontError, open_face

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


def has_cjk_glyphs(path: str) -> bool:
    """Whether the font's first face maps every sample character to a glyph other than .notdef."""
    try:
        face = open_face(path)
    except (OSError, FontError):
        return False
    return all(face.glyph_id(ch) for ch in CJK_SAMPLE)


def is_truetype(path: str) -> bool:
    """Whether the font has TrueType (glyf) outlines, the kind a PDF embeds as FontFile2."""
    try:
        return open_face(path).has_outlines
    except (OSError, FontError):
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
