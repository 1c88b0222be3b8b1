"""Public pages: what a bag's QR opens on any phone, and the map's local assets."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

import labels
import maps
from custody.domain.errors import UnknownAsset
from custody.services import facilities
from custody.services import trace as trace_service
from custody.services.label_sheets import identity
from custody.web import get_db, get_settings
from custody.web.i18n import lang, term_detail
from custody.web.reports import map_text
from custody.web.typed_codes import read_typed_code

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The public front page: where to look, and where staff sign in."""
    return render_template("home.html")


@bp.get("/code")
def type_code():
    """A page to type or paste a code (``?code=``): it opens the code's trace."""
    typed = request.args.get("code", "")
    if not typed.strip():
        return render_template("code.html", typed="", problem=None)
    try:
        found = read_typed_code(identity(get_settings(current_app)), typed[:300])
    except labels.CodeError:
        return render_template("code.html", typed=typed[:300], problem="not_a_code"), 400
    if found.token:
        return redirect(url_for("public.trace", token=found.token), 303)
    return redirect(url_for("public.trace_by_id", asset_id=found.asset_id), 303)


@bp.get("/T/<token>")
def trace(token: str):
    """The custody timeline of the asset a code names; clear pages for forged and unknown."""
    found = _resolve(token)
    if isinstance(found, tuple):
        return found
    return _trace_page(found, url_for("public.trace_map", token=token))


@bp.get("/trace/<asset_id>")
def trace_by_id(asset_id: str):
    """The same timeline for an ID as printed on a label (typed on the code page)."""
    found = _resolve_id(asset_id, "unknown_id")
    if isinstance(found, tuple):
        return found
    return _trace_page(found, url_for("public.trace_map_by_id", asset_id=asset_id))


def _trace_page(found, map_url: str):
    """The trace page, with what happens at the facility the waste reached."""
    delivered = [s.dest for s in found.stops if s.action == "deliver"]
    facility = found.asset_id if found.kind == "facility" else (delivered[-1] if delivered
                                                                else None)
    return render_template("trace.html", trace=found, map_url=map_url,
                           treatment=facilities.treatment_at(get_db(current_app), facility))


@bp.get("/T/<token>/map")
def trace_map(token: str):
    """The small map of the asset's path (shown in an iframe on the trace page)."""
    found = _resolve(token)
    if isinstance(found, tuple):
        return found
    return _trace_map(found)


@bp.get("/trace/<asset_id>/map")
def trace_map_by_id(asset_id: str):
    """The small map of a typed ID's path."""
    found = _resolve_id(asset_id, "unknown_id")
    if isinstance(found, tuple):
        return found
    return _trace_map(found)


def _trace_map(found):
    """The trace map page of a resolved trace."""
    settings = get_settings(current_app)
    points = [maps.TracePoint(s.lat, s.lon, s.time, _stop_label(s))
              for s in found.stops if s.lat is not None]
    return maps.trace_map_html(points, tiles_url=settings.tiles_url,
                               tiles_attribution=settings.tiles_attribution,
                               tiles_crs=settings.tiles_crs,
                               tiles_subdomains=settings.tiles_subdomains,
                               asset_base_url=url_for("public.map_asset", path=""),
                               title=f"{found.asset_id}", lang=lang(), text=map_text())


@bp.get("/map-assets/<path:path>")
def map_asset(path: str):
    """Leaflet and the map styles, served locally so maps need no internet but tiles."""
    return send_from_directory(maps.STATIC_DIR, path, max_age=86400)


def _resolve(token: str):
    """The trace of a verified token, or a (page, status) for forged and unknown codes."""
    try:
        asset_id = identity(get_settings(current_app)).verify_token(token)
    except labels.CodeError:
        return render_template("trace_refused.html", reason="forged"), 404
    return _resolve_id(asset_id)


def _resolve_id(asset_id: str, reason: str = "unknown"):
    """The trace of an asset ID, or a (page, status) when none is registered by it."""
    try:
        labels.split_asset_id(asset_id)
        return trace_service.public_trace(get_db(current_app), asset_id)
    except (UnknownAsset, labels.CodeError):
        return render_template("trace_refused.html", reason=reason, detail=asset_id[:20]), 404


def _stop_label(stop) -> str:
    """A map marker's text: what happened, where."""
    return " · ".join(part for part in (term_detail("action", stop.action), stop.place) if part)
