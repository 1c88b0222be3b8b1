"""Public reports: the day's map, daily tonnage (JSON, CSV, a page with charts), mass balance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

import maps
from custody.services import csv_export, map_view, rollups, tonnage
from custody.web import get_db, get_settings
from custody.web.access import current_principal
from custody.web.errors import error_response

bp = Blueprint("reports", __name__)

MAX_DAYS = 400
PUBLIC_LEVELS = ("district", "village", "transfer_room", "facility")  # booths: staff only
CATEGORY_COLOURS = dict(maps.CATEGORY_COLOURS)
CATEGORY_LABELS = dict(maps.CATEGORY_LABELS)


def today() -> date:
    """Today in Jiaxing."""
    return datetime.now(rollups.REPORT_TZ).date()


@bp.get("/map")
def public_map():
    """The public map of one day (``?day=YYYY-MM-DD``; default the latest day with data)."""
    day = _day("day", tonnage.latest_day(get_db(current_app), today()) or today())
    settings = get_settings(current_app)
    sites, flows, trips = map_view.day_map_records(get_db(current_app), day,
                                                   min_households=settings.map_min_households)
    lang = "en" if request.args.get("lang") == "en" else "zh"
    html = maps.public_map_html(sites, flows, trips, day=day, tiles_url=settings.tiles_url,
                                tiles_attribution=settings.tiles_attribution,
                                asset_base_url=url_for("public.map_asset", path=""), lang=lang)
    return Response(html, mimetype="text/html")


@bp.get("/api/v1/tonnage")
def tonnage_json():
    """Daily tonnage per node and category, from the rollups, streamed as it is read."""
    rows = _tonnage_rows()
    if isinstance(rows, tuple):
        return rows
    return Response(_json_rows(rows), mimetype="application/json")


@bp.get("/api/v1/tonnage.csv")
def tonnage_csv():
    """The same rows as CSV, streamed."""
    rows = _tonnage_rows()
    if isinstance(rows, tuple):
        return rows
    return Response(csv_export.csv_lines(rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tonnage.csv"})


def _json_rows(rows: Iterator[dict], per_chunk: int = 1000) -> Iterator[str]:
    """``{"rows": [...]}`` a chunk of rows at a time (dates as ISO 8601)."""
    yield '{"rows": ['
    chunk: list[str] = []
    for n, row in enumerate(rows):
        chunk.append(("," if n else "") + json.dumps({**row, "day": row["day"].isoformat()},
                                                    ensure_ascii=False))
        if len(chunk) == per_chunk:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk) + "]}"


@bp.get("/api/v1/mass-balance")
def mass_balance():
    """In minus out per transfer room, day and category, flagged above the tolerance."""
    day_to = _day("to", today())
    day_from = _day("from", day_to - timedelta(days=6))
    settings = get_settings(current_app)
    rows = tonnage.mass_balance(get_db(current_app), day_from, day_to, request.args.get("room"),
                                tolerance=settings.mass_balance_tolerance)
    return jsonify(rows=[{**r, "day": r["day"].isoformat()} for r in rows])


@bp.get("/tonnage")
def tonnage_page():
    """Daily tonnage by category, as charts and a table (zh/en)."""
    rows = _tonnage_rows(default_level="district")
    if isinstance(rows, tuple):
        return rows
    days: dict[date, dict[str, dict[str, float]]] = {}
    for r in rows:
        cell = days.setdefault(r["day"], {}).setdefault(r["category"], {"collected": 0.0,
                                                                          "delivered": 0.0})
        cell["collected"] += r["collected_kg"]
        cell["delivered"] += r["delivered_kg"]
    peak = max([sum(c["collected"] for c in d.values()) for d in days.values()]
               + [sum(c["delivered"] for c in d.values()) for d in days.values()] + [1.0])
    return render_template("tonnage.html", days=sorted(days.items()), peak=peak,
                           colours=CATEGORY_COLOURS, labels=CATEGORY_LABELS,
                           level=request.args.get("level", "district"),
                           day_from=_day("from", today() - timedelta(days=6)),
                           day_to=_day("to", today()))


def _tonnage_rows(default_level: str = "village"):
    """Rows for the query string (from, to, level, node), or an error response."""
    try:
        day_to = _day("to", today())
        day_from = _day("from", day_to - timedelta(days=6))
    except ValueError as exc:
        return error_response(400, "bad_date", str(exc))
    if day_from > day_to or (day_to - day_from).days > MAX_DAYS:
        return error_response(400, "bad_range", f"from must not be after to, and the range at "
                                                f"most {MAX_DAYS} days")
    level = request.args.get("level", default_level)
    staff = current_principal().role not in ("anonymous",)
    if level not in rollups.LEVELS or (level == "booth" and not staff):
        allowed = rollups.LEVELS if staff else PUBLIC_LEVELS
        return error_response(400, "bad_level", f"level must be one of {', '.join(allowed)}")
    return tonnage.iter_daily_tonnage(get_db(current_app), day_from, day_to, level,
                                      request.args.get("node"))


def _day(name: str, default: date) -> date:
    """A YYYY-MM-DD query argument."""
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{name}' must be a date like 2026-11-22, not {value!r}") from None
