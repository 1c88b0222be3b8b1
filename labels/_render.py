"""One label as SVG text or PNG bytes.

PNG text uses the font ``cjk_font_path()`` finds (see ``_fonts``). Without one, PNG labels still
render the QR, band, ID and English names; Chinese text is left out rather than drawn as boxes.
"""

from __future__ import annotations

import io
import os
from functools import cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:  # Pillow is imported by the PNG functions only: PDF sheets never load it
    from PIL import Image, ImageDraw, ImageFont


from ._catalog import DEFAULT_CATALOG, Catalog, LabelData, hex_to_rgb
from ._fonts import cjk_font_path
from ._layout import THERMAL_SIZE_MM, Layout, Text, layout_label, text_runs, text_width
from ._qr import QUIET_ZONE, qr_runs

_MODULE_GREY = bytes([255, 0]) + bytes(254)  # byte translation: light 0 -> white, dark 1 -> black
SVG_FONT_FAMILY = "Helvetica, Arial, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"


def svg_label(label: LabelData, size_mm: tuple[float, float] = THERMAL_SIZE_MM,
              catalog: Catalog = DEFAULT_CATALOG) -> str:
    """Render one label as a standalone SVG document (units: mm)."""
    lay = layout_label(label, *size_mm, catalog)
    w, h = lay.width, lay.height
    bx, by, bw, bh = lay.band
    m = lay.module
    path = "".join(f"M{c} {r}h{n}v1h-{n}z" for r, c, n in qr_runs(lay.matrix))
    q = QUIET_ZONE * m
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}mm" height="{h:g}mm" '
        f'viewBox="0 0 {w:g} {h:g}" data-asset-id={quoteattr(label.asset_id)}>',
        f"<title>{escape(label.asset_id)}</title>",
        f'<rect width="{w:g}" height="{h:g}" fill="#FFFFFF"/>',
        f'<rect class="band" x="{bx:.3f}" y="{by:.3f}" width="{bw:.3f}" height="{bh:.3f}" '
        f'fill="{lay.colour}"/>',
        f'<path class="qr" transform="translate({lay.qr_x + q:.4f} {lay.qr_y + q:.4f}) '
        f'scale({m:.5f})" fill="#000000" shape-rendering="crispEdges" d="{path}"/>',
    ]
    for t in lay.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        fill = "#FFFFFF" if t.white else "#000000"
        parts.append(
            f'<text class="{t.role}" x="{t.x:.3f}" y="{t.y:.3f}" font-size="{t.size:.3f}" '
            f'font-family="{SVG_FONT_FAMILY}"{weight} fill="{fill}">{escape(t.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


_LATIN_CANDIDATES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-{}.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf",
)


@cache
def _png_font(size_px: int, cjk: bool, bold: bool) -> ImageFont.FreeTypeFont | None:
    """A Pillow font for a run at a pixel size, or None when no CJK font is installed."""
    from PIL import ImageFont
    if cjk:
        path = cjk_font_path()
        return ImageFont.truetype(path, size_px) if path else None
    for pattern in _LATIN_CANDIDATES:
        style = (
            ("Bold" if bold else "Regular")
            if "liberation" in pattern
            else ("-Bold" if bold else "")
        )
        if os.path.isfile(pattern.format(style)):
            return ImageFont.truetype(pattern.format(style), size_px)
    return ImageFont.load_default(size_px)


def png_label(
    label: LabelData,
    size_mm: tuple[float, float] = THERMAL_SIZE_MM,
    dpi: int = 300,
    catalog: Catalog = DEFAULT_CATALOG,
) -> bytes:
    """Render one label as PNG bytes at ``dpi`` dots per inch."""
    lay = layout_label(label, *size_mm, catalog)
    return _encode_png(_raster(lay, dpi / 25.4), dpi)


def _raster(lay: Layout, px_per_mm: float) -> Image.Image:
    """Draw a layout onto an RGB image."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (round(lay.width * px_per_mm), round(lay.height * px_per_mm)), "white")
    draw = ImageDraw.Draw(img)
    bx, by, bw, bh = (v * px_per_mm for v in lay.band)
    draw.rectangle([bx, by, bx + bw - 1, by + bh - 1], fill=hex_to_rgb(lay.colour))
    n = len(lay.matrix)
    modules = n + 2 * QUIET_ZONE
    side = round(lay.module * modules * px_per_mm)
    qr = Image.new("L", (modules, modules), 255)
    grey = b"".join(lay.matrix).translate(_MODULE_GREY)
    qr.paste(Image.frombytes("L", (n, n), grey), (QUIET_ZONE,) * 2)
    corner = (round(lay.qr_x * px_per_mm), round(lay.qr_y * px_per_mm))
    img.paste(qr.resize((side, side), Image.NEAREST), corner)
    for t in lay.texts:
        _draw_text(draw, t, px_per_mm)
    return img


def _draw_text(draw: ImageDraw.ImageDraw, t: Text, px_per_mm: float) -> None:
    """Draw one text line run by run, shrunk to the width the layout measured."""
    size = max(4, round(t.size * px_per_mm))
    runs = [(cjk, chunk, _png_font(size, cjk, t.bold)) for cjk, chunk in text_runs(t.text)]
    runs = [(cjk, chunk, font) for cjk, chunk, font in runs if font is not None]
    drawn = sum(font.getlength(chunk) for _, chunk, font in runs)
    target = text_width(t.text, t.size, t.bold) * px_per_mm
    if drawn > target > 0:
        size = max(4, int(size * target / drawn))
    x, y = t.x * px_per_mm, t.y * px_per_mm
    fill = (255, 255, 255) if t.white else (0, 0, 0)
    for cjk, chunk, _ in runs:
        font = _png_font(size, cjk, t.bold)
        draw.text((x, y), chunk, font=font, fill=fill, anchor="ls")
        x += font.getlength(chunk)


def _encode_png(img: Image.Image, dpi: int) -> bytes:
    """PNG-encode an image with its resolution recorded."""
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()
