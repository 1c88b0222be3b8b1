"""Fast QR encoder for label codes (alphanumeric mode, level Q, versions 1-6), numpy-based.

segno needs ~8 ms per symbol (pure-Python mask evaluation), too slow for a 30,000-bag batch at
1,000 labels/s. Label codes are always upper-case alphanumeric and short, so this module encodes
that one case directly (ISO/IEC 18004: bit stream, Reed-Solomon, placement, 8 masks scored with
the standard N1-N4 penalties, see ``_qrmask``). Anything else falls back to segno. Tests check the
matrices equal ``segno.make_qr(..., error="q", boost_error=False, mask=same)`` except where segno
adds a spare zero codeword when the bit stream already ends on a byte boundary (this encoder
follows the standard there), and that a decoder reads every symbol back.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import segno

from ._qrmask import penalties

QUIET_ZONE = 4
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {ch: i for i, ch in enumerate(_ALNUM)}
_ALNUM_PAIRS = {
    a + b: 45 * va + vb for a, va in _ALNUM_VALUE.items() for b, vb in _ALNUM_VALUE.items()
}
# Level Q: version -> (EC codewords per block, data codewords per block for each block).
_Q_BLOCKS = {
    1: (13, (13,)),
    2: (22, (22,)),
    3: (18, (17, 17)),
    4: (26, (24, 24)),
    5: (18, (15, 15, 16, 16)),
    6: (24, (19, 19, 19, 19)),
}
_FORMAT_Q = 0b11

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """Reed-Solomon generator polynomial coefficients (leading 1 dropped)."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(poly[1:])


def _ec_codewords(data: list[int], degree: int) -> list[int]:
    """Reed-Solomon error-correction codewords for one block."""
    gen = [_LOG[g] for g in _generator(degree)]
    rem = [0] * degree
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = _LOG[factor]
            for k, lg in enumerate(gen):
                rem[k] ^= _EXP[lf + lg]
    return rem


@cache
def _ec_table(data_len: int, degree: int) -> np.ndarray:
    """RS is linear: EC codewords are the XOR of per-(position, byte value) contributions."""
    single = np.zeros((data_len, 8, degree), np.uint8)
    for pos in range(data_len):
        for bit in range(8):
            unit = [0] * data_len
            unit[pos] = 1 << bit
            single[pos, bit] = _ec_codewords(unit, degree)
    has_bit = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(bool)
    table = np.zeros((data_len, 256, degree), np.uint8)
    for bit in range(8):
        table[:, has_bit[:, bit], :] ^= single[:, bit, None, :]
    return table


