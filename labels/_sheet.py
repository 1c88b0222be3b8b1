"""PDF label sheets, streamed: A4 grids (3 x 8, crop marks) and 50 x 30 mm thermal labels.

Each page is written (content stream + page object) as soon as its last label is drawn, so
memory stays flat in the batch size: beyond the page being drawn, only the xref offsets (8 bytes
per object) and the page list (4 bytes per page) grow, ~20 bytes per page. What repeats is
written once and reused: fonts, the crop marks as a page Form XObject, and per (kind, category)
a label template XObject holding the colour band and the fixed names. A label then costs its QR
(one path of merged runs), its ID and site texts, and a ``Do``. The Chinese font is a subset of
an installed TrueType font embedded after the last page, once the characters used are known
(``_pdffont``): ~7 KB per file for the few dozen characters of a batch, whatever its size.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from ._catalog import LabelData, hex_to_rgb
from ._layout import THERMAL_SIZE_MM, Layout, Text, layout_label, qr_run_ops, text_runs
from ._pdf import CJK, HELVETICA, HELVETICA_BOLD, PT_PER_MM, PdfWriter, pdf_string
from ._pdffont import cjk_font

K = PT_PER_MM
Encode = Callable[[str], bytes]  # text -> PDF string in the sheet's CJK font


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


def _crop_marks(sheet: SheetFormat) -> bytes:
    """Cut marks in the page margins, in line with every label edge."""
    xs = sorted({x for x, _ in sheet.slots} | {x + sheet.label_w for x, _ in sheet.slots})
    ys = sorted({y for _, y in sheet.slots} | {y + sheet.label_h for _, y in sheet.slots})
    top, bottom = ys[0], ys[-1]
    left, right = xs[0], xs[-1]
    ops = [b"0.25 w 0 G"]
    h = sheet.page_h
    for x in xs:
        for y0, y1 in ((top - 1, top - 5), (bottom + 1, bottom + 5)):
            ops.append(b"%.2f %.2f m %.2f %.2f l" % (x * K, (h - y0) * K, x * K, (h - y1) * K))
    for y in ys:
        for x0, x1 in ((left - 1, max(left - 5, 1.0)), (right + 1, min(right + 5, 209.0))):
            ops.append(b"%.2f %.2f m %.2f %.2f l" % (x0 * K, (h - y) * K, x1 * K, (h - y) * K))
    ops.append(b"S")
    return b"\n".join(ops)


def _text_ops(t: Text, label_h: float, encode: Encode) -> bytes:
    """Content-stream operators drawing one text line in label coordinates."""
    size = t.size * K
    colour = b"1 g " if t.white else b"0 g "
    parts = [b"BT ", colour, b"%.2f %.2f Td " % (t.x * K, (label_h - t.y) * K)]
    for cjk, chunk in text_runs(t.text):
        if cjk:
            parts.append(CJK + b" %.2f Tf %s Tj " % (size, encode(chunk)))
        else:
            font = HELVETICA_BOLD if t.bold else HELVETICA
            parts.append(font + b" %.2f Tf %s Tj " % (size, pdf_string(chunk)))
    parts.append(b"ET\n")
    return b"".join(parts)


def _template_ops(lay: Layout, encode: Encode) -> bytes:
    """The band and the fixed texts shared by every label of one kind and category."""
    r, g, b = hex_to_rgb(lay.colour)
    bx, by, bw, bh = lay.band
    ops = [
        b"%.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f\n"
        % (r / 255, g / 255, b / 255, bx * K, (lay.height - by - bh) * K, bw * K, bh * K)
    ]
    ops += [_text_ops(t, lay.height, encode) for t in lay.texts if t.static]
    return b"".join(ops)


def _label_ops(lay: Layout, x: float, y: float, template: bytes, encode: Encode) -> bytes:
    """Operators for one label whose bottom-left corner is at (x, y) pt on the page."""
    m = lay.module * K
    quiet = 4 * lay.module
    dynamic = [_text_ops(t, lay.height, encode) for t in lay.texts if not t.static]
    return b"".join(
        [
            b"q 1 0 0 1 %.2f %.2f cm %s Do\n" % (x, y, template),
            b"q 0 g %.4f 0 0 %.4f %.3f %.3f cm\n"
            % (m, -m, (lay.qr_x + quiet) * K, (lay.height - lay.qr_y - quiet) * K),
            qr_run_ops(lay.matrix),
            b"f Q\n",
            *dynamic,
            b"Q\n",
        ]
    )


def write_sheet(
    labels: Iterable[LabelData],
    out: BinaryIO | str | os.PathLike[str],
    layout: str = "a4",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Stream labels into an "a4" grid or "thermal" PDF; return the count (ValueError if none)."""
    if layout not in SHEETS:
        raise ValueError(f"unknown sheet layout {layout!r}; expected one of {sorted(SHEETS)}")
    if isinstance(out, str | os.PathLike):
        partial = f"{os.fspath(out)}.part"
        try:
            with open(partial, "wb") as fh:
                count = _write(labels, fh, SHEETS[layout], progress)
            os.replace(partial, out)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return count
    return _write(labels, out, SHEETS[layout], progress)


