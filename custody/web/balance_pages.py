"""The mass balance page: transfer rooms, the district and the facilities, per day and category,
and the rooms and facilities as CSV."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from custody.services import balance, facility_balance
from custody.web import get_db, get_settings
from custody.web.api import RequestInvalid, check
from custody.web.exports import streamed
from custody.web.schemas import MassBalanceQuery

bp = Blueprint("balance_pages", __name__, url_prefix="/supervise")


@bp.get("/balance")
def balance_page():
    """Both balances for the chosen days (the last seven by default), over-tolerance marked."""
    typed = {k: request.args.get(k, "") for k in ("from", "to", "room")}
    try:
        query = check(MassBalanceQuery, request.args.to_dict())
    except RequestInvalid as exc:
        return render_template("supervise/balance.html", rooms=[], district=[], facilities=[],
                               typed=typed,
                               problems=exc.problems(), tolerance=_tolerance()), 400
    db, tolerance = get_db(current_app), _tolerance()
    typed = {"from": query.day_from.isoformat(), "to": query.day_to.isoformat(),
             "room": query.room or ""}
    return render_template(
        "supervise/balance.html", typed=typed, problems=[], tolerance=tolerance,
        rooms=balance.rooms(db, query.day_from, query.day_to, query.room, tolerance=tolerance),
        district=balance.district(db, query.day_from, query.day_to, tolerance=tolerance),
        facilities=facility_balance.facilities(db, query.day_from, query.day_to,
                                               tolerance=tolerance))


@bp.get("/balance.csv")
def balance_csv():
    """The transfer rooms' balance as CSV (the page's days and room)."""
    query = check(MassBalanceQuery, request.args.to_dict())
    rows = balance.rooms(get_db(current_app), query.day_from, query.day_to, query.room,
                         tolerance=_tolerance())
    return streamed(iter(rows), "mass-balance", "csv")


@bp.get("/balance-facilities.csv")
def facilities_csv():
    """The facilities' balance as CSV (the page's days): carried in, weighed, the gap."""
    query = check(MassBalanceQuery, request.args.to_dict())
    rows = facility_balance.facilities(get_db(current_app), query.day_from, query.day_to,
                                       tolerance=_tolerance())
    return streamed(iter(rows), "facility-balance", "csv")


def _tolerance() -> float:
    """The deployment's mass-balance tolerance (a share of what came in)."""
    return get_settings(current_app).mass_balance_tolerance
