"""PDF label sheets, A4 grids (3 x 8, crop marks) and thermal labels, in flat memory.

Each page's operators are serialised by pikepdf and compressed as soon as its last label is
drawn, then wait in a temporary spool file, not in memory; once every label is drawn the CJK
font is subset (fontTools' ~35 MB of tables come and go while little else is held). The file is
then written front to back (``_pdfout``): the objects every page shares, which pikepdf (qpdf)
builds and serialises, then the pages one by one from the spool. qpdf never holds the pages (it
kept ~2 KB of objects a page until it saved). ``benchmarks/labels.py``, 30,000 labels on this
2-core machine under load: thermal 83 MiB peak RSS (was 145 MiB when qpdf saved the pages;
179 MiB before the spool; 100,000 labels: 85 MiB), 1,033 B a label, ~1,000-1,130 labels a CPU
second as before; A4 83 MiB, 357 B.

What repeats is in the file once: the fonts, the crop marks as a Form XObject, and per (kind,
category) a template Form XObject holding the colour band and the fixed names, all named in one
resource dictionary that every page inherits from the page tree. A label then costs its QR (one
filled path of module rectangles), its ID and site texts, and a ``Do``.
"""

from __future__ import annotations

import gc
import itertools
import os
import secrets
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from ._catalog import DEFAULT_CATALOG, Catalog, LabelData, hex_to_rgb
from ._layout import THERMAL_SIZE_MM, Layout, Text, layout_label, text_runs
from ._pdffont import CjkFont, cjk_font
from ._pdfout import ObjectWriter, write_pages
from ._qr import QUIET_ZONE, qr_rects

K = 72 / 25.4  # points per millimetre
Encode = Callable[[str], bytes]  # text -> string operand in the sheet's CJK font
Ops = list[tuple[list, Operator]]  # content-stream instructions for pikepdf
_OP = {op: Operator(op) for op in "q Q cm re f BT ET Tf Td Tj g rg Do w G m l S".split()}
_HELVETICA, _HELVETICA_BOLD, _CJK = Name.H, Name.HB, Name.C


@dataclass(frozen=True)
class SheetFormat:
    """Page and label geometry in mm; slots are label top-left corners, row by row."""

    page_w: float
    page_h: float
    label_w: float
    label_h: float
    slots: tuple[tuple[float, float], ...]
    crop_marks: bool


def _grid(cols: int, rows: int, label_w: float, label_h: float, gap_x: float, gap_y: float):
    """An A4 grid of labels centred on the page with gutters for cutting."""
    margin_x = (210 - cols * label_w - (cols - 1) * gap_x) / 2
    margin_y = (297 - rows * label_h - (rows - 1) * gap_y) / 2
    slots = tuple(
        (margin_x + c * (label_w + gap_x), margin_y + r * (label_h + gap_y))
        for r in range(rows)
        for c in range(cols)
    )
    return SheetFormat(210.0, 297.0, label_w, label_h, slots, True)


SHEETS: dict[str, SheetFormat] = {
    "a4": _grid(3, 8, 63.0, 32.0, 4.0, 3.0),
    "thermal": SheetFormat(*THERMAL_SIZE_MM, *THERMAL_SIZE_MM, ((0.0, 0.0),), False),
}


def _pt(mm: float) -> float:
    """Millimetres to points, rounded to what a printer can show."""
    return round(mm * K, 2)


def _crop_marks(sheet: SheetFormat) -> Ops:
    """Cut marks in the page margins, in line with every label edge."""
    xs = sorted({x for x, _ in sheet.slots} | {x + sheet.label_w for x, _ in sheet.slots})
    ys = sorted({y for _, y in sheet.slots} | {y + sheet.label_h for _, y in sheet.slots})
    top, bottom, left, right, h = ys[0], ys[-1], xs[0], xs[-1], sheet.page_h
    ops: Ops = [([0.25], _OP["w"]), ([0], _OP["G"])]
    for x in xs:
        for y0, y1 in ((top - 1, top - 5), (bottom + 1, bottom + 5)):
            ops += [([_pt(x), _pt(h - y0)], _OP["m"]), ([_pt(x), _pt(h - y1)], _OP["l"])]
    for y in ys:
        for x0, x1 in ((left - 1, max(left - 5, 1.0)), (right + 1, min(right + 5, 209.0))):
            ops += [([_pt(x0), _pt(h - y)], _OP["m"]), ([_pt(x1), _pt(h - y)], _OP["l"])]
    return ops + [([], _OP["S"])]


