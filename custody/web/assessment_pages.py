"""The assessment (考核) on the web: the supervisor's page, its API and the monthly bulletin.

The page and ``GET /api/v1/assessment`` take the same period and date
(``AssessmentQuery``) and show what ``assessment.assess`` ranks; the bulletin
(月通报) is the month's rankings and every village's figures as a PDF.
"""

from __future__ import annotations

import re
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from custody.domain import assessment as kpi
from custody.services import assessment, tonnage
from custody.web import assessment_charts, bulletin, get_db, get_settings
from custody.web.api import RequestInvalid, answers, check, spec
from custody.web.assessment_schemas import AssessmentOut, AssessmentPageQuery, AssessmentQuery
from custody.web.errors import error_reply
from custody.web.schemas import FIRST_DAY, LAST_DAY, today

bp = Blueprint("assessment_pages", __name__)

KPI_NAMES = {
    "booth_signin": _l("Booth sign-in rate"),
    "room_signin": _l("Transfer-room sign-in rate"),
    "work_rate": _l("Collector work rate"),
    "inspection": _l("Inspections per booth"),
    "sorting": _l("Sorting accuracy"),
    "household": _l("Household deposit rate"),
    "composite": _l("Composite score"),
}
PERIOD_NAMES = {"day": _l("Daily"), "week": _l("Weekly"), "month": _l("Monthly"),
                "quarter": _l("Quarterly")}
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _weights() -> dict[str, float]:
    return dict(get_settings(current_app).assessment_weights)


def _clamp(day: date) -> date:
    return min(max(day, FIRST_DAY), LAST_DAY)


@bp.get("/supervise/assessment")
def assessment_page():
    """Rankings of villages, towns, collectors and inspectors, and the trend, for a period
    (``?period=&date=``; without a date, the period of the latest day with data)."""
    typed = {"period": request.args.get("period", "month")[:10],
             "date": request.args.get("date", "")[:10]}
    problems, status = [], 200
    try:
        query = check(AssessmentPageQuery, request.args.to_dict())
    except RequestInvalid as exc:
        problems, status, query = exc.problems(), 400, AssessmentPageQuery()
    db, now = get_db(current_app), today()
    # Without a date: the period of the latest day with data, as the map opens (a period
    # begun today has nothing yet).
    day = query.day or tonnage.latest_day(db, now) or now
    found = assessment.assess(db, query.period, day, _weights(), now)
    if not problems:
        typed = {"period": query.period, "date": day.isoformat()}
    return render_template(
        "supervise/assessment.html", a=found, typed=typed, problems=problems,
        kpis=kpi.KPIS, kpi_names=KPI_NAMES, period_names=PERIOD_NAMES,
        trend=assessment_charts.trend(found["trend"]), colours=assessment_charts.COLOURS,
        village_bars=assessment_charts.bars(found["villages"]),
        town_bars=assessment_charts.bars(found["towns"]),
        earlier=_clamp(kpi.shift(query.period, day, -1)).isoformat(),
        later=_clamp(kpi.shift(query.period, day, 1)).isoformat(),
        month=found["first"].strftime("%Y-%m")), status


@bp.get("/assessment")
def assessment_short():
    """The short address of the assessment page."""
    return redirect(url_for("assessment_pages.assessment_page", **request.args.to_dict()))


def _place_json(row: dict) -> dict:
    keep = {k: row[k] for k in ("rank", "name", "town", "villages", *kpi.KPIS, "composite")
            if k in row}
    if "counts" in row:
        keep["counts"] = vars(row["counts"])
    return keep


def _person_json(row: dict) -> dict:
    return {k: row[k] for k in ("rank", "name", "done", "due", "rate", "villages")}


@bp.get("/api/v1/assessment")
@spec.validate(query=AssessmentQuery, resp=answers(400, 401, 403, HTTP_200=AssessmentOut))
def assessment_json():
    """One level's ranking (village, town, collector, inspector) over the day, week, month or
    quarter holding ``date``, with the district's trend; computed from the rollups.

    ``last`` is the last day counted: a period in progress is counted up to today.
    """
    query = request.context.query
    day = query.day or today()
    found = assessment.assess(get_db(current_app), query.period, day, _weights(), today())
    level = query.level
    rows = ([_person_json(r) for r in found[f"{level}s"]] if level in ("collector", "inspector")
            else [_place_json(r) for r in found[f"{level}s"]])
    trend = [{**{k: t[k] for k in (*kpi.KPIS, "composite")}, "first": t["first"].isoformat(),
              "last": t["last"].isoformat()} for t in found["trend"]]
    return jsonify(period=query.period, date=day.isoformat(), first=found["first"].isoformat(),
                   last=found["last"].isoformat(), level=level, weights=found["weights"],
                   recorded=found["recorded"], rows=rows, trend=trend)


@bp.get("/supervise/assessment/bulletin/<month>.pdf")
def bulletin_pdf(month: str):
    """The monthly bulletin (月通报) of ``YYYY-MM`` as a printable PDF."""
    matched = _MONTH.fullmatch(month)
    first = None
    if matched and 1 <= int(matched[2]) <= 12:
        first = date(int(matched[1]), int(matched[2]), 1)
    if first is None or not FIRST_DAY <= first <= LAST_DAY:
        return error_reply(400, "bad_month", f"{month[:20]!r} is not a month like 2026-11")
    found = assessment.assess(get_db(current_app), "month", first, _weights(), today())
    pdf = bulletin.render(found, KPI_NAMES)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="bulletin-{month}.pdf"'})
