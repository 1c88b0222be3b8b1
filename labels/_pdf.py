"""A minimal streaming PDF writer: objects go straight to the output, only offsets stay in memory.

Why not reportlab: its canvas keeps every finished page in the document until ``save()``, so
memory grows with the batch (30,000 bags = 1,250 A4 pages), and drawing a QR through the canvas
API is slower than emitting content-stream operators directly. This writer keeps 8 bytes per
object (the xref offset) and writes everything else as soon as it is produced; an object can be
reserved early and written last (the CJK font subset, see ``_pdffont``). Latin text uses the
standard Helvetica fonts.
"""

from __future__ import annotations

import zlib
from array import array
from typing import BinaryIO

PT_PER_MM = 72 / 25.4
HELVETICA, HELVETICA_BOLD, CJK = b"/H", b"/HB", b"/C"
# Level 3: on label pages, level 6 costs ~20% more time for ~30% fewer bytes (both << 4 KB/label).
ZLIB_LEVEL = 3


def pdf_string(text: str) -> bytes:
    """A PDF literal string for ASCII text."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1", "replace") + b")"


class PdfWriter:
    """Writes numbered PDF objects to a binary stream in any order, then the xref and trailer."""

    def __init__(self, out: BinaryIO) -> None:
        """Start a PDF 1.4 file on ``out`` (need not be seekable)."""
        self._out = out
        self._pos = 0
        self._offsets = array("Q", [0])
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        """Write bytes and advance the offset counter."""
        self._out.write(data)
        self._pos += len(data)

    def reserve(self) -> int:
        """Allocate an object number to be written later."""
        self._offsets.append(0)
        return len(self._offsets) - 1

    def write_object(self, num: int, *parts: bytes) -> None:
        """Write object ``num`` whose body is the concatenation of ``parts``."""
        self._offsets[num] = self._pos
        self._write(b"%d 0 obj\n" % num)
        for part in parts:
            self._write(part)
        self._write(b"\nendobj\n")

    def write_stream(self, num: int, data: bytes, extra: bytes = b"") -> None:
        """Write a Flate-compressed stream object."""
        self.write_deflated(num, zlib.compress(data, ZLIB_LEVEL), extra)

    def write_deflated(self, num: int, deflated: bytes, extra: bytes = b"") -> None:
        """Write a stream object whose data is already Flate-compressed."""
        head = b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(deflated), extra)
        self.write_object(num, head, deflated, b"\nendstream")

    def add_fonts(self, cjk: int) -> bytes:
        """Write the two Helvetica fonts; return the font resources, CJK font object ``cjk``."""
        helvetica, bold = self.reserve(), self.reserve()
        for num, name in ((helvetica, b"Helvetica"), (bold, b"Helvetica-Bold")):
            self.write_object(
                num,
                b"<< /Type /Font /Subtype /Type1 /BaseFont /"
                + name
                + b" /Encoding /WinAnsiEncoding >>",
            )
        return b"/H %d 0 R /HB %d 0 R /C %d 0 R" % (helvetica, bold, cjk)

    def finish(self, root: int) -> int:
        """Write the xref table and trailer; return the file size in bytes."""
        missing = [n for n in range(1, len(self._offsets)) if not self._offsets[n]]
        if missing:
            raise RuntimeError(f"PDF objects reserved but never written: {missing[:10]}")
        xref = self._pos
        count = len(self._offsets)
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for start in range(1, count, 512):
            chunk = self._offsets[start : start + 512]
            self._write(b"".join(b"%010d 00000 n \n" % off for off in chunk))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, root, xref)
        )
        return self._pos
