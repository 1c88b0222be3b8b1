"""Label geometry shared by the SVG, PNG and PDF back ends (millimetres, origin top-left).

Left: the QR with its 4-module quiet zone, as a square of the label height. Right: a colour band
(category, or kind for fixed assets) bleeding to the top-right corner, then the asset ID, the
kind, and the site name. Text is split into runs: ASCII in Helvetica, the rest in a CJK font.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from reportlab.pdfbase import _fontdata_enc_winansi as winansi
from reportlab.pdfbase import _fontdata_widths_helvetica as helvetica
from reportlab.pdfbase import _fontdata_widths_helveticabold as helvetica_bold

from ._catalog import DEFAULT_CATALOG, Catalog, LabelData
from ._qr import QUIET_ZONE, Matrix, qr_matrix

THERMAL_SIZE_MM = (50.0, 30.0)
_PAD = 1.2
_MIN_TEXT_MM = 1.6


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text: left x, baseline y, size (mm), bold, white-on-band, static per template."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False
    white: bool = False
    static: bool = False
    role: str = ""


@dataclass(slots=True)
class Layout:
    """Everything drawn on one label."""

    width: float
    height: float
    qr_x: float
    qr_y: float
    module: float
    matrix: Matrix
    band: tuple[float, float, float, float]
    colour: str
    texts: list[Text] = field(default_factory=list)


def _ascii_advances(widths: dict[str, int]) -> tuple[int, ...]:
    """Advance of each ASCII code in 1/1000 em, from reportlab's Helvetica metrics."""
    names = winansi.WinAnsiEncoding[:128]
    return tuple(widths.get(name, 0) if name else 0 for name in names)


# reportlab's AFM data modules alone: pdfmetrics.stringWidth would import ~10 MiB more of it.
_ADVANCES = {False: _ascii_advances(helvetica.widths), True: _ascii_advances(helvetica_bold.widths)}
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def text_runs(text: str) -> list[tuple[bool, str]]:
    """Split text into ``(is_cjk, chunk)`` runs; astral characters become ``?``."""
    if text.isascii():
        return [(False, text)] if text else []
    if max(text) > "\uffff":
        text = "".join("?" if ord(ch) > 0xFFFF else ch for ch in text)
    return [(not chunk.isascii(), chunk) for chunk in _RUNS.findall(text)]


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of text at a size (same unit as size): Helvetica metrics, CJK 1 em."""
    advances = _ADVANCES[bold]
    width = 0.0
    for cjk, chunk in text_runs(text):
        width += len(chunk) * size if cjk else 0.001 * size * sum(map(advances.__getitem__,
                                                                     map(ord, chunk)))
    return width


def fit(text: str, max_size: float, width: float, bold: bool = False) -> tuple[str, float]:
    """Shrink text to fit a width, down to a minimum size, then truncate with ``...``."""
    natural = text_width(text, max_size, bold)
    if natural <= width:
        return text, max_size
    size = max_size * width / natural
    if size >= _MIN_TEXT_MM:
        return text, size
    size = _MIN_TEXT_MM
    while text and text_width(text + "...", size, bold) > width:
        text = text[:-1]
    return text + "...", size


_fit_site = lru_cache(maxsize=256)(fit)  # a batch has few sites; IDs are unique, never cached


@cache
def _static_texts(catalog: Catalog, kind_id: str, category_id: str | None, width: float,
                  height: float) -> tuple[tuple[Text, ...], str]:
    """The band names, kind line and band colour: the same on every label of one template."""
    named, colour = catalog.band(kind_id, category_id)
    x, panel_w = height, width - height - _PAD
    zh, zh_size = fit(named.name_zh, 0.12 * height, panel_w)
    en, en_size = fit(named.name_en, 0.075 * height, panel_w, bold=True)
    texts = [
        Text(x, 0.17 * height, zh_size, zh, white=True, static=True, role="name_zh"),
        Text(x, 0.29 * height, en_size, en, bold=True, white=True, static=True, role="name_en"),
    ]
    if category_id is not None:
        kind = catalog.kinds[kind_id]
        line, size = fit(f"{kind.name_zh} {kind.name_en}", 0.08 * height, panel_w)
        texts.append(Text(x, 0.69 * height, size, line, static=True, role="kind"))
    return tuple(texts), colour


def layout_label(label: LabelData, width: float, height: float,
                 catalog: Catalog = DEFAULT_CATALOG) -> Layout:
    """Lay out one label in a ``width`` x ``height`` mm box, in the words of ``catalog``."""
    matrix = qr_matrix(label.code)
    module = height / (len(matrix) + 2 * QUIET_ZONE)
    x, panel_w = height, width - height - _PAD
    band = (x - _PAD, 0.0, width - x + _PAD, 0.36 * height)
    static, colour = _static_texts(catalog, label.kind, label.category, width, height)
    out = Layout(width, height, 0.0, 0.0, module, matrix, band, colour, list(static))
    text, size = fit(label.asset_id, 0.13 * height, panel_w, bold=True)
    out.texts.append(Text(x, 0.53 * height, size, text, bold=True, role="asset_id"))
    if label.site_name:
        text, size = _fit_site(label.site_name, 0.08 * height, panel_w)
        line_y = 0.84 * height if label.category else 0.69 * height
        out.texts.append(Text(x, line_y, size, text, role="site"))
    return out
