"""Who may use which route: the one authorisation table, and the hook that enforces it.

Every request is resolved to a principal (a phone's ``Authorization: Bearer``
token, else the browser session, else anonymous) and allowed only if its
endpoint is in ``ACCESS`` with the principal's role, or with ``anonymous``,
which means anyone. An endpoint missing from the table is denied to everyone,
admin included. Unsafe requests not authenticated by a token carry a CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, current_app, g, redirect, request, session, url_for
from markupsafe import Markup, escape

from custody.domain.model import Role
from custody.services import browser_sessions, devices
from custody.services.accounts import ANONYMOUS, ANONYMOUS_ROLE, Principal
from custody.web import get_db, throttle
from custody.web.errors import error_reply, error_response, wants_json

ANYONE = frozenset({ANONYMOUS_ROLE})
SIGNED_IN = frozenset(role.value for role in Role)
MANAGERS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})

ACCESS: dict[str, frozenset[str]] = {
    "static": ANYONE,
    "health.healthz": ANYONE,
    "auth.login": ANYONE,
    "auth.logout": SIGNED_IN,
    "auth.me": SIGNED_IN,
    "auth.list_devices": MANAGERS,
    "auth.issue_device": MANAGERS,
    "auth.get_device": MANAGERS,
    "auth.revoke_device": MANAGERS,
    "scans.create_scan": SIGNED_IN,
    "scans.get_scan": SIGNED_IN,
    "scans.original_photo": MANAGERS,  # EXIF GPS: where a collector stood, and when
    "scans.public_photo": ANYONE,
    "phone.home": SIGNED_IN,
    "phone.collector": frozenset({Role.COLLECTOR.value}) | MANAGERS,
    "phone.driver": frozenset({Role.DRIVER.value}) | MANAGERS,
    "phone.operator": frozenset({Role.FACILITY_OPERATOR.value}) | MANAGERS,
    "phone.keeper": frozenset({Role.BOOTH_KEEPER.value}) | MANAGERS,
    "phone.session_info": SIGNED_IN,
    "phone.service_worker": ANYONE,
    "enrolment.new": MANAGERS,
    "enrolment.create": MANAGERS,
    "enrolment.phone_page": ANYONE,
    "enrolment.redeem": ANYONE,
    "enrolment.device_session": SIGNED_IN,
    "enrolment.start": ANYONE,
    "supervise.overview": MANAGERS,
    "flag_review.flags_page": MANAGERS,
    "asset_pages.search": MANAGERS,
    "exports.handovers": MANAGERS,
    "people_pages.people": MANAGERS,
    "people_pages.create": MANAGERS,
    "people_pages.set_role": MANAGERS,
    "people_pages.reset_password": MANAGERS,
    "people_pages.set_active": MANAGERS,
    "people_pages.revoke_phone": MANAGERS,
    "balance_pages.balance_page": MANAGERS,
    "assessment_pages.assessment_page": MANAGERS,
    "assessment_pages.assessment_short": MANAGERS,
    "assessment_pages.assessment_json": MANAGERS,
    "assessment_pages.bulletin_pdf": MANAGERS,
    "balance_pages.balance_csv": MANAGERS,
    "balance_pages.facilities_csv": MANAGERS,
    "exports.flags": MANAGERS,
    "asset_pages.asset_page": MANAGERS,
    "asset_pages.label_svg": MANAGERS,
    "asset_pages.record_page": MANAGERS,
    "asset_pages.correct": MANAGERS,
    "flag_review.review_form": MANAGERS,
    "flag_review.list_flags": MANAGERS,
    "flag_review.review_json": MANAGERS,
    "supervise.assets": MANAGERS,
    "supervise.users": MANAGERS,
    "supervise.revoke_device": MANAGERS,
    "openapi.openapi": ANYONE,
    "i18n.switch": ANYONE,
    "public.home": ANYONE,
    "public.trace": ANYONE,
    "public.type_code": ANYONE,
    "public.trace_by_id": ANYONE,
    "public.trace_map_by_id": ANYONE,
    "reports.public_map": ANYONE,
    "reports.tonnage_json": ANYONE,
    "reports.tonnage_csv": ANYONE,
    "reports.tonnage_page": ANYONE,
    "reports.mass_balance": MANAGERS,
    "public.trace_map": ANYONE,
    "public.map_asset": ANYONE,
    "ledger_pages.checkpoint": ANYONE,
    "ledger_pages.verifier_key": ANYONE,
    "label_pages.form": MANAGERS,
    "label_pages.issue": MANAGERS,
    "label_pages.reprint": MANAGERS,
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
SESSION_KEY = "sid"
CSRF_HEADER = "X-CSRF-Token"


def is_allowed(endpoint: str, role: str) -> bool:
    """Whether the table lets ``role`` use ``endpoint`` (unknown endpoints: never)."""
    allowed = ACCESS.get(endpoint, frozenset())
    return ANONYMOUS_ROLE in allowed or role in allowed


def current_principal() -> Principal:
    """The principal of the current request."""
    return g.get("principal", ANONYMOUS)


def csrf_token() -> str:
    """This browser session's CSRF token, made on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def csrf_field() -> Markup:
    """The hidden form field carrying the CSRF token."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">')


def sign_in(principal: Principal) -> None:
    """Start a fresh browser session for ``principal`` (new CSRF token too).

    The cookie holds only the session's secret; the server keeps the session, so
    ``sign_out`` ends it for every copy of the cookie. A session started with a device
    token names the device, and ends when the device is revoked.
    """
    lifetime = current_app.permanent_session_lifetime
    secret = browser_sessions.start(get_db(current_app), principal.actor_id, lifetime,
                                    principal.device_id)
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = secret
    csrf_token()


def sign_out() -> None:
    """End the browser session, on the server and in this browser."""
    secret = session.get(SESSION_KEY)
    if isinstance(secret, str):
        browser_sessions.end(get_db(current_app), secret)
    session.clear()


def _resolve() -> Principal | None:
    """The request's principal; None when it presents a bad, revoked or disabled token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return devices.authenticate_token(get_db(current_app), token.strip())
    secret = session.get(SESSION_KEY)
    if isinstance(secret, str):
        principal = browser_sessions.principal_of(get_db(current_app), secret)
        if principal is not None:
            return principal
        session.clear()  # signed out, expired, deactivated, or the password changed
    return ANONYMOUS


