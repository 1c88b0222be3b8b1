"""Signing in: the browser login page, and the JSON API for enrolling phones."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from custody.domain.errors import UnknownActor, UnknownDevice
from custody.services import accounts, devices
from custody.services.devices import DeviceInfo
from custody.web import get_db, throttle
from custody.web.access import current_principal, sign_in, sign_out
from custody.web.api import answers, spec
from custody.web.errors import error_response
from custody.web.schemas import Device as DeviceOut
from custody.web.schemas import Devices, DevicesQuery, IssuedDevice, Me, NewDevice

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """The path (and query) of ``target`` if it stays on this site, else None.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash,
    so ``/%09/evil.example/`` and ``/\\evil.example`` lead off site: any control
    character or backslash refuses the target, and the redirect is rebuilt from
    the parsed path, never from the text as given.
    """
    if not target or len(target) > 2000 or target.startswith("//") or "\\" in target \
            or any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page (GET) and the sign-in itself (POST)."""
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, failed=False)
    name = request.form.get("name", "")
    db = get_db(current_app)
    principal = accounts.authenticate_password(db, name, request.form.get("password", ""))
    if principal is None:
        throttle.sign_in_failed()
        return render_template("login.html", next_url=next_url, failed=True, name=name), 200
    sign_in(principal)
    return redirect(next_url or url_for("phone.home"), code=303)


@bp.post("/logout")
def logout():
    """End the browser session."""
    sign_out()
    return redirect(url_for("auth.login"), code=303)


@bp.get("/api/v1/me")
@spec.validate(resp=answers(401, 403, HTTP_200=Me))
def me():
    """Who the caller is, and how they proved it."""
    principal = current_principal()
    return jsonify(actor_id=principal.actor_id, name=principal.name, role=principal.role,
                   via=principal.via)


def _device_json(device: DeviceInfo) -> dict:
    """A device as the API shows it (never its token)."""
    body = asdict(device)
    for key in ("created_at", "last_used_at", "revoked_at"):
        body[key] = body[key].isoformat() if body[key] else None
    return body


def _may_manage(actor_id: int):
    """None if the caller may manage this actor's devices, else the error response."""
    role = accounts.actor_role(get_db(current_app), actor_id)
    if role is None:
        return error_response(404, "unknown_actor", f"no user with id {actor_id}")
    if not devices.may_manage(current_principal().role, role):
        return error_response(403, "forbidden",
                              f"a {current_principal().role} may not manage an {role}'s devices")
    return None


@bp.get("/api/v1/devices")
@spec.validate(query=DevicesQuery, resp=answers(400, 401, 403, 404, HTTP_200=Devices))
def list_devices():
    """Enrolled devices, newest first; ``?user=NAME`` for one user's."""
    db, query = get_db(current_app), request.context.query
    actor_id = None
    if query.user:
        try:
            actor_id = accounts.actor_id_by_name(db, query.user)
        except UnknownActor as exc:
            return error_response(404, exc.code, str(exc))
    return jsonify(devices=[_device_json(d) for d in devices.list_devices(db, actor_id,
                                                                           limit=query.limit)])


@bp.post("/api/v1/devices")
@spec.validate(json=NewDevice,
               resp=answers(400, 401, 403, 404, 422, writes=True, HTTP_201=IssuedDevice))
def issue_device():
    """Enrol a phone for a user: ``{"user": NAME, "name": DEVICE}``; the token is shown once."""
    body = request.context.json
    db = get_db(current_app)
    try:
        actor_id = accounts.actor_id_by_name(db, body.user)
    except UnknownActor as exc:
        return error_response(404, exc.code, str(exc))
    refused = _may_manage(actor_id)
    if refused is not None:
        return refused
    device_id, token = devices.issue_device_token(db, actor_id, body.name)
    response = jsonify(**_device_json(devices.get_device(db, device_id)), token=token)
    response.status_code = 201
    response.headers["Location"] = url_for("auth.get_device", device_id=device_id)
    response.headers["Cache-Control"] = "no-store"  # the body holds a secret
    return response


def _existing_device(device_id: int):
    """(device, None), or (None, the error response) if unknown or not the caller's to manage."""
    try:
        device = devices.get_device(get_db(current_app), device_id)
    except UnknownDevice as exc:
        return None, error_response(404, exc.code, str(exc))
    return device, _may_manage(device.actor_id)


@bp.get("/api/v1/devices/<int(max=2147483647):device_id>")
@spec.validate(resp=answers(401, 403, 404, HTTP_200=DeviceOut))
def get_device(device_id: int):
    """One enrolled device (without its token)."""
    device, refused = _existing_device(device_id)
    return refused or jsonify(_device_json(device))


@bp.delete("/api/v1/devices/<int(max=2147483647):device_id>")
@spec.validate(resp=answers(401, 403, 404, writes=True, HTTP_204=None))
def revoke_device(device_id: int):
    """Revoke a device's token; its very next request is refused."""
    device, refused = _existing_device(device_id)
    if refused:
        return refused
    devices.revoke_device(get_db(current_app), device_id)
    return "", 204
