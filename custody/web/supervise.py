"""Supervisor pages (PC): recent handovers with photos, flags to review, assets, users, devices."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

import labels
from custody.domain.errors import DomainError, UnknownActor
from custody.domain.model import AssetKind, Role
from custody.services import accounts, scan_reads
from custody.services.accounts import UnknownDevice
from custody.web import get_db
from custody.web.access import current_principal
from custody.web.phone import FLAG_TEXT, PAGES
from custody.web.public import ACTION_NAMES

bp = Blueprint("supervise", __name__, url_prefix="/supervise")

PAGE = 50

# What the pages call each stored identifier, Chinese first (the label catalogue's words).
KIND_TEXT = {k.id: (k.name_zh, k.name_en) for k in labels.KINDS.values()}
CATEGORY_TEXT = {c.id: (c.name_zh, c.name_en) for c in labels.CATEGORIES.values()}
# Field roles are named as their phone pages title them; the PC roles have no phone page.
ROLE_TEXT = {role: (zh, en) for roles, zh, en, _ in PAGES.values() for role in roles} | {
    Role.SUPERVISOR: ("主管", "Supervisor"),
    Role.ADMIN: ("管理员", "Administrator"),
}
assert set(ROLE_TEXT) == set(Role), "every role needs a name"


def _int_arg(name: str) -> int | None:
    """An optional integer query argument."""
    return request.args.get(name, type=int)


def _render(template: str, **context):
    """A supervisor page with the shared wording of flags, actions, kinds, categories, roles."""
    return render_template(f"supervise/{template}", flag_text=FLAG_TEXT,
                           action_text=ACTION_NAMES, kind_text=KIND_TEXT,
                           category_text=CATEGORY_TEXT, role_text=ROLE_TEXT, **context)


@bp.get("")
def overview():
    """The newest handovers with their photos, a page at a time."""
    rows = scan_reads.recent_handovers(get_db(current_app), limit=PAGE,
                                       before_seq=_int_arg("before"))
    older = rows[-1]["seq"] if len(rows) == PAGE else None
    return _render("handovers.html", rows=rows, older=older)


@bp.get("/flags")
def flags():
    """Flagged handovers and scan attempts that recorded nothing."""
    db = get_db(current_app)
    flagged = scan_reads.recent_handovers(db, limit=PAGE, before_seq=_int_arg("before"),
                                          flagged=True)
    failed = scan_reads.failed_attempts(db, limit=PAGE, before_id=_int_arg("before_scan"))
    return _render("flags.html", flagged=flagged, failed=failed,
                   older=flagged[-1]["seq"] if len(flagged) == PAGE else None,
                   older_scan=failed[-1]["scan_id"] if len(failed) == PAGE else None)


@bp.get("/assets")
def assets():
    """Registered assets, a page at a time, optionally of one kind."""
    kind = request.args.get("kind") or None
    if kind not in {k.value for k in AssetKind}:
        kind = None
    rows = scan_reads.list_assets(get_db(current_app), limit=PAGE,
                                  after=request.args.get("after") or None, kind=kind)
    return _render("assets.html", rows=rows, kind=kind, kinds=[k.value for k in AssetKind],
                   next_after=rows[-1]["asset_id"] if len(rows) == PAGE else None)


def _users_page(status: int = 200, **context):
    """The users and devices page."""
    db = get_db(current_app)
    return _render("users.html", users=scan_reads.list_users(db),
                   devices=accounts.list_devices(db, limit=scan_reads.MAX_PAGE),
                   **context), status


@bp.get("/users")
def users():
    """Users and their enrolled phones."""
    return _users_page()


@bp.post("/devices")
def issue_device():
    """Enrol a phone for a user from the form; the token is shown on this page once."""
    user, name = request.form.get("user", "").strip(), request.form.get("name", "").strip()
    if not user or not name:
        return _users_page(400, error=("请填写用户名和设备名。",
                                       "Give a user name and a device name."))
    db = get_db(current_app)
    try:
        actor_id = accounts.actor_id_by_name(db, user)
        role = accounts.actor_role(db, actor_id)
        if not accounts.may_manage(current_principal().role, role):
            return _users_page(403, error=("无权为该用户登记设备。",
                                           f"A {current_principal().role} may not enrol an "
                                           f"{role}'s phone."))
        device_id, token = accounts.issue_device_token(db, actor_id, name)
    except UnknownActor:
        return _users_page(404, error=("没有这个用户。", f"No user named {user!r}."))
    except DomainError as exc:
        return _users_page(422, error=("无法登记设备。", str(exc)))
    page, status = _users_page(201, issued={"device_id": device_id, "user": user, "token": token})
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"  # the page holds a secret
    return response


@bp.post("/devices/<int:device_id>/revoke")
def revoke_device(device_id: int):
    """Revoke a phone's token from the form."""
    db = get_db(current_app)
    try:
        device = accounts.get_device(db, device_id)
    except UnknownDevice:
        return _users_page(404, error=("没有这个设备。", f"No device {device_id}."))
    role = accounts.actor_role(db, device.actor_id)
    if not accounts.may_manage(current_principal().role, role):
        return _users_page(403, error=("无权停用该设备。", "You may not revoke this phone."))
    accounts.revoke_device(db, device_id)
    return redirect(url_for("supervise.users"), code=303)
