"""QR identities and printable labels for Custody assets: signed codes, SVG/PNG labels, PDF sheets.

A library: no Flask, no database, no ``custody`` import. Typical use::

    scheme = IdentityScheme(host, {"A": key_a, "B": key_b}, current_key_id="B")
    ident = asset_id("bag", 123)                      # "B00000123"
    code = scheme.make_code(ident)                    # "HTTPS://<HOST>/T/B00000123B<TAG>"
    scheme.verify(scanned_text)                       # -> "B00000123", or a CodeError subclass
    label = LabelData(code, ident, "bag", "kitchen", "凤桥镇联丰村")
    svg_label(label); png_label(label)                # one 50 x 30 mm label
    write_sheet(labels_iter, "out.pdf", layout="a4")  # or "thermal"; streams, returns count

The words and colours printed come from ``DEFAULT_CATALOG`` unless a ``Catalog`` is passed
(``svg_label(label, catalog=...)``, ``png_label(...)``, ``write_sheet(...)``).
"""

from ._catalog import (
    CATEGORIES,
    DEFAULT_CATALOG,
    KINDS,
    NEUTRAL_COLOUR,
    Catalog,
    Category,
    Kind,
    LabelData,
)
from ._errors import BadTag, CodeError, ForeignCode, MalformedCode, UnknownKey
from ._fonts import cjk_font_path
from ._identity import KIND_LETTERS, IdentityScheme, ParsedCode, asset_id, split_asset_id
from ._render import png_label, svg_label
from ._sheet import SHEETS, SheetFormat, write_sheet

__all__ = [
    "CATEGORIES",
    "DEFAULT_CATALOG",
    "KINDS",
    "KIND_LETTERS",
    "NEUTRAL_COLOUR",
    "SHEETS",
    "BadTag",
    "Catalog",
    "Category",
    "CodeError",
    "ForeignCode",
    "IdentityScheme",
    "Kind",
    "LabelData",
    "MalformedCode",
    "ParsedCode",
    "SheetFormat",
    "UnknownKey",
    "asset_id",
    "cjk_font_path",
    "png_label",
    "split_asset_id",
    "svg_label",
    "write_sheet",
]
