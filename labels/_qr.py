"""QR symbols of label codes, encoded by segno with one fixed mask pattern.

Level Q, no error-level boost, alphanumeric mode for the upper-case URL codes (segno picks the
mode itself for anything else). The mask is fixed because choosing it is segno's dearest step:
on this machine evaluating the eight masks costs ~10-20 ms a symbol (5-10 minutes for 30,000
labels), one fixed mask ~1.7 ms. Mask 0 is the one whose penalty (ISO/IEC 18004 N1-N4, segno's
``evaluate_mask``) comes closest to the best of the eight on label codes: 51 points above it on
average over 150 HMAC-tagged codes, against 52-250 for the others; the tag is random, so no code
is systematically worse. Every symbol is still a standard one that any reader decodes.
"""

from __future__ import annotations

import segno

QUIET_ZONE = 4  # modules of light margin around the symbol (ISO/IEC 18004)
LABEL_MASK = 0
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
Matrix = tuple[bytearray, ...]  # rows of modules, 1 = dark, quiet zone not included


def qr_code(text: str) -> segno.QRCode:
    """The segno symbol of ``text`` at level Q with the label mask."""
    mode = "alphanumeric" if text and _ALNUM.issuperset(text) else None
    return segno.make_qr(text, error="q", boost_error=False, mode=mode, mask=LABEL_MASK)


def qr_matrix(text: str) -> Matrix:
    """The module matrix of ``text``."""
    return qr_code(text).matrix


def qr_runs(matrix: Matrix) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, start column, length), row by row."""
    runs = []
    for r, row in enumerate(matrix):
        column = 0
        for dark in row.split(b"\0"):  # the runs between light modules
            if dark:
                runs.append((r, column, len(dark)))
            column += len(dark) + 1
    return runs


def qr_rects(matrix: Matrix) -> list[tuple[int, int, int, int]]:
    """Dark modules as (row, column, width, height) rectangles: a run repeated in the rows below
    it (finder pattern sides, timing columns, data) is one taller rectangle, so fewer operators."""
    done: list[tuple[int, int, int, int]] = []
    growing: dict[tuple[int, int], list[int]] = {}  # (column, width) -> [top row, height]
    row = -1
    for row, column, width in qr_runs(matrix):
        key = (column, width)
        rect = growing.get(key)
        if rect is not None and rect[0] + rect[1] == row:
            rect[1] += 1
            continue
        if rect is not None:
            done.append((rect[0], column, width, rect[1]))
        growing[key] = [row, 1]
    done += [(top, column, width, height) for (column, width), (top, height) in growing.items()]
    return sorted(done)  # row by row, as drawn: the same symbol gives the same bytes
