"""QR mask selection: the ISO/IEC 18004 penalty score (N1-N4) of candidate symbols.

Lines are packed into Python integers (4 light modules between lines) so runs, 2x2 blocks and
finder-like patterns are found with a few shifts and ``bit_count`` per candidate instead of
per-module loops.
"""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _penalty_masks(n: int) -> tuple[int, ...]:
    """Bit masks of valid positions for 2n packed lines (n rows, then n columns) of n bits."""
    slot = n + 4
    total = 4 + 2 * n * slot

    def positions(lines: range, cols: range) -> int:
        value = 0
        for line in lines:
            for j in cols:
                value |= 1 << (4 + line * slot + j)
        return value

    lines = range(2 * n)
    return (
        slot,
        (1 << (total + 4)) - 1,
        positions(lines, range(n - 4)),  # 5-module windows
        positions(lines, range(1)),  # line starts
        positions(lines, range(n - 6)),  # 1:1:3:1:1 cores
        positions(range(n - 1), range(n - 1)),  # 2x2 block top-left corners (rows only)
    )


def _pack(m: np.ndarray, slot: int) -> list[int]:
    """Pack each candidate's rows then columns into one little-endian integer."""
    count, n, _ = m.shape
    buf = np.zeros((count, 4 + 2 * n * slot + 4), np.uint8)
    body = buf[:, 4 : 4 + 2 * n * slot].reshape(count, 2 * n, slot)
    body[:, :n, :n] = m
    body[:, n:, :n] = m.transpose(0, 2, 1)
    packed = np.packbits(buf, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def penalties(m: np.ndarray) -> np.ndarray:
    """ISO 18004 penalty score (N1-N4) of each candidate in a stack of matrices."""
    n = m.shape[-1]
    slot, all_bits, valid5, starts, cores, blocks = _penalty_masks(n)
    total = n * n
    scores = []
    for x in _pack(m, slot):
        neq = x ^ (x >> 1)
        eq = neq ^ all_bits
        uniform = eq & (eq >> 1) & (eq >> 2) & (eq >> 3) & valid5
        score = uniform.bit_count() + 2 * (uniform & ((neq << 1) | starts)).bit_count()
        nx = x ^ all_bits
        core = cores & x & (nx >> 1) & (x >> 2) & (x >> 3) & (x >> 4) & (nx >> 5) & (x >> 6)
        light4 = nx & (nx >> 1) & (nx >> 2) & (nx >> 3)
        score += 40 * ((core & (light4 << 4)).bit_count() + (core & (light4 >> 7)).bit_count())
        eq_v = (x ^ (x >> slot)) ^ all_bits
        score += 3 * (eq & eq_v & (eq_v >> 1) & blocks).bit_count()
        dark = x.bit_count() // 2
        score += 10 * ((abs(dark * 20 - total * 10) + total - 1) // total - 1)
        scores.append(score)
    return np.array(scores)
