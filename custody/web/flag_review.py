"""Flag review on the web: the flags page with its filters, the review form, the flags API.

The page and ``GET /api/v1/flags`` take the same filters (``FlagsQuery``); a
review from the page's form and ``POST /api/v1/flags/{handover}/review`` take
the same values (``ReviewIn``) and end in ``flag_reviews.review``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

import vocabulary
from custody.domain.errors import DomainError, UnknownHandover
from custody.domain.model import Role
from custody.services import flag_reviews, scan_reads
from custody.services.corrections import Correction
from custody.services.flag_reviews import FlagFilter
from custody.web import get_db
from custody.web.access import current_principal
from custody.web.api import RequestInvalid, answers, check, spec
from custody.web.auth import _safe_next
from custody.web.desk_schemas import FlagsPage, FlagsQuery, ReviewCreated, ReviewIn
from custody.web.errors import error_response, status_of
from custody.web.messages import message_for

bp = Blueprint("flag_review", __name__)

PAGE = 50
FILTERS = ("state", "flag", "village", "person", "from", "to")
FLAG_KEYS = ("seq", "server_time", "action", "source", "dest", "actor_name", "role", "weight_kg",
             "category", "flags", "note", "photo_sha256", "village", "state", "inspections")


def flag_filter(query: FlagsQuery) -> FlagFilter:
    """The service's filter from a checked query."""
    return FlagFilter(state=query.state, flag=query.flag, village=query.village,
                      person=query.person, day_from=query.day_from, day_to=query.day_to)


def _review(seq: int, body: ReviewIn) -> dict:
    """Record the review as the signed-in supervisor; domain errors propagate."""
    principal = current_principal()
    fix = Correction(seq, body.weight_kg, body.category, body.note or "") \
        if body.decision == "correct" else None
    return flag_reviews.review(get_db(current_app), seq, body.decision, principal.actor_id,
                               Role(principal.role), body.note, fix)


# --- the page ------------------------------------------------------------------------------

def _page(status: int = 200, problems: list[dict] | None = None, failed_review: int | None = None,
          typed_review: dict | None = None):
    """The flags page for the request's filters (a bad filter shows all, with the problem)."""
    db = get_db(current_app)
    typed = {k: request.args.get(k, "") for k in FILTERS}
    problems = list(problems or [])
    try:
        query = check(FlagsQuery, request.args.to_dict())
    except RequestInvalid as exc:
        problems += exc.problems()
        status = max(status, 400)
        query = FlagsQuery()
    rows = flag_reviews.list_flags(db, flag_filter(query), limit=PAGE, before_seq=query.before)
    failed = scan_reads.failed_attempts(db, limit=PAGE, before_id=request.args.get(
        "before_scan", type=int))
    args = {k: v for k, v in typed.items() if v}
    return render_template(
        "supervise/flags.html", rows=rows, failed=failed, typed=typed, problems=problems,
        filter_args=args, flag_ids=list(vocabulary.FLAGS),
        decisions=list(vocabulary.REVIEW_DECISIONS), failed_review=failed_review,
        typed_review=typed_review or {},
        older=rows[-1]["seq"] if len(rows) == PAGE else None,
        older_scan=failed[-1]["scan_id"] if len(failed) == PAGE else None), status


@bp.get("/supervise/flags")
def flags_page():
    """Flagged handovers to review (filtered, paged) and scans that recorded nothing."""
    return _page()


@bp.post("/supervise/flags/<int(max=9223372036854775807):seq>/review")
def review_form(seq: int):
    """A review from the page's form; back to where the form was, or the page with the error."""
    try:
        body = check(ReviewIn, request.form.to_dict())
        _review(seq, body)
    except RequestInvalid as exc:
        return _page(400, exc.problems(), seq, request.form.to_dict())
    except UnknownHandover:
        return _page(404, [{"field": "seq", "code": "unknown_handover",
                            "message": message_for("unknown_handover")}], seq)
    except DomainError as exc:
        return _page(422, [{"field": "decision", "code": exc.code,
                            "message": message_for(exc.code, str(exc))}], seq,
                     request.form.to_dict())
    back = _safe_next(request.form.get("back"))
    if not back or not back.startswith("/supervise"):
        back = url_for("flag_review.flags_page")
    return redirect(back + f"#h{seq}", code=303)


# --- the API -------------------------------------------------------------------------------

def _review_json(review: dict) -> dict:
    """A review as the API shows it."""
    return {**review, "reviewed_at": review["reviewed_at"].isoformat()}


@bp.get("/api/v1/flags")
@spec.validate(query=FlagsQuery, resp=answers(400, 401, 403, HTTP_200=FlagsPage))
def list_flags():
    """Flagged handovers, newest first, with their reviews; ``next_before`` pages on."""
    query = request.context.query
    rows = flag_reviews.list_flags(get_db(current_app), flag_filter(query), limit=query.limit,
                                   before_seq=query.before)
    flags = []
    for r in rows:
        item = {k: r[k] for k in FLAG_KEYS}
        item["reviews"] = [_review_json(v) for v in r["reviews"]]
        item["review"] = item["reviews"][-1] if item["reviews"] else None
        flags.append(item)
    return jsonify(flags=flags, next_before=rows[-1]["seq"] if len(rows) == query.limit
                   else None)


@bp.post("/api/v1/flags/<int(max=9223372036854775807):handover>/review")
@spec.validate(json=ReviewIn,
               resp=answers(400, 401, 403, 404, 422, writes=True, HTTP_201=ReviewCreated))
def review_json(handover: int):
    """Review a flagged handover: confirm, dismiss (with a reason) or correct (appends one)."""
    try:
        review = _review(handover, request.context.json)
    except DomainError as exc:  # 404 for a record that does not exist
        return error_response(status_of(exc), exc.code, str(exc))
    names = flag_reviews.reviews_of(get_db(current_app), [handover])[handover]
    stored = next(r for r in names if r["id"] == review["id"])
    response = jsonify(seq=handover, **_review_json(stored))
    response.status_code = 201
    response.headers["Location"] = url_for("flag_review.list_flags")
    return response