def _add_template(
    pdf: PdfWriter,
    templates: dict[tuple[str, str | None], bytes],
    label: LabelData,
    lay: Layout,
    resources: int,
    xobjects: list[bytes],
    encode: Encode,
) -> bytes:
    """Write the Form XObject shared by labels of this kind and category; return its name."""
    num = pdf.reserve()
    name = templates[(label.kind, label.category)] = b"/T%d" % len(templates)
    box = b" /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources %d 0 R" % (
        lay.width * K,
        lay.height * K,
        resources,
    )
    pdf.write_stream(num, _template_ops(lay, encode), box)
    xobjects.append(name + b" %d 0 R" % num)
    return name


def _write(
    labels: Iterable[LabelData],
    out: BinaryIO,
    sheet: SheetFormat,
    progress: Callable[[int], None] | None,
) -> int:
    """Write the whole PDF; pages are flushed one at a time."""
    stream = iter(labels)
    first = next(stream, None)
    if first is None:
        raise ValueError("no labels to write: a PDF needs at least one page")
    pdf = PdfWriter(out)
    catalog, pages, resources = pdf.reserve(), pdf.reserve(), pdf.reserve()
    cjk = cjk_font(pdf)
    fonts = pdf.add_fonts(cjk.ref)
    page_box = b"/MediaBox [0 0 %.2f %.2f]" % (sheet.page_w * K, sheet.page_h * K)
    xobjects: list[bytes] = []
    page_start = b""
    if sheet.crop_marks:
        crop = pdf.reserve()
        pdf.write_stream(
            crop,
            _crop_marks(sheet),
            b" /Type /XObject /Subtype /Form /BBox [0 0 "
            b"%.2f %.2f] /Resources %d 0 R" % (sheet.page_w * K, sheet.page_h * K, resources),
        )
        xobjects.append(b"/Crop %d 0 R" % crop)
        page_start = b"/Crop Do\n"
    templates: dict[tuple[str, str | None], bytes] = {}
    kids = array("I")
    ops: list[bytes] = []
    count = 0
    per_page = len(sheet.slots)

    def flush() -> None:
        """Write the finished page and its page object, then forget its content."""
        content, page = pdf.reserve(), pdf.reserve()
        pdf.write_stream(content, b"".join(ops))
        ops.clear()
        pdf.write_object(
            page,
            b"<< /Type /Page /Parent %d 0 R %s /Resources %d 0 R /Contents "
            b"%d 0 R >>" % (pages, page_box, resources, content),
        )
        kids.append(page)
        if progress is not None:
            progress(count)

    for label in itertools.chain((first,), stream):
        slot = count % per_page
        if slot == 0:
            ops.append(page_start)
        lay = layout_label(label, sheet.label_w, sheet.label_h)
        name = templates.get((label.kind, label.category))
        if name is None:
            name = _add_template(pdf, templates, label, lay, resources, xobjects, cjk.encode)
        x, y = sheet.slots[slot]
        ops.append(_label_ops(lay, x * K, (sheet.page_h - y - sheet.label_h) * K, name, cjk.encode))
        count += 1
        if slot == per_page - 1:
            flush()
    if ops:
        flush()
    cjk.finish()
    pdf.write_object(
        resources,
        b"<< /ProcSet [/PDF /Text] /Font << %s >> /XObject << %s >> >>"
        % (fonts, b" ".join(xobjects)),
    )
    chunks = [
        b" ".join(b"%d 0 R" % k for k in kids[i : i + 512]) + b" " for i in range(0, len(kids), 512)
    ]
    pdf.write_object(pages, b"<< /Type /Pages /Count %d /Kids [ " % len(kids), *chunks, b"] >>")
    pdf.write_object(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    pdf.finish(catalog)
    return count
