"""CSV for spreadsheets: every CSV export goes through ``csv_lines`` (or ``write_csv``).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and WPS as a formula (a village named
``=cmd|' /C calc'!A0`` would run a program on the supervisor's PC), so such a
cell is written with a leading apostrophe, which spreadsheets show as text
(OWASP's advice for CSV injection). Numbers stay numbers: only ``str`` cells
are touched, so ``-3.5`` kilograms is still a number.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The value as a CSV cell: text that a spreadsheet would run as a formula is escaped."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_lines(rows: Iterable[dict], *, per_chunk: int = 1000) -> Iterator[str]:
    """Rows as CSV text with a header, a chunk of lines at a time (for streaming)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = list(first)
    writer.writerow([spreadsheet_safe(str(k)) for k in header])
    for n, row in enumerate(itertools.chain([first], rows), start=1):
        writer.writerow([spreadsheet_safe(row[k]) for k in header])
        if n % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(rows: Iterable[dict], out: TextIO) -> None:
    """Write rows as CSV with a header (dates as ISO 8601) to a text file."""
    for chunk in csv_lines(rows):
        out.write(chunk)
