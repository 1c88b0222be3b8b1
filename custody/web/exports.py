"""The supervisor's exports: handovers and flags, with the page's filters, as CSV or JSON.

Both are streamed as they are read. CSV cells that a spreadsheet would run as a
formula are escaped (``custody.services.csv_export``); JSON is the rows as they
are, in ``{"rows": [...]}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

from custody.services import csv_export, desk_exports
from custody.services.record_filters import RecordFilter
from custody.web import get_db
from custody.web.api import check
from custody.web.desk_schemas import FlagsQuery, HandoversQuery
from custody.web.flag_review import flag_filter

bp = Blueprint("exports", __name__, url_prefix="/supervise")

FORMATS = {"csv": "text/csv", "json": "application/json"}


def json_lines(rows: Iterable[dict], per_chunk: int = 500) -> Iterator[str]:
    """``{"rows": [...]}``, a chunk of rows at a time."""
    yield '{"rows": ['
    chunk: list[str] = []
    for n, row in enumerate(rows):
        chunk.append(("," if n else "") + json.dumps(row, ensure_ascii=False, default=str))
        if len(chunk) == per_chunk:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk) + "]}"


def streamed(rows: Iterable[dict], name: str, fmt: str) -> Response:
    """The rows as a streamed download in ``fmt`` (csv or json; anything else: 404)."""
    if fmt not in FORMATS:
        raise NotFound()
    body = csv_export.csv_lines(rows) if fmt == "csv" else json_lines(rows)
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f"attachment; filename={name}.{fmt}",
        "Cache-Control": "no-store"})


def handover_filter(query: HandoversQuery) -> RecordFilter:
    """The service's filter from a checked query."""
    return RecordFilter(action=query.action.value if query.action else None,
                        village=query.village, person=query.person,
                        day_from=query.day_from, day_to=query.day_to)


@bp.get("/handovers.<fmt>")
def handovers(fmt: str):
    """Every handover the handovers page's filters keep."""
    if fmt not in FORMATS:
        raise NotFound()
    query = check(HandoversQuery, request.args.to_dict())
    return streamed(desk_exports.handover_rows(get_db(current_app), handover_filter(query)),
                    "handovers", fmt)


@bp.get("/flags.<fmt>")
def flags(fmt: str):
    """Every flagged handover the flags page's filters keep, with the review in force."""
    if fmt not in FORMATS:
        raise NotFound()
    query = check(FlagsQuery, request.args.to_dict())
    return streamed(desk_exports.flag_rows(get_db(current_app), flag_filter(query)),
                    "flags", fmt)