def _text_ops(t: Text, label_h: float, encode: Encode) -> Ops:
    """One text line in label coordinates: ASCII runs in Helvetica, the rest in the CJK font."""
    size = _pt(t.size)
    ops: Ops = [([], _OP["BT"]), ([1 if t.white else 0], _OP["g"])]
    ops.append(([_pt(t.x), _pt(label_h - t.y)], _OP["Td"]))
    for cjk, chunk in text_runs(t.text):
        if cjk:
            font, text = _CJK, encode(chunk)
        else:
            font, text = (_HELVETICA_BOLD if t.bold else _HELVETICA), chunk.encode("ascii")
        ops += [([font, size], _OP["Tf"]), ([pikepdf.String(text)], _OP["Tj"])]
    return ops + [([], _OP["ET"])]


def _template_ops(lay: Layout, encode: Encode) -> Ops:
    """The band and the fixed texts shared by every label of one kind and category."""
    bx, by, bw, bh = lay.band
    ops: Ops = [
        ([round(v / 255, 3) for v in hex_to_rgb(lay.colour)], _OP["rg"]),
        ([_pt(bx), _pt(lay.height - by - bh), _pt(bw), _pt(bh)], _OP["re"]),
        ([], _OP["f"]),
    ]
    for t in lay.texts:
        if t.static:
            ops += _text_ops(t, lay.height, encode)
    return ops


@lru_cache(maxsize=1 << 16)
def _rect_op(row: int, column: int, width: int, height: int) -> bytes:
    """The ``re`` operator of one rectangle of dark modules (they repeat across labels: cached)."""
    return pikepdf.unparse_content_stream([([column, row, width, height], _OP["re"])])


def _qr_path(lay: Layout) -> bytes:
    """The QR's dark modules as one path of rectangles, in module units."""
    return b"\n".join([_rect_op(*rect) for rect in qr_rects(lay.matrix)])


def _label_content(lay: Layout, x: float, y: float, template: Name, encode: Encode) -> bytes:
    """One label whose bottom-left corner is at (x, y) pt on the page: template, QR, texts."""
    m = round(lay.module * K, 4)
    quiet = QUIET_ZONE * lay.module
    head: Ops = [
        ([], _OP["q"]),
        ([1, 0, 0, 1, x, y], _OP["cm"]),
        ([template], _OP["Do"]),
        ([], _OP["q"]),
        ([0], _OP["g"]),
        ([m, 0, 0, -m, _pt(lay.qr_x + quiet), _pt(lay.height - lay.qr_y - quiet)], _OP["cm"]),
    ]
    tail: Ops = [([], _OP["f"]), ([], _OP["Q"])]
    for t in lay.texts:
        if not t.static:
            tail += _text_ops(t, lay.height, encode)
    tail.append(([], _OP["Q"]))
    unparse = pikepdf.unparse_content_stream
    return b"\n".join([unparse(head), _qr_path(lay), unparse(tail)])


class _SheetPdf:
    """A PDF being filled page by page: shared resources on the page tree, templates on demand."""

    def __init__(self, sheet: SheetFormat) -> None:
        """Start an empty document with the sheet's page size, fonts and crop marks."""
        self.pdf = pdf = pikepdf.Pdf.new()
        self.cjk: CjkFont = cjk_font(pdf)
        self._resources = pdf.make_indirect(
            Dictionary(
                Font=Dictionary(H=_helvetica(pdf, "Helvetica"),
                                HB=_helvetica(pdf, "Helvetica-Bold"), C=self.cjk.ref),
                XObject=Dictionary(),
            )
        )
        self._tree = pdf.Root.Pages
        self._tree.MediaBox = Array([0, 0, _pt(sheet.page_w), _pt(sheet.page_h)])
        self._tree.Resources = self._resources
        self.templates: dict[tuple[str, str | None], Name] = {}
        self.page_start: Ops = []
        if sheet.crop_marks:
            self._form(Name.Crop, _crop_marks(sheet), sheet.page_w, sheet.page_h)
            self.page_start = [([Name.Crop], _OP["Do"])]

    def _form(self, name: Name, ops: Ops, width: float, height: float) -> None:
        """Add a Form XObject drawn with ``ops`` to the shared resources under ``name``."""
        form = self.pdf.make_stream(
            pikepdf.unparse_content_stream(ops),
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=Array([0, 0, _pt(width), _pt(height)]),
            Resources=self._resources,
        )
        self._resources.XObject[name] = form

    def template(self, label: LabelData, lay: Layout) -> Name:
        """The Form XObject of this label's kind and category, added the first time it is used."""
        key = (label.kind, label.category)
        name = self.templates.get(key)
        if name is None:
            name = self.templates[key] = Name(f"/T{len(self.templates)}")
            self._form(name, _template_ops(lay, self.cjk.encode), lay.width, lay.height)
        return name

    def write(self, out: BinaryIO, contents: Iterable[bytes], count: int) -> None:
        """Write the file: the shared objects qpdf holds, then ``count`` pages of ``contents``."""
        writer = ObjectWriter(out)
        top = writer.pikepdf_objects(self.pdf, skip=[self._tree.objgen[0]])
        write_pages(writer, self._tree, top + 1, contents, count)
        writer.finish(root=self.pdf.Root.objgen[0])


