"""People on the web: create users, change roles, reset passwords, deactivate, revoke phones.

Admins manage everyone; supervisors manage the field roles only
(``accounts.may_administer``) and the phones of anyone but admins
(``devices.may_manage``). Nobody changes their own role or deactivates
themselves here, so a desk cannot lock itself out. Phones are enrolled on the
users-and-devices page (``supervise.users``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

import vocabulary
from custody.domain.errors import DomainError, NotAllowed, UnknownActor
from custody.domain.model import Role
from custody.services import accounts, devices, scan_reads
from custody.web import get_db
from custody.web.access import current_principal
from custody.web.api import RequestInvalid, check
from custody.web.desk_schemas import NewUserForm, PasswordForm, RoleForm
from custody.web.errors import status_of
from custody.web.messages import message_for

bp = Blueprint("people_pages", __name__, url_prefix="/supervise/people")

ID = "int(max=2147483647)"


def _page(status: int = 200, problems: list[dict] | None = None, typed: dict | None = None,
          done: str | None = None, row: int | None = None):
    """The people page, with the problems of the form just sent (``row``: whose)."""
    db = get_db(current_app)
    me = current_principal()
    users = scan_reads.list_users(db)
    phones: dict[int, list] = {}
    for d in devices.list_devices(db, limit=scan_reads.MAX_PAGE):
        if not d.revoked_at:
            phones.setdefault(d.actor_id, []).append(d)
    roles = [r for r in vocabulary.ROLES if accounts.may_administer(me.role, r)]
    return render_template("supervise/people.html", users=users, phones=phones, roles=roles,
                           me=me, problems=problems or [], typed=typed or {}, done=done,
                           row=row), status


def _problem(code: str) -> list[dict]:
    """One problem, in the reader's language."""
    return [{"field": "request", "code": code, "message": message_for(code)}]


def _target(actor_id: int) -> str:
    """The role of a user the signed-in manager may administer; raises a coded DomainError."""
    role = accounts.actor_role(get_db(current_app), actor_id)
    if role is None:
        raise UnknownActor(f"no user with id {actor_id}")
    me = current_principal()
    if actor_id == me.actor_id:
        raise _Refused("own_account")
    if not accounts.may_administer(me.role, role):
        raise _Refused("forbidden")
    return role


class _Refused(NotAllowed):
    """A change the signed-in manager may not make."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _act(form_model, change, row: int | None = None):
    """Check the form, make the change, and answer with the page (303 on success)."""
    typed = {k: v for k, v in request.form.items() if k != "password"}
    try:
        done = change(check(form_model, request.form.to_dict()) if form_model else None)
    except RequestInvalid as exc:
        return _page(400, exc.problems(), typed, row=row)
    except DomainError as exc:
        return _page(status_of(exc), _problem(exc.code), typed, row=row)
    return redirect(url_for("people_pages.people", done=done) + (f"#u{row}" if row else ""),
                    code=303)


DONE = ("created", "role", "password", "deactivated", "reactivated", "revoked")


@bp.get("")
def people():
    """Everyone who signs in or records handovers, with their phones and what may be changed."""
    done = request.args.get("done")
    return _page(done=done if done in DONE else None)


@bp.post("")
def create():
    """Create a user with a role and a first password."""
    def change(data: NewUserForm) -> str:
        if not accounts.may_administer(current_principal().role, data.role.value):
            raise _Refused("forbidden")
        accounts.create_user(get_db(current_app), data.name, data.role, data.password)
        return "created"
    return _act(NewUserForm, change)


@bp.post(f"/<{ID}:actor_id>/role")
def set_role(actor_id: int):
    """Give a user another role (both the old and the new must be the manager's to give)."""
    def change(data: RoleForm) -> str:
        _target(actor_id)
        if not accounts.may_administer(current_principal().role, data.role.value):
            raise _Refused("forbidden")
        accounts.set_role(get_db(current_app), actor_id, Role(data.role))
        return "role"
    return _act(RoleForm, change, actor_id)


@bp.post(f"/<{ID}:actor_id>/password")
def reset_password(actor_id: int):
    """Set a new password for a user; they are signed out of every browser."""
    def change(data: PasswordForm) -> str:
        _target(actor_id)
        accounts.set_password(get_db(current_app), actor_id, data.password)
        return "password"
    return _act(PasswordForm, change, actor_id)


@bp.post(f"/<{ID}:actor_id>/active")
def set_active(actor_id: int):
    """Deactivate a user (refused everywhere at once, phones too) or reactivate them."""
    def change(_data) -> str:
        _target(actor_id)
        active = request.form.get("active") == "1"
        accounts.set_active(get_db(current_app), actor_id, active)
        return "reactivated" if active else "deactivated"
    return _act(None, change, actor_id)


@bp.post(f"/phones/<{ID}:device_id>/revoke")
def revoke_phone(device_id: int):
    """Revoke a phone's token; its next request is refused."""
    db = get_db(current_app)

    def change(_data) -> str:
        device = devices.get_device(db, device_id)  # UnknownDevice: 404
        role = accounts.actor_role(db, device.actor_id)
        if not devices.may_manage(current_principal().role, role):
            raise _Refused("forbidden")
        devices.revoke_device(db, device_id)
        return "revoked"
    return _act(None, change)
