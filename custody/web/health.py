"""``/healthz``: is the app up and is its database reachable at the right schema."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from custody.db import migrate
from custody.web import get_db
from custody.web.api import answers, spec
from custody.web.errors import error_response
from custody.web.schemas import Health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@spec.validate(resp=answers(503, HTTP_200=Health), security={})
def healthz():
    """200 when the database answers at the newest schema, 503 otherwise."""
    db = get_db(current_app)
    try:
        revision = migrate.current_revision(db)
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return error_response(503, "database_unreachable", str(exc)[:200])
    head = migrate.head_revision()
    if revision != head:
        return error_response(503, "schema_out_of_date",
                              f"database schema is {revision}, code expects {head}; "
                              "run `custody init`")
    return jsonify(status="ok", database=db.url.get_backend_name(), schema=revision)