def _data_codewords(text: str, capacity: int) -> list[int]:
    """Alphanumeric-mode bit stream (ISO 18004 7.4.4), terminated and padded to ``capacity``."""
    value, length = (0b0010 << 9) | len(text), 13
    for i in range(0, len(text) - 1, 2):
        value = (value << 11) | _ALNUM_PAIRS[text[i : i + 2]]
    length += 11 * (len(text) // 2)
    if len(text) % 2:
        value, length = (value << 6) | _ALNUM_VALUE[text[-1]], length + 6
    term = min(4, capacity * 8 - length)
    pad = -(length + term) % 8
    value, length = value << (term + pad), length + term + pad
    out = list(value.to_bytes(length // 8, "big"))
    out += [0xEC, 0x11] * ((capacity - len(out)) // 2 + 1)
    return out[:capacity]


@cache
def _template(version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Function patterns, function-module mask, data placement order and the 8 mask patterns."""
    n = 17 + 4 * version
    base = np.zeros((n, n), np.uint8)
    func = np.zeros((n, n), bool)
    finder = np.ones((7, 7), np.uint8)
    finder[1:6, 1:6] = 0
    finder[2:5, 2:5] = 1
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        base[r : r + 7, c : c + 7] = finder
        func[max(r - 1, 0) : r + 8, max(c - 1, 0) : c + 8] = True
    base[6, 8 : n - 8] = base[8 : n - 8, 6] = np.arange(8, n - 8) % 2 == 0
    func[6, :] = func[:, 6] = True
    if version > 1:
        p = n - 7
        base[p - 2 : p + 3, p - 2 : p + 3] = 1
        base[p - 1 : p + 2, p - 1 : p + 2] = 0
        base[p, p] = 1
        func[p - 2 : p + 3, p - 2 : p + 3] = True
    func[8, :9] = func[:9, 8] = func[8, n - 8 :] = func[n - 8 :, 8] = True
    order = []
    rights = list(range(n - 1, 7, -2)) + [5, 3, 1]
    for right in rights:
        upward = ((right + 1) & 2) == 0
        for vert in range(n):
            y = n - 1 - vert if upward else vert
            for x in (right, right - 1):
                if not func[y, x]:
                    order.append(y * n + x)
    i, j = np.indices((n, n))
    patterns = [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    ]
    masks = np.stack([p & ~func for p in patterns]).astype(np.uint8)
    formats = np.stack([_format_modules(n, mask) for mask in range(8)])
    return base, np.array(order, np.intp), masks, formats


def _format_modules(n: int, mask: int) -> np.ndarray:
    """An n x n layer holding the 15 format bits (both copies) and the dark module."""
    data = (_FORMAT_Q << 3) | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    bits = ((data << 10) | rem) ^ 0x5412
    layer = np.zeros((n, n), np.uint8)

    def bit(k: int) -> int:
        return (bits >> k) & 1

    for k in range(6):
        layer[k, 8] = bit(k)
    layer[7, 8], layer[8, 8], layer[8, 7] = bit(6), bit(7), bit(8)
    for k in range(9, 15):
        layer[8, 14 - k] = bit(k)
    for k in range(8):
        layer[8, n - 1 - k] = bit(k)
    for k in range(8, 15):
        layer[n - 15 + k, 8] = bit(k)
    layer[n - 8, 8] = 1
    return layer


def qr_matrix(text: str, mask: int | None = None) -> np.ndarray:
    """Return the QR module matrix (uint8, 1 = dark, no quiet zone) for ``text`` at level Q."""
    if text and all(ch in _ALNUM_VALUE for ch in text):
        needed = 13 + 11 * (len(text) // 2) + 6 * (len(text) % 2)
        for version, (ec, blocks) in _Q_BLOCKS.items():
            if needed <= 8 * sum(blocks):
                data = _data_codewords(text, sum(blocks))
                return _build(version, ec, blocks, data, mask)
    qr = segno.make_qr(text, error="q", boost_error=False, mask=mask)
    return np.array(qr.matrix, np.uint8)


@cache
def _plan(version: int, ec: int, blocks: tuple[int, ...]) -> tuple[np.ndarray, list]:
    """Module index for each bit of the block-ordered codewords, and per-block EC tables."""
    offsets = np.cumsum((0,) + blocks)
    data_total = int(offsets[-1])
    symbol_order = [
        offsets[b] + i for i in range(max(blocks)) for b in range(len(blocks)) if i < blocks[b]
    ]
    symbol_order += [data_total + b * ec + i for i in range(ec) for b in range(len(blocks))]
    modules = _template(version)[1]
    where = np.empty(len(symbol_order) * 8, np.intp)
    for slot, codeword in enumerate(symbol_order):
        where[codeword * 8 : codeword * 8 + 8] = modules[slot * 8 : slot * 8 + 8]
    tables = [
        (int(offsets[b]), size, _ec_table(size, ec), np.arange(size))
        for b, size in enumerate(blocks)
    ]
    return where, tables


def _build(version: int, ec: int, blocks: tuple[int, ...], data: list[int], mask: int | None):
    """Place the data and EC codewords, then apply the best (or given) mask."""
    where, tables = _plan(version, ec, blocks)
    data_arr = np.array(data, np.uint8)
    parts = [data_arr]
    for start, size, table, positions in tables:
        contributions = table[positions, data_arr[start : start + size]]
        parts.append(np.bitwise_xor.reduce(contributions, axis=0))
    base, _, masks, formats = _template(version)
    flat = base.copy().reshape(-1)
    flat[where] = np.unpackbits(np.concatenate(parts))
    unmasked = flat.reshape(base.shape)
    if mask is not None:
        return unmasked ^ masks[mask] | formats[mask]
    candidates = (unmasked[None] ^ masks) | formats
    return candidates[int(np.argmin(penalties(candidates)))]
