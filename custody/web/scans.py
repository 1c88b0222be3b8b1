"""The scan API: phones post a photo and an action; photos are served to staff and public."""

from __future__ import annotations

import threading

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for

import scanners
from custody.domain.model import Point, Role
from custody.services import asset_names, scans
from custody.services.label_sheets import identity
from custody.services.photos import PhotoStore
from custody.web import get_db, get_settings, scan_answers
from custody.web.access import MANAGERS, current_principal
from custody.web.api import answers, spec
from custody.web.errors import error_body
from custody.web.i18n import term
from custody.web.scan_schemas import ScanAttempt, ScanForm, ScanHeaders, ScanRecorded

bp = Blueprint("scans", __name__)
_scanner_lock = threading.Lock()


def scanning() -> scans.Scanning:
    """The app's scanning context, its decoder worker pool made on first use."""
    app = current_app
    ctx = app.extensions.get("custody.scanning")
    if ctx is None:
        with _scanner_lock:
            ctx = app.extensions.get("custody.scanning")
            if ctx is None:
                settings = get_settings(app)
                decoder = app.config.get("SCANNER") or scanners.IsolatedScanner(
                    workers=settings.scan_workers, timeout=settings.scan_timeout_s)
                ctx = scans.Scanning(
                    db=get_db(app), photos=photo_store(),
                    read=decoder.read,
                    identity=identity(settings), answer=scan_answers.answer,
                    max_speed_kmh=settings.max_speed_kmh)
                app.extensions["custody.scanning"] = ctx
    return ctx


def photo_store() -> PhotoStore:
    """The app's photo folder."""
    return PhotoStore(get_settings(current_app).data_dir / "photos")


@bp.post("/api/v1/scans")
@spec.validate(headers=ScanHeaders, form=ScanForm,
               resp=answers(400, 401, 403, 413, 422, writes=True, HTTP_201=ScanRecorded,
                            HTTP_200=ScanRecorded))
def create_scan():
    """Record the handovers a photographed scan implies (idempotent per key).

    The same Idempotency-Key again gets the first answer (header
    ``Idempotent-Replayed: true``), and records nothing more. A scan whose
    moves are all already recorded (a double tap, a queue replay with a new
    key, the same photo again) answers 200 ``repeat`` and appends nothing. Refusals are kept
    as scan attempts too, and answer in the one error shape with their scan_id.
    An action outside the caller's role (collector: deposit, collect, unload,
    inspect; booth keeper: deposit, inspect; driver: unload, load, deliver;
    facility operator: deliver with the weighbridge weight, inspect; supervisor
    and admin: all) answers 403 ``role_not_allowed``; an operator's delivery
    without ``weight_kg`` answers 422 ``weight_required``.
    """
    form, principal = request.context.form, current_principal()
    point = Point(form.lat, form.lon, form.accuracy_m) if form.lat is not None else None
    req = scans.ScanRequest(
        actor_id=principal.actor_id, role=Role(principal.role), device_id=principal.device_id,
        idempotency_key=request.context.headers.idempotency_key, action=form.action,
        photo=form.photo.read(), weight_kg=form.weight_kg, category=form.category,
        client_time=form.client_time, point=point, note=form.note)
    answer = scans.submit(scanning(), req)
    response = jsonify(with_assets(translated(answer.body)))
    response.status_code = answer.status
    if answer.status == 201:
        response.headers["Location"] = url_for("scans.get_scan", scan_id=answer.body["scan_id"])
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def translated(body: dict) -> dict:
    """A scan answer with its error message in the request's language (stored ones too)."""
    error = body.get("error")
    if not error:
        return body
    localised = error_body(error["code"], error.get("message"))["error"]
    return {**body, "error": {**error, **localised}}


def with_assets(body: dict) -> dict:
    """The answer with the kind, category and name of each asset it names, and a label for
    each in the request's language, so that a phone shows more than codes."""
    found = asset_names.describe(get_db(current_app), asset_names.asset_ids_in(body))
    if not found:
        return body
    return {**body, "assets": {asset_id: {**about, "label": _label(about)}
                               for asset_id, about in found.items()}}


def _label(about: dict) -> str:
    """How a person calls an asset: its name, else its category and kind (厨余垃圾 · 垃圾桶)."""
    kind = term("asset_kind", about["kind"])
    if about["name"]:
        return f"{about['name']} · {kind}"
    return f"{term('category', about['category'])} · {kind}" if about["category"] else kind


@bp.get("/api/v1/scans/<int(max=2147483647):scan_id>")
@spec.validate(resp=answers(401, 403, 404, HTTP_200=ScanAttempt))
def get_scan(scan_id: int):
    """The stored answer of one scan attempt: its uploader's, or any for those who manage.

    Anyone else gets the same 404 as for an attempt that does not exist.
    """
    from custody.services.scan_reads import attempt_answer

    principal = current_principal()
    uploader = None if principal.role in MANAGERS else principal.actor_id
    found = attempt_answer(get_db(current_app), scan_id, uploader=uploader)
    if found is None:
        abort(404)
    return jsonify({**found, "answer": with_assets(translated(found["answer"]))})


@bp.get("/photos/<sha256>.jpg")
def public_photo(sha256: str):
    """A photo as any public page may show it: upright, small, without EXIF or GPS."""
    store = photo_store()
    if not _is_sha(sha256) or not store.has(sha256):
        abort(404)
    return send_file(store.public_copy(sha256), mimetype="image/jpeg", max_age=86400)


@bp.get("/photos/<sha256>/original")
def original_photo(sha256: str):
    """The photo exactly as uploaded, EXIF and GPS included (those who manage only)."""
    store = photo_store()
    if not _is_sha(sha256) or not store.has(sha256):
        abort(404)
    return send_file(store.original_path(sha256), mimetype="application/octet-stream",
                     download_name=f"{sha256}.jpg", max_age=0)


def _is_sha(text: str) -> bool:
    """64 lower-case hex digits."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
