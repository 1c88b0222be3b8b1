"""A minimal streaming PDF writer: objects go straight to the output, only offsets stay in memory.

Why not reportlab: its canvas keeps every finished page in the document until ``save()``, so
memory grows with the batch (30,000 bags = 1,250 A4 pages), and drawing a QR through the canvas
API is slower than emitting content-stream operators directly. This writer keeps 8 bytes per
object (the xref offset) and writes everything else as soon as it is produced. Text uses the
standard Helvetica fonts and Adobe's STSong-Light CID font (UniGB-UCS2-H, not embedded; readers
substitute a local Song/Ming font), with a ToUnicode CMap so text extraction returns Unicode.
"""

from __future__ import annotations

import zlib
from array import array
from typing import BinaryIO

PT_PER_MM = 72 / 25.4
HELVETICA, HELVETICA_BOLD, CJK = b"/H", b"/HB", b"/C"
# Level 3: on label pages, level 6 costs ~20% more time for ~30% fewer bytes (both << 4 KB/label).
ZLIB_LEVEL = 3


def _tounicode_cmap() -> bytes:
    """ToUnicode CMap for UCS-2 codes: every 2-byte code maps to the same code point."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    ranges = [
        f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF
    ]
    for i in range(0, len(ranges), 100):
        chunk = ranges[i : i + 100]
        lines += [f"{len(chunk)} beginbfrange", *chunk, "endbfrange"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def pdf_string(text: str) -> bytes:
    """A PDF literal string for ASCII text."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1", "replace") + b")"


def pdf_ucs2(text: str) -> bytes:
    """A PDF hex string of UCS-2 codes for the CJK font."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


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

    def add_fonts(self) -> bytes:
        """Write the three fonts once; return the font resource dictionary entries."""
        helvetica, bold, cjk, cidfont, descriptor, tounicode = (self.reserve() for _ in range(6))
        for num, name in ((helvetica, b"Helvetica"), (bold, b"Helvetica-Bold")):
            self.write_object(
                num,
                b"<< /Type /Font /Subtype /Type1 /BaseFont /"
                + name
                + b" /Encoding /WinAnsiEncoding >>",
            )
        self.write_object(
            cjk,
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-"
            b"UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] "
            b"/ToUnicode %d 0 R >>" % (cidfont, tounicode),
        )
        self.write_object(
            cidfont,
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
            b" /FontDescriptor %d 0 R /DW 1000 >>" % descriptor,
        )
        self.write_object(
            descriptor,
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6"
            b" /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880"
            b" /Descent -120 /CapHeight 737 /StemV 58 /MissingWidth 500 >>",
        )
        self.write_stream(tounicode, _tounicode_cmap())
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
