"""Just enough TrueType: open a face of a .ttf/.ttc, map characters to glyphs, subset outlines.

Why not fontTools: subsetting a 49,531-glyph CJK face (WenQuanYi Micro Hei) with it costs
0.3-0.5 s and ~28 MiB for every PDF, and its parsed cmap keeps ~8 MiB per process. Here a face
keeps its cmap subtable's bytes (a few KB) and looks characters up by bisection; a subset reads
``loca``/``hmtx`` and only the glyphs a sheet uses (plus their components), in milliseconds.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

# Composite glyph component flags (OpenType "glyf" table).
_ARGS_ARE_WORDS, _HAS_SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x1, 0x8, 0x20, 0x40, 0x80
# Unicode cmap subtables, best first: (platform, encoding, format).
_CMAP_PREFERENCE = ((3, 10, 12), (0, 4, 12), (0, 6, 12), (3, 1, 4), (0, 3, 4), (0, 1, 4))
_COPIED_TABLES = (b"cvt ", b"fpgm", b"prep")  # hinting programs the glyph instructions refer to


class FontError(ValueError):
    """The file is not a TrueType/OpenType face this module can read."""


def _u16_array(data: bytes) -> array:
    """Big-endian uint16s as a native array."""
    values = array("H", data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _u32_array(data: bytes) -> array:
    """Big-endian uint32s as a native array ("I" is 4 bytes on every platform CPython runs on)."""
    values = array("I", data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


@dataclass(frozen=True)
class Subset:
    """A standalone TrueType font holding chosen glyphs as glyph ids 1..n (0 is .notdef)."""

    data: bytes
    advances: tuple[int, ...]  # per requested glyph, in font units
    units_per_em: int


class TrueTypeFace:
    """One face of a font file: metrics, a character-to-glyph lookup, and glyph subsetting."""

    def __init__(self, path: str, index: int = 0) -> None:
        """Read the table directory, the header metrics and the best Unicode cmap subtable."""
        self.path = path
        try:
            with open(path, "rb") as fh:
                self._tables = self._directory(fh, index)
                self._init_metrics(fh)
                self._init_cmap(fh)
                self.postscript_name = self._postscript_name(fh)
        except (struct.error, IndexError, KeyError) as exc:
            raise FontError(f"{path}: not a readable TrueType/OpenType font ({exc})") from exc

    @staticmethod
    def _directory(fh, index: int) -> dict[bytes, tuple[int, int]]:
        """Table tag -> (offset, length) for face ``index`` (a .ttc holds several faces)."""
        head = fh.read(12)
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            if not 0 <= index < count:
                raise FontError(f"face {index} not in a collection of {count}")
            start = struct.unpack(">I", fh.read(4 * count)[4 * index : 4 * index + 4])[0]
            fh.seek(start)
            head = fh.read(12)
        if head[:4] not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            raise FontError("unknown sfnt version")
        num_tables = struct.unpack(">H", head[4:6])[0]
        records = fh.read(16 * num_tables)
        return {
            records[i : i + 4]: struct.unpack(">II", records[i + 8 : i + 16])
            for i in range(0, 16 * num_tables, 16)
        }

    def _read(self, fh, tag: bytes) -> bytes:
        """The raw bytes of one table."""
        offset, length = self._tables[tag]
        fh.seek(offset)
        return fh.read(length)

    def _init_metrics(self, fh) -> None:
        """Units per em, bounding box, loca format, ascent/descent, glyph count, cap height."""
        self._head = self._read(fh, b"head")
        self.units_per_em = struct.unpack(">H", self._head[18:20])[0]
        self.bbox = struct.unpack(">hhhh", self._head[36:44])
        self._long_loca = struct.unpack(">h", self._head[50:52])[0] == 1
        self._hhea = self._read(fh, b"hhea")
        self.ascent, self.descent = struct.unpack(">hh", self._hhea[4:8])
        self._num_hmetrics = struct.unpack(">H", self._hhea[34:36])[0]
        self._maxp = self._read(fh, b"maxp")
        self.num_glyphs = struct.unpack(">H", self._maxp[4:6])[0]
        self.cap_height = self.ascent
        if b"OS/2" in self._tables:
            os2 = self._read(fh, b"OS/2")
            if struct.unpack(">H", os2[:2])[0] >= 2 and len(os2) >= 90:
                self.cap_height = struct.unpack(">h", os2[88:90])[0]
        self.has_outlines = b"glyf" in self._tables and b"loca" in self._tables

    def _init_cmap(self, fh) -> None:
        """Keep the best Unicode subtable's bytes for bisection lookups."""
        cmap = self._read(fh, b"cmap")
        found: dict[tuple[int, int, int], bytes] = {}
        for i in range(struct.unpack(">H", cmap[2:4])[0]):
            platform, encoding, offset = struct.unpack(">HHI", cmap[4 + 8 * i : 12 + 8 * i])
            fmt = struct.unpack(">H", cmap[offset : offset + 2])[0]
            if fmt == 12:
                length = struct.unpack(">I", cmap[offset + 4 : offset + 8])[0]
            else:
                length = struct.unpack(">H", cmap[offset + 2 : offset + 4])[0]
            found.setdefault((platform, encoding, fmt), cmap[offset : offset + length])
        best = next((key for key in _CMAP_PREFERENCE if key in found), None)
        if best is None:
            raise FontError("no Unicode cmap (format 4 or 12)")
        sub = found[best]
        if best[2] == 12:
            groups = _u32_array(sub[16 : 16 + 12 * struct.unpack(">I", sub[12:16])[0]])
            self._starts, self._ends, self._first_glyphs = groups[0::3], groups[1::3], groups[2::3]
            self._lookup = self._lookup12
        else:
            seg2 = struct.unpack(">H", sub[6:8])[0]
            self._ends = _u16_array(sub[14 : 14 + seg2])
            self._starts = _u16_array(sub[16 + seg2 : 16 + 2 * seg2])
            self._deltas = _u16_array(sub[16 + 2 * seg2 : 16 + 3 * seg2])
            self._range_at = 16 + 3 * seg2
            self._range_offsets = _u16_array(sub[self._range_at : self._range_at + seg2])
            self._cmap4 = sub
            self._lookup = self._lookup4

    def _lookup12(self, code: int) -> int:
        """Format 12: sequential map groups."""
        i = bisect_left(self._ends, code)
        if i < len(self._ends) and self._starts[i] <= code:
            return self._first_glyphs[i] + code - self._starts[i]
        return 0

    def _lookup4(self, code: int) -> int:
        """Format 4: segments with a delta or an index into the glyph id array."""
        i = bisect_left(self._ends, code)
        if i >= len(self._ends) or self._starts[i] > code:
            return 0
        offset = self._range_offsets[i]
        if offset == 0:
            return (code + self._deltas[i]) & 0xFFFF
        at = self._range_at + 2 * i + offset + 2 * (code - self._starts[i])
        glyph = struct.unpack(">H", self._cmap4[at : at + 2])[0]
        return (glyph + self._deltas[i]) & 0xFFFF if glyph else 0

    def glyph_id(self, char: str) -> int:
        """The glyph id for a character, 0 (.notdef, the empty box) when the face lacks it."""
        glyph = self._lookup(ord(char))
        return glyph if glyph < self.num_glyphs else 0

    def _postscript_name(self, fh) -> str:
        """The PostScript name (name id 6), or the file's stem."""
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if b"name" not in self._tables:
            return stem
        table = self._read(fh, b"name")
        count, strings = struct.unpack(">HH", table[2:6])
        for i in range(count):
            platform, encoding, _, name_id, length, offset = struct.unpack(
                ">HHHHHH", table[6 + 12 * i : 18 + 12 * i]
            )
            if name_id == 6 and (platform, encoding) in ((3, 1), (1, 0)):
                raw = table[strings + offset : strings + offset + length]
                name = raw.decode("utf-16-be" if platform == 3 else "latin-1", "replace")
                name = "".join(ch for ch in name if ch.isascii() and ch.isalnum() or ch in "-_")
                if name:
                    return name
        return stem

    def subset(self, chars: str) -> Subset:
        """A font whose glyph ``i + 1`` draws ``chars[i]`` (.notdef if absent), then components."""
        glyphs = [self.glyph_id(ch) for ch in chars]
        if not self.has_outlines:
            raise FontError(f"{self.path}: no TrueType outlines (glyf), cannot embed as FontFile2")
        try:
            return self._subset(glyphs, chars)
        except (struct.error, IndexError) as exc:
            raise FontError(f"{self.path}: damaged glyph data ({exc})") from exc

    def _subset(self, glyphs: list[int], chars: str) -> Subset:
        """``subset`` on a face with outlines."""
        with open(self.path, "rb") as fh:
            loca_raw = self._read(fh, b"loca")
            loca = _u32_array(loca_raw) if self._long_loca else _u16_array(loca_raw)
            scale = 1 if self._long_loca else 2
            hmtx = self._read(fh, b"hmtx")
            glyf_at = self._tables[b"glyf"][0]
            order = [0, *glyphs]
            new_ids = {old: new for new, old in reversed(list(enumerate(order)))}
            bodies: list[bytes] = []
            i = 0
            while i < len(order):  # order grows as composites pull in their components
                old = order[i]
                start, end = loca[old] * scale, loca[old + 1] * scale
                fh.seek(glyf_at + start)
                body = fh.read(end - start)
                if len(body) >= 10 and struct.unpack(">h", body[:2])[0] < 0:
                    body = self._renumber_components(body, order, new_ids)
                bodies.append(body + b"\0" * (-len(body) % 4))
                i += 1
            others = {tag: self._read(fh, tag) for tag in _COPIED_TABLES if tag in self._tables}
        metrics = [self._metric(hmtx, old) for old in order]
        data = self._build(bodies, metrics, others, chars)
        advances = tuple(advance for advance, _ in metrics[1 : len(glyphs) + 1])
        return Subset(data, advances, self.units_per_em)

    @staticmethod
    def _renumber_components(body: bytes, order: list[int], new_ids: dict[int, int]) -> bytes:
        """Point a composite glyph at the subset's ids, queueing components not yet included."""
        out = bytearray(body)
        pos = 10
        while True:
            flags, component = struct.unpack_from(">HH", out, pos)
            if component not in new_ids:
                new_ids[component] = len(order)
                order.append(component)
            struct.pack_into(">H", out, pos + 2, new_ids[component])
            pos += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
            if flags & _HAS_SCALE:
                pos += 2
            elif flags & _XY_SCALE:
                pos += 4
            elif flags & _TWO_BY_TWO:
                pos += 8
            if not flags & _MORE:
                return bytes(out)

    def _metric(self, hmtx: bytes, glyph: int) -> tuple[int, int]:
        """(advance width, left side bearing) of a glyph."""
        if glyph < self._num_hmetrics:
            return struct.unpack(">Hh", hmtx[4 * glyph : 4 * glyph + 4])
        (advance,) = struct.unpack_from(">H", hmtx, 4 * (self._num_hmetrics - 1))
        (bearing,) = struct.unpack_from(
            ">h", hmtx, 4 * self._num_hmetrics + 2 * (glyph - self._num_hmetrics)
        )
        return advance, bearing

    def _build(
        self,
        bodies: list[bytes],
        metrics: list[tuple[int, int]],
        others: dict[bytes, bytes],
        chars: str,
    ) -> bytes:
        """Assemble the sfnt: head, hhea, maxp, hmtx, loca, glyf, a cmap, hinting tables."""
        count = len(bodies)
        offsets = [0]
        for body in bodies:
            offsets.append(offsets[-1] + len(body))
        head = bytearray(self._head)
        struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1)  # long loca
        hhea = bytearray(self._hhea)
        struct.pack_into(">H", hhea, 34, count)
        maxp = bytearray(self._maxp)
        struct.pack_into(">H", maxp, 4, count)
        tables = {
            b"head": bytes(head),
            b"hhea": bytes(hhea),
            b"maxp": bytes(maxp),
            b"hmtx": b"".join(struct.pack(">Hh", *m) for m in metrics),
            b"loca": struct.pack(f">{len(offsets)}I", *offsets),
            b"glyf": b"".join(bodies),
            b"cmap": _cmap12(chars),
            **others,
        }
        return _sfnt(tables)


