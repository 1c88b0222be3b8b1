"""The Chinese font of a PDF sheet: an embedded subset (fontTools), or STSong-Light by reference.

Embedded (a font with TrueType outlines was found): a Type0 font, Identity-H, over a
CIDFontType2. Characters get CIDs 1, 2, ... in the order they first appear while pages are
drawn; once every page is, ``finish`` subsets the font to those characters and writes the
CIDToGIDMap from each CID to the subset's glyph, the widths, and a ToUnicode CMap so readers
extract the text. The font object is created empty up front so pages can refer to it.

Fallback (no such font): STSong-Light, UniGB-UCS2-H, not embedded; readers substitute a local
Song/Ming font, and draw boxes when they have none (poppler without CJK fonts does).
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name

from ._fonts import CJK_FONT_ENV, cjk_font_path, is_truetype, subset_font

_CACHED_RUNS = 4096  # encoded text runs kept (site names repeat); bounded so memory stays flat


class CjkFont(Protocol):
    """What a sheet needs from its CJK font."""

    ref: pikepdf.Object  # the font dictionary pages name in their resources

    def encode(self, text: str) -> bytes:
        """The string operand that draws ``text`` in this font."""
        ...

    def finish(self) -> None:
        """Complete the font once every page is drawn."""
        ...


def cjk_font(pdf: pikepdf.Pdf) -> CjkFont:
    """An embedded subset of the installed CJK TrueType font, else STSong with a warning."""
    path = cjk_font_path()
    if path is not None and is_truetype(path):
        return EmbeddedCjkFont(pdf, path)
    reason = (
        f"{path} has no TrueType outlines to embed"
        if path
        else f"no font with Chinese glyphs found (install fonts-wqy-microhei or set {CJK_FONT_ENV})"
    )
    warnings.warn(
        f"PDF labels: {reason}; Chinese text refers to STSong-Light, not embedded, "
        "and shows as boxes in readers without a Chinese font",
        stacklevel=4,  # the caller of write_sheet
    )
    return StSongFont(pdf)


class EmbeddedCjkFont:
    """Type0/CIDFontType2 over a fontTools subset of one TrueType face, completed at ``finish``."""

    def __init__(self, pdf: pikepdf.Pdf, path: str) -> None:
        """Create the (empty) font dictionary; the subset is made at ``finish``."""
        self._pdf, self._path = pdf, path
        self.ref = pdf.make_indirect(Dictionary())
        self._cids: dict[str, int] = {}
        self._runs: dict[str, bytes] = {}

    def encode(self, text: str) -> bytes:
        """Two-byte CIDs, numbering characters not seen before."""
        code = self._runs.get(text)
        if code is None:
            cids = self._cids
            for ch in text:
                if ch not in cids:
                    cids[ch] = len(cids) + 1
            code = b"".join(cids[ch].to_bytes(2, "big") for ch in text)
            if len(self._runs) < _CACHED_RUNS:
                self._runs[text] = code
        return code

    def finish(self) -> None:
        """Subset the font to the characters drawn and fill in the font dictionaries."""
        chars = "".join(self._cids)  # insertion order: chars[i] has CID i + 1
        sub = subset_font(self._path, chars)
        scale = 1000 / sub.units_per_em
        # A subset is named six capitals and "+", here from its characters: same labels, same bytes.
        digest = hashlib.sha256(chars.encode("utf-8")).digest()
        name = Name("/" + "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + sub.postscript_name)
        pdf = self._pdf
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=name,
            Flags=4,
            FontBBox=Array([round(v * scale) for v in sub.bbox]),
            ItalicAngle=0,
            Ascent=round(sub.ascent * scale),
            Descent=round(sub.descent * scale),
            CapHeight=round(sub.cap_height * scale),
            StemV=80,
            FontFile2=pdf.make_stream(sub.data, Length1=len(sub.data)),
        )
        cid_to_gid = b"\0\0" + b"".join(sub.glyph_ids[ch].to_bytes(2, "big") for ch in chars)
        cid_font = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=name,
            CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=pdf.make_indirect(descriptor),
            DW=1000,
            W=Array([1, Array([round(sub.advances[ch] * scale) for ch in chars])]),
            CIDToGIDMap=pdf.make_stream(cid_to_gid),
        )
        self.ref.update(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type0,
                BaseFont=name,
                Encoding=Name("/Identity-H"),
                DescendantFonts=Array([pdf.make_indirect(cid_font)]),
                ToUnicode=pdf.make_stream(_to_unicode(chars)),
            )
        )


def _to_unicode(chars: str) -> bytes:
    """A ToUnicode CMap from CID i + 1 to ``chars[i]`` (PDF 32000-1, 9.10.3)."""
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
    pairs = [f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in
             enumerate(chars, start=1)]
    for i in range(0, len(pairs), 100):  # at most 100 mappings per block
        block = pairs[i : i + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


class StSongFont:
    """Adobe's STSong-Light by reference, text as UCS-2 codes: nothing embedded."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        """Create the font dictionaries."""
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=Name("/STSong-Light"),
            Flags=6,
            FontBBox=Array([-25, -254, 1000, 880]),
            ItalicAngle=0,
            Ascent=880,
            Descent=-120,
            CapHeight=737,
            StemV=58,
        )
        cid_font = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType0,
            BaseFont=Name("/STSong-Light"),
            CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="GB1", Supplement=2),
            FontDescriptor=pdf.make_indirect(descriptor),
            DW=1000,
        )
        self.ref = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type0,
                BaseFont=Name("/STSong-Light-UniGB-UCS2-H"),
                Encoding=Name("/UniGB-UCS2-H"),
                DescendantFonts=Array([pdf.make_indirect(cid_font)]),
            )
        )

    @staticmethod
    def encode(text: str) -> bytes:
        """UCS-2 codes."""
        return text.encode("utf-16-be")

    def finish(self) -> None:
        """Nothing is left to do."""

