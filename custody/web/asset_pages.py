"""The supervisor's way in: one search box, the asset page, the record page, corrections.

The search box on every supervisor page takes a scanned code (the label's URL
or its token), an asset id, a record number, a person or a village. A code or
an id that names one asset opens that asset's page directly.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

import labels
import vocabulary
from custody.domain.errors import DomainError, UnknownAsset, UnknownHandover
from custody.domain.model import Role
from custody.services import asset_reads, corrections, label_sheets
from custody.services.corrections import Correction
from custody.services.label_sheets import identity
from custody.web import get_db, get_settings
from custody.web.access import current_principal
from custody.web.api import RequestInvalid, check
from custody.web.desk_schemas import CorrectionIn
from custody.web.messages import message_for

bp = Blueprint("asset_pages", __name__, url_prefix="/supervise")

SEQ = "int(max=9223372036854775807)"


@bp.record_once
def _desk_helpers(state) -> None:
    """Template helpers of the supervisor pages (globals, so imported macros see them too)."""
    state.app.jinja_env.globals.update(categories=lambda: list(vocabulary.CATEGORIES),
                                       desk_pages=desk_pages)


def desk_pages() -> list[tuple[str, str]]:
    """(endpoint, name) of every supervisor page, in the navigation's order."""
    return [("supervise.overview", _("Handovers")), ("flag_review.flags_page", _("Flags")),
            ("supervise.assets", _("Assets")), ("label_pages.form", _("Labels")),
            ("reports.tonnage_page", _("Tonnage")),
            ("balance_pages.balance_page", _("Mass balance")),
            ("assessment_pages.assessment_page", _("Assessment")),
            ("reports.public_map", _("Map")), ("people_pages.people", _("People")),
            ("supervise.users", _("Phones"))]


def _asset_id_of(text: str) -> str | None:
    """The asset a scanned code, a bare token or an asset id names; None if none does."""
    text = text.strip()
    if asset_reads.is_asset_id(text):
        return text.upper()
    scheme = identity(get_settings(current_app))
    for attempt in (lambda: scheme.verify(text), lambda: scheme.verify_token(text.upper()),
                    lambda: scheme.verify(text.upper())):
        try:
            return attempt()
        except (labels.CodeError, ValueError):
            continue
    return None


@bp.get("/search")
def search():
    """Find anything: one asset opens its page; otherwise the matches, by kind."""
    text = request.args.get("q", "").strip()[:300]
    if not text:
        return render_template("supervise/search.html", q="", found=None), 200
    asset_id = _asset_id_of(text)
    db = get_db(current_app)
    if asset_id is not None:
        try:
            asset_reads.asset_detail(db, asset_id)
            return redirect(url_for("asset_pages.asset_page", asset_id=asset_id), code=303)
        except UnknownAsset:
            return render_template("supervise/search.html", q=text, found=None,
                                   problem=message_for("unknown_asset")), 404
    found = asset_reads.search(db, text)
    return render_template("supervise/search.html", q=text, found=found), 200


@bp.get("/assets/<asset_id>")
def asset_page(asset_id: str):
    """The asset, its label, where its waste is, its whole history with photos and reviews."""
    db = get_db(current_app)
    try:
        detail = asset_reads.asset_detail(db, asset_id)
    except UnknownAsset:
        return render_template("supervise/search.html", q=asset_id, found=None,
                               problem=message_for("unknown_asset")), 404
    return render_template("supervise/asset.html", a=detail,
                           rows=asset_reads.history(db, asset_id),
                           decisions=list(vocabulary.REVIEW_DECISIONS),
                           layouts=list(labels.SHEETS))


@bp.get("/assets/<asset_id>/label.svg")
def label_svg(asset_id: str):
    """The asset's printed label, as an SVG picture (what the reprint button prints)."""
    scheme = identity(get_settings(current_app))
    found = label_sheets.label_data(get_db(current_app), scheme, [asset_id])
    if asset_id not in found:
        raise NotFound()
    svg = labels.svg_label(found[asset_id], catalog=label_sheets.CATALOG)
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


def _record(seq: int, status: int = 200, problems: list[dict] | None = None,
            typed: dict | None = None):
    """The record page, with the problems of its correction form."""
    try:
        row = asset_reads.record(get_db(current_app), seq)
    except UnknownHandover:
        return render_template("supervise/search.html", q=f"#{seq}", found=None,
                               problem=message_for("unknown_handover")), 404
    return render_template("supervise/record.html", h=row, problems=problems or [],
                           typed=typed or {}, decisions=list(vocabulary.REVIEW_DECISIONS)), status


@bp.get(f"/records/<{SEQ}:seq>")
def record_page(seq: int):
    """One ledger record: what it says, the values in force, its reviews and corrections."""
    return _record(seq)


@bp.post(f"/records/<{SEQ}:seq>/correct")
def correct(seq: int):
    """Correct the weight or category of a record: a new linked record, with a reason."""
    typed = request.form.to_dict()
    try:
        body = check(CorrectionIn, typed)
        principal = current_principal()
        corrections.correct(get_db(current_app),
                            Correction(seq, body.weight_kg, body.category, body.reason),
                            principal.actor_id, Role(principal.role))
    except RequestInvalid as exc:
        return _record(seq, 400, exc.problems(), typed)
    except UnknownHandover:
        return _record(seq)
    except DomainError as exc:
        return _record(seq, 422, [{"field": "reason", "code": exc.code,
                                   "message": message_for(exc.code, str(exc))}], typed)
    return redirect(url_for("asset_pages.record_page", seq=seq), code=303)