def _helvetica(pdf: pikepdf.Pdf, name: str) -> pikepdf.Object:
    """A standard-14 Helvetica font (not embedded), WinAnsi encoded."""
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/" + name),
                      Encoding=Name.WinAnsiEncoding)
    return pdf.make_indirect(font)


def _pages(labels: Iterable[LabelData], sheet: SheetFormat, doc: _SheetPdf,
           catalog: Catalog) -> Iterator[tuple[bytes, int]]:
    """Each page's compressed content as soon as its last label is drawn, with the count so far."""
    per_page, count = len(sheet.slots), 0
    page: list[bytes] = []
    for label in labels:
        slot = count % per_page
        if slot == 0 and doc.page_start:
            page.append(pikepdf.unparse_content_stream(doc.page_start))
        lay = layout_label(label, sheet.label_w, sheet.label_h, catalog)
        x, y = sheet.slots[slot]
        corner = _pt(x), _pt(sheet.page_h - y - sheet.label_h)
        page.append(_label_content(lay, *corner, doc.template(label, lay), doc.cjk.encode))
        count += 1
        if slot == per_page - 1:
            yield zlib.compress(b"\n".join(page)), count
            page.clear()
    if page:
        yield zlib.compress(b"\n".join(page)), count


def write_sheet(
    labels: Iterable[LabelData],
    out: BinaryIO | str | os.PathLike[str],
    layout: str = "a4",
    progress: Callable[[int], None] | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
) -> int:
    """Stream labels into an "a4" grid or "thermal" PDF; return the count (ValueError if none).

    Nothing is written to ``out`` until every label is drawn, so a batch that fails half way
    leaves no file behind (a path is written under a temporary name, then renamed). Pages wait
    in a temporary spool file, not in memory, while labels are drawn; the font is subset next;
    then the file is written straight through, so memory does not grow with the batch (30,000
    thermal labels: 83 MiB peak RSS, 145 MiB when qpdf held the pages; see the module notes).
    """
    if layout not in SHEETS:
        raise ValueError(f"unknown sheet layout {layout!r}; expected one of {sorted(SHEETS)}")
    sheet = SHEETS[layout]
    stream = iter(labels)
    first = next(stream, None)
    if first is None:
        raise ValueError("no labels to write: a PDF needs at least one page")
    doc = _SheetPdf(sheet)
    sizes, count = array("I"), 0
    with tempfile.TemporaryFile() as spool:
        for content, count in _pages(itertools.chain((first,), stream), sheet, doc, catalog):
            spool.write(content)
            sizes.append(len(content))
            if progress is not None:
                progress(count)
        doc.cjk.finish()
        gc.collect()  # the subsetter's font tables, before the file is written
        spool.seek(0)
        with _opened(out) as sink:
            doc.write(sink, (spool.read(size) for size in sizes), len(sizes))
    return count


@contextmanager
def _opened(out: BinaryIO | str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A stream to write; for a path, a new file beside it, renamed to it once complete."""
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    part = f"{os.fspath(out)}.{secrets.token_hex(4)}.part"  # created as open() would: umask
    try:
        with open(part, "xb") as file:
            yield file
        os.replace(part, out)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(part)
        raise
