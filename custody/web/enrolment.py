"""Enrolling a phone by QR: the supervisor's page that shows the code, and the phone's side.

1. A supervisor picks a person on ``/supervise/enrol`` and gets a one-time QR and its link.
2. The phone's camera opens the link, ``/phone/enrol/<code>``: the page posts the code back
   and gets a device token, which its script keeps in the phone's storage (never shown).
3. From then on, whenever the phone has no browser session, ``/phone/start`` trades the
   token for one (``POST /phone/session`` with ``Authorization: Bearer``); scans are sent
   with the token itself. Revoking the device refuses both on their next request.
"""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from custody.domain.errors import DomainError, EnrolmentUnusable, UnknownActor
from custody.services import accounts, devices, enrolment, scan_reads
from custody.services.accounts import Principal
from custody.web import get_db, throttle
from custody.web.access import current_principal, sign_in
from custody.web.auth import _safe_next
from custody.web.errors import error_response
from custody.web.messages import message_for

bp = Blueprint("enrolment", __name__)

# Why a code cannot be used, said on the phone (the HTTP status, the words).
UNUSABLE = {
    "unknown": (404, _l("This enrolment code is not known. Check that the whole link was "
                        "opened, or ask your supervisor for a new code.")),
    "used": (410, _l("This enrolment code has already been used. Each code enrols one "
                     "phone once: ask your supervisor for a new code.")),
    "expired": (410, _l("This enrolment code has expired (codes last 15 minutes): ask your "
                        "supervisor for a new code.")),
    "deactivated": (410, _l("The person this code is for has been deactivated: ask your "
                            "supervisor.")),
}
STORAGE_KEY = "custody.device"  # where the phone's script keeps {token, user}


def _no_store(response):
    """A response holding a secret: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the supervisor's side ---------------------------------------------------------------

def _people(db) -> list[dict]:
    """The active people whose phones the signed-in manager may enrol."""
    role = current_principal().role
    return [u for u in scan_reads.list_users(db)
            if u["active"] and devices.may_manage(role, u["role"])]


def _form(status: int = 200, **context):
    """The enrolment form."""
    db = get_db(current_app)
    return render_template("enrol/new.html", people=_people(db), **context), status


@bp.get("/supervise/enrol")
def new():
    """Choose the person whose phone to enrol."""
    return _form(chosen=request.args.get("user", ""))


@bp.post("/supervise/enrol")
def create():
    """Make a one-time code for the chosen person and show it as a QR and a link."""
    user = request.form.get("user", "").strip()
    name = request.form.get("name", "").strip()
    typed = {"chosen": user, "device_name": name}
    if not user or not name or len(name) > 100:
        return _form(400, error=message_for("device_form"), **typed)
    db = get_db(current_app)
    try:
        actor_id = accounts.actor_id_by_name(db, user)
        if not devices.may_manage(current_principal().role, accounts.actor_role(db, actor_id)):
            return _form(403, error=message_for("forbidden"), **typed)
        made = enrolment.start(db, actor_id, name, current_principal().actor_id)
    except UnknownActor:
        return _form(404, error=message_for("unknown_actor"), **typed)
    except DomainError:
        return _form(422, error=message_for("enrol_refused"), **typed)
    link = url_for("enrolment.phone_page", code=made.code, _external=True)
    qr = segno.make_qr(link, error="m")
    page = render_template("enrol/code.html", made=made, link=link,
                           qr_svg=qr.svg_inline(scale=6, border=4, dark="#000", light="#fff",
                                                         omitsize=True))
    return _no_store(current_app.make_response((page, 201)))


# --- the phone's side ---------------------------------------------------------------------

def _unusable_page(exc: EnrolmentUnusable):
    """The clear page a phone gets for a code it cannot use."""
    if exc.reason == "unknown":
        refused = throttle.token_failed()  # guessing codes counts like guessing tokens
        if refused is not None:
            return refused
    status, words = UNUSABLE[exc.reason]
    return _no_store(current_app.make_response(
        (render_template("enrol/unusable.html", message=words, reason=exc.reason), status)))


@bp.get("/phone/enrol/<code>")
def phone_page(code: str):
    """The page the enrolment QR opens: it signs this phone in as the code's person."""
    try:
        pending = enrolment.look_up(get_db(current_app), code)
    except EnrolmentUnusable as exc:
        return _unusable_page(exc)
    config = {"redeemUrl": url_for("enrolment.redeem", code=code), "storageKey": STORAGE_KEY,
              "failed": str(_l("The phone could not be enrolled: %(reason)s")),
              "offline": str(_l("No signal: open the link again when the phone is online."))}
    return _no_store(current_app.make_response(
        render_template("enrol/phone.html", pending=pending, config=config)))


@bp.post("/phone/enrol/<code>")
def redeem(code: str):
    """Use the code: enrol this phone, start its session, and hand its token to the script."""
    try:
        done = enrolment.redeem(get_db(current_app), code)
    except EnrolmentUnusable as exc:
        if exc.reason == "unknown":
            refused = throttle.token_failed()
            if refused is not None:
                return refused
        status, words = UNUSABLE[exc.reason]
        body = {"error": {"code": "enrolment_unusable", "message": str(words),
                          "detail": str(exc), "reason": exc.reason}}
        return _no_store(jsonify(body)), status
    sign_in(Principal(done.actor_id, done.actor_name, done.actor_role, "token", done.device_id))
    return _no_store(jsonify(token=done.token, user=done.actor_name, role=done.actor_role,
                             device_id=done.device_id, home=url_for("phone.home")))


@bp.post("/phone/session")
def device_session():
    """Trade this phone's device token (``Authorization: Bearer``) for a browser session."""
    principal = current_principal()
    if principal.via != "token":
        return error_response(400, "bad_request", "send the phone's device token")
    sign_in(principal)
    return _no_store(jsonify(user=principal.name, role=principal.role,
                             home=url_for("phone.home")))


@bp.get("/phone/start")
def start():
    """Where a phone without a session lands: its stored token signs it in, else the login."""
    next_url = _safe_next(request.args.get("next")) or url_for("phone.home")
    config = {"storageKey": STORAGE_KEY, "sessionUrl": url_for("enrolment.device_session"),
              "next": next_url, "loginUrl": url_for("auth.login", next=next_url)}
    return _no_store(current_app.make_response(render_template("enrol/start.html",
                                                               config=config)))