def _csrf_ok() -> bool:
    """Whether an unsafe request carries this session's CSRF token."""
    expected = session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def _guard():
    """Before every request: resolve the principal, check the table, then CSRF."""
    if request.endpoint is None:
        return None  # no such route or method: Flask answers 404/405 itself
    principal = _resolve()
    if principal is None:
        refused = throttle.token_failed()
        if refused is not None:
            return refused
        body, status = error_response(401, "invalid_token",
                                      "the device token is invalid or revoked; enrol again")
        body.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return body, status
    g.principal = principal
    if not is_allowed(request.endpoint, principal.role):
        if not principal.is_anonymous:
            return error_reply(403, "forbidden", f"a {principal.role} may not do this")
        if wants_json():
            body, status = error_response(401, "unauthorized", "sign in or send a device token")
            body.headers["WWW-Authenticate"] = "Bearer"
            return body, status
        next_url = request.full_path.rstrip("?")
        if request.blueprint == "phone":  # an enrolled phone signs itself in with its token
            return redirect(url_for("enrolment.start", next=next_url))
        return redirect(url_for("auth.login", next=next_url))
    if request.method in UNSAFE_METHODS and principal.via != "token" and not _csrf_ok():
        return error_reply(400, "csrf_failed", "missing or wrong CSRF token")
    return None


def init_app(app: Flask) -> None:
    """Enforce the table on every request and give templates ``csrf_field()``."""
    app.before_request(_guard)
    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token,
                                 principal=current_principal)
