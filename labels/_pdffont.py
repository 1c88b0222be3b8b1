"""The CJK font of a PDF sheet: an embedded TrueType subset, or Adobe's STSong-Light by reference.

Embedded (a font with TrueType outlines was found): a Type0 font, Identity-H, over a
CIDFontType2 whose CIDs are numbered in the order characters first appear (CID = glyph id of
the subset, CIDToGIDMap Identity). Pages are written as they fill, so the font cannot be: its
object numbers are reserved up front, the characters used are collected while streaming (one
dict entry per distinct character), and ``finish`` writes the subset, widths and ToUnicode CMap
just before the cross-reference table.

Fallback (no such font): STSong-Light, UniGB-UCS2-H, not embedded; readers substitute a local
Song/Ming font, and draw boxes when they have none (poppler without CJK fonts does).
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Protocol

from ._fonts import CJK_FONT_ENV, cjk_font_path
from ._pdf import PdfWriter
from ._truetype import FontError, TrueTypeFace, open_face

_CACHED_RUNS = 4096  # encoded text runs kept (site names repeat); bounded so memory stays flat


class CjkFont(Protocol):
    """What a sheet needs from its CJK font."""

    ref: int  # object number of the font dictionary

    def encode(self, text: str) -> bytes:
        """A PDF string drawing ``text`` in this font."""
        ...

    def finish(self) -> None:
        """Write whatever could only be written once every page was."""
        ...


def cjk_font(pdf: PdfWriter) -> CjkFont:
    """An embedded subset of the installed CJK TrueType font, else STSong with a warning."""
    path = cjk_font_path()
    reason = f"no font with Chinese glyphs found (install fonts-wqy-microhei or set {CJK_FONT_ENV})"
    if path is not None:
        try:
            face = open_face(path)
            if face.has_outlines:
                return EmbeddedCjkFont(pdf, face)
            reason = f"{path} has no TrueType outlines to embed"
        except (OSError, FontError) as exc:
            reason = str(exc)
    warnings.warn(
        f"PDF labels: {reason}; Chinese text refers to STSong-Light, not embedded, "
        "and shows as boxes in readers without a Chinese font",
        stacklevel=4,  # the caller of write_sheet
    )
    return StSongFont(pdf)


class EmbeddedCjkFont:
    """Type0/CIDFontType2 over a subset of one TrueType face, written at ``finish``."""

    def __init__(self, pdf: PdfWriter, face: TrueTypeFace) -> None:
        """Reserve the five objects; nothing is written until ``finish``."""
        self._pdf, self._face = pdf, face
        self.ref, self._cid_font, self._descriptor, self._file, self._tounicode = (
            pdf.reserve() for _ in range(5)
        )
        self._cids: dict[str, int] = {}
        self._runs: dict[str, bytes] = {}

    def encode(self, text: str) -> bytes:
        """A hex string of 2-byte CIDs, numbering characters not seen before."""
        code = self._runs.get(text)
        if code is None:
            cids = self._cids
            for ch in text:
                if ch not in cids:
                    cids[ch] = len(cids) + 1
            code = b"<" + "".join(f"{cids[ch]:04X}" for ch in text).encode("ascii") + b">"
            if len(self._runs) < _CACHED_RUNS:
                self._runs[text] = code
        return code

    def finish(self) -> None:
        """Write the subset font program, descriptor, CID font, Type0 font and ToUnicode CMap."""
        pdf, face = self._pdf, self._face
        chars = "".join(self._cids)  # insertion order: chars[i] has CID i + 1
        subset = face.subset(chars)
        # A subset's name is a tag of six capitals, then "+": derived from its content, so
        # the same labels give the same bytes.
        digest = hashlib.sha256(chars.encode("utf-8")).digest()
        name = "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + face.postscript_name
        scale = 1000 / face.units_per_em
        widths = b" ".join(b"%d" % round(a * scale) for a in subset.advances)
        w_array = b" /W [1 [%s]]" % widths if widths else b""
        bbox = b" ".join(b"%d" % round(v * scale) for v in face.bbox)
        pdf.write_stream(self._file, subset.data, b" /Length1 %d" % len(subset.data))
        pdf.write_object(
            self._descriptor,
            b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%s] /ItalicAngle 0"
            b" /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>"
            % (
                name.encode("ascii"),
                bbox,
                round(face.ascent * scale),
                round(face.descent * scale),
                round(face.cap_height * scale),
                self._file,
            ),
        )
        pdf.write_object(
            self._cid_font,
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            b" /FontDescriptor %d 0 R /DW 1000%s /CIDToGIDMap /Identity >>"
            % (name.encode("ascii"), self._descriptor, w_array),
        )
        pdf.write_object(
            self.ref,
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H"
            b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
            % (name.encode("ascii"), self._cid_font, self._tounicode),
        )
        mappings = [
            b"<%04X> <%s>" % (cid, ch.encode("utf-16-be").hex().upper().encode("ascii"))
            for cid, ch in enumerate(chars, start=1)
        ]
        pdf.write_stream(self._tounicode, _cmap(mappings, "bfchar", b"<0000> <FFFF>"))


class StSongFont:
    """Adobe's STSong-Light by reference, text as UCS-2 codes: nothing embedded."""

    def __init__(self, pdf: PdfWriter) -> None:
        """Write the three font objects and the ToUnicode CMap now."""
        self.ref, cidfont, descriptor, tounicode = (pdf.reserve() for _ in range(4))
        pdf.write_object(
            self.ref,
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-"
            b"UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] "
            b"/ToUnicode %d 0 R >>" % (cidfont, tounicode),
        )
        pdf.write_object(
            cidfont,
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
            b" /FontDescriptor %d 0 R /DW 1000 >>" % descriptor,
        )
        pdf.write_object(
            descriptor,
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6"
            b" /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880"
            b" /Descent -120 /CapHeight 737 /StemV 58 /MissingWidth 500 >>",
        )
        ranges = [
            b"<%02X00> <%02XFF> <%02X00>" % (hi, hi, hi)
            for hi in range(256)
            if not 0xD8 <= hi <= 0xDF
        ]
        pdf.write_stream(tounicode, _cmap(ranges, "bfrange", b"<0000> <FFFF>"))

    @staticmethod
    def encode(text: str) -> bytes:
        """A PDF hex string of UCS-2 codes."""
        return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"

    def finish(self) -> None:
        """Nothing is left to write."""


def _cmap(mappings: list[bytes], kind: str, codespace: bytes) -> bytes:
    """A ToUnicode CMap from ``bfchar`` or ``bfrange`` lines, in blocks of at most 100."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        codespace,
        b"endcodespacerange",
    ]
    for i in range(0, len(mappings), 100):
        block = mappings[i : i + 100]
        lines += [b"%d begin%s" % (len(block), kind.encode()), *block, b"end" + kind.encode()]
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
