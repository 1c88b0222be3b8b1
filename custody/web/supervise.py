"""Supervisor pages (PC): recent handovers with photos, flags to review, assets, users, devices."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from custody.domain.errors import UnknownDevice
from custody.domain.model import Action, AssetKind
from custody.services import accounts, devices, scan_reads
from custody.web import get_db
from custody.web.access import current_principal
from custody.web.api import RequestInvalid, check
from custody.web.desk_schemas import HandoversQuery
from custody.web.exports import handover_filter
from custody.web.messages import message_for

bp = Blueprint("supervise", __name__, url_prefix="/supervise")

PAGE = 50
HANDOVER_FILTERS = ("action", "village", "person", "from", "to")


def _int_arg(name: str) -> int | None:
    """An optional integer query argument (a page cursor; anything else is ignored)."""
    return request.args.get(name, type=int)


def _render(template: str, **context):
    """A supervisor page (names of identifiers come from the ``term`` template helper)."""
    return render_template(f"supervise/{template}", **context)


@bp.get("")
def overview():
    """The newest handovers with their photos, filtered, a page at a time."""
    typed = {k: request.args.get(k, "") for k in HANDOVER_FILTERS}
    problems, status = [], 200
    try:
        query = check(HandoversQuery, request.args.to_dict())
    except RequestInvalid as exc:
        problems, status, query = exc.problems(), 400, HandoversQuery()
    rows = scan_reads.recent_handovers(get_db(current_app), limit=PAGE, before_seq=query.before,
                                       where=handover_filter(query))
    older = rows[-1]["seq"] if len(rows) == PAGE else None
    return _render("handovers.html", rows=rows, older=older, typed=typed, problems=problems,
                   filter_args={k: v for k, v in typed.items() if v},
                   actions=[a.value for a in Action]), status


@bp.get("/assets")
def assets():
    """Registered assets, a page at a time, optionally of one kind."""
    kind = request.args.get("kind") or None
    if kind not in {k.value for k in AssetKind}:
        kind = None
    village = request.args.get("village", "").strip()[:100] or None
    rows = scan_reads.list_assets(get_db(current_app), limit=PAGE,
                                  after=request.args.get("after") or None, kind=kind,
                                  village=village)
    return _render("assets.html", rows=rows, kind=kind, kinds=[k.value for k in AssetKind],
                   village=village,
                   next_after=rows[-1]["asset_id"] if len(rows) == PAGE else None)


def _users_page(status: int = 200, **context):
    """The users and devices page: phones are enrolled by QR (``enrolment.new``) and revoked
    here; ``enrollable`` names the people whose phones the signed-in manager may manage."""
    db = get_db(current_app)
    users = scan_reads.list_users(db)
    role = current_principal().role
    return _render("users.html", users=users,
                   devices=devices.list_devices(db, limit=scan_reads.MAX_PAGE),
                   enrollable={u["name"] for u in users if devices.may_manage(role, u["role"])},
                   **context), status


@bp.get("/users")
def users():
    """Users and their enrolled phones."""
    return _users_page()


@bp.post("/devices/<int(max=2147483647):device_id>/revoke")
def revoke_device(device_id: int):
    """Revoke a phone's token from the form."""
    db = get_db(current_app)
    try:
        device = devices.get_device(db, device_id)
    except UnknownDevice:
        return _users_page(404, error=message_for("unknown_device"))
    role = accounts.actor_role(db, device.actor_id)
    if not devices.may_manage(current_principal().role, role):
        return _users_page(403, error=message_for("forbidden"))
    devices.revoke_device(db, device_id)
    return redirect(url_for("supervise.users"), code=303)