def _cmap12(chars: str) -> bytes:
    """A (3, 10) format 12 cmap mapping ``chars[i]`` to glyph ``i + 1``."""
    pairs = sorted((ord(ch), new) for new, ch in enumerate(chars, start=1))
    groups = b"".join(struct.pack(">III", code, code, new) for code, new in pairs)
    sub = struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(pairs)) + groups
    return struct.pack(">HHHHI", 0, 1, 3, 10, 12) + sub


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """Serialise tables into a TrueType file with a correct checksum adjustment."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, 16 * power, power.bit_length() - 1, 16 * (count - power)
    )
    offset = 12 + 16 * count
    records, blobs = [], []
    for tag in tags:
        data = tables[tag]
        padded = data + b"\0" * (-len(data) % 4)
        records.append(struct.pack(">4sIII", tag, _checksum(padded), offset, len(data)))
        blobs.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(records) + b"".join(blobs))
    head_at = 12 + 16 * count + sum(len(b) for b in blobs[: tags.index(b"head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    """The OpenType table checksum: sum of big-endian uint32s modulo 2**32."""
    return sum(_u32_array(data + b"\0" * (-len(data) % 4))) & 0xFFFFFFFF


@cache
def open_face(path: str) -> TrueTypeFace:
    """The first face of a font file, parsed once per process."""
    return TrueTypeFace(path)
