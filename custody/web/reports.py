"""Public reports: the day's map, daily tonnage (JSON, CSV, a page with charts), mass balance.

Every parameter is checked by the schemas of ``custody.web.schemas``: the API
answers a bad one with 400 in the one error shape, the pages re-show their form
with the values as typed and a message in the reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

import maps
import vocabulary
from custody.services import csv_export, map_view, rollups, tonnage, tonnage_summary
from custody.web import charts, get_db, get_settings
from custody.web.access import current_principal
from custody.web.api import RequestInvalid, answers, check, spec
from custody.web.i18n import lang, local_date, switch_links
from custody.web.schemas import (
    MapQuery,
    MassBalanceQuery,
    MassBalanceRows,
    TonnagePageQuery,
    TonnageQuery,
    TonnageRows,
    today,
    without_blanks,
)

bp = Blueprint("reports", __name__)

PUBLIC_LEVELS = ("district", "village", "transfer_room", "facility")  # booths: staff only
PUBLIC = {}  # no security requirement in the OpenAPI document


def map_text(notice: str = "", day_note: str = "") -> maps.MapText:
    """The public map's words in the reader's language."""
    return maps.vocabulary_text(
        lang(), title=_("Where sorted waste went"), day=_("Date"), show=_("Show"),
        total=_("Total"), trips=_("Truck trips"), flows=_("flows"), vehicle=_("Vehicle"),
        legend=_("Legend"), trace_title=_("Where it went"), path=_("Path"),
        places=_("Places seen"), kg_unit=_("kg"), t_unit=_("t"), notice=notice,
        day_note=day_note,
        summary=_("Each line is waste of one category carried between two places on this "
                  "day; the thicker the line, the more waste. Tap a place for its figures."),
        about=_("What the map shows"), width_title=_("Line width: waste carried"),
        kg_in=_("In"), kg_out=_("Out"), photos=_("Clearance photos"),
        merged=_("Several small booths together (privacy)"),
        lines_of=_("Line colour: category"), places_of=_("Places and trips"),
        links=((_("Type a code"), url_for("public.type_code")),
               (_("Tonnage"), url_for("reports.tonnage_page"))),
        languages=tuple(switch_links()))


def _map_day(asked: date | None) -> tuple[date, str]:
    """The day the map shows and a sentence saying which day that is and why."""
    db, now = get_db(current_app), today()
    if asked is not None:
        return asked, _("Showing %(day)s, the day chosen.", day=local_date(asked, "long"))
    latest = tonnage.latest_day(db, now)
    if latest == now:
        return now, _("Showing today, %(day)s.", day=local_date(now, "long"))
    if latest is None:
        return now, _("Showing today, %(day)s: nothing has been recorded yet.",
                      day=local_date(now, "long"))
    return latest, _("Showing %(day)s, the latest day with data: nothing has been recorded "
                     "today (%(today)s) yet.", day=local_date(latest, "long"),
                     today=local_date(now, "long"))


@bp.get("/map")
def public_map():
    """The public map of one day (``?day=YYYY-MM-DD``; default the latest day with data)."""
    db, settings = get_db(current_app), get_settings(current_app)
    status, notice = 200, ""
    try:
        asked = check(MapQuery, request.args.to_dict()).day
    except RequestInvalid as exc:
        asked, status = None, 400
        notice = _("“%(value)s” is not a day: showing the latest day instead. %(problem)s",
                   value=request.args.get("day", "")[:40], problem=exc.problems()[0]["message"])
    day, day_note = _map_day(asked)
    sites, flows, trips = map_view.day_map_records(
        db, day, min_households=settings.map_min_households,
        merged_name=_("%(village)s · several booths", village="{village}"),
        photo_url=lambda sha: url_for("scans.public_photo", sha256=sha))
    html = maps.public_map_html(sites, flows, trips, day=day, tiles_url=settings.tiles_url,
                                tiles_attribution=settings.tiles_attribution,
                                tiles_crs=settings.tiles_crs,
                                tiles_subdomains=settings.tiles_subdomains,
                                asset_base_url=url_for("public.map_asset", path=""),
                                lang=lang(), text=map_text(notice, day_note))
    return Response(html, status=status, mimetype="text/html")


def _public_level(level: str) -> None:
    """Booth-level figures are for staff only (a booth shows what a few homes throw away)."""
    if level == "booth" and current_principal().is_anonymous:
        raise RequestInvalid([{"loc": ("level",), "type": "bad_level"}])


@bp.get("/api/v1/tonnage")
@spec.validate(query=TonnageQuery, security=PUBLIC,
               resp=answers(400, 401, 403, HTTP_200=TonnageRows))
def tonnage_json():
    """Daily tonnage per node and category, from the rollups, streamed as it is read.

    level ``booth`` is for staff only.
    """
    query = request.context.query
    _public_level(query.level)
    rows = tonnage.iter_daily_tonnage(get_db(current_app), query.day_from, query.day_to,
                                      query.level, query.node)
    return Response(_json_rows(rows), mimetype="application/json")


@bp.get("/api/v1/tonnage.csv")
@spec.validate(query=TonnageQuery, security=PUBLIC, resp=answers(400, 401, 403, HTTP_200=None))
def tonnage_csv():
    """The same rows as CSV, streamed."""
    query = request.context.query
    _public_level(query.level)
    rows = tonnage.iter_daily_tonnage(get_db(current_app), query.day_from, query.day_to,
                                      query.level, query.node)
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
@spec.validate(query=MassBalanceQuery, resp=answers(400, 401, 403, HTTP_200=MassBalanceRows))
def mass_balance():
    """In minus out per transfer room, day and category, flagged above the tolerance."""
    query = request.context.query
    settings = get_settings(current_app)
    rows = tonnage.mass_balance(get_db(current_app), query.day_from, query.day_to, query.room,
                                tolerance=settings.mass_balance_tolerance)
    return jsonify(rows=[{**r, "day": r["day"].isoformat()} for r in rows])


@bp.get("/tonnage")
def tonnage_page():
    """Tonnage a resident reads: per category, a trend by week or month, villages compared.

    Every choice is in the URL (``from``, ``to``, ``level``, ``node``, ``by``), so a view
    can be shared; a bad one re-shows the form with a message. Without ``from`` the page
    shows the twelve weeks up to ``to``.
    """
    args = without_blanks(request.args.to_dict())
    typed = {k: request.args.get(k, "") for k in ("from", "to", "level", "node", "by")}
    levels = rollups.LEVELS if not current_principal().is_anonymous else PUBLIC_LEVELS
    try:
        if "from" not in args and "to" not in args:
            args["from"] = (today() - timedelta(days=83)).isoformat()
        query = check(TonnagePageQuery, args)
        _public_level(query.level)
    except RequestInvalid as exc:
        return render_template("tonnage.html", summary=None, typed=typed, levels=levels,
                               problems=exc.problems(), colours=vocabulary.category_colours(),
                               level=typed["level"] or "district", nodes=[]), 400
    db = get_db(current_app)
    by = query.by or tonnage_summary.auto_period(query.day_from, query.day_to)
    summary = tonnage_summary.summarise(db, query.day_from, query.day_to, query.level,
                                        query.node, by)
    typed = {"from": query.day_from.isoformat(), "to": query.day_to.isoformat(),
             "level": query.level, "node": query.node or "", "by": by}
    return render_template("tonnage.html", summary=summary, typed=typed, levels=levels,
                           problems=[], colours=vocabulary.category_colours(),
                           weighed_in=query.level in tonnage_summary.WEIGHED_IN_AT,
                           level=query.level, nodes=tonnage_summary.nodes(db, query.level),
                           trend=charts.trend(summary.periods), day_from=query.day_from,
                           day_to=query.day_to,
                           villages=charts.village_bars(summary.villages))
