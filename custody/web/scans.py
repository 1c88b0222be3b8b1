"""The scan API: phones post a photo and an action; photos are served to staff and public."""

from __future__ import annotations

import threading
from datetime import datetime

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for

import scanners
from custody.domain.errors import DomainError
from custody.domain.model import Action, Category, Point, Role
from custody.services import scans
from custody.services.label_sheets import identity
from custody.services.photos import PhotoStore
from custody.web import get_db, get_settings
from custody.web.access import MANAGERS, current_principal
from custody.web.errors import error_response

bp = Blueprint("scans", __name__)
_scanner_lock = threading.Lock()

MAX_KEY_LENGTH = 100


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
                    identity=identity(settings),
                    max_speed_kmh=settings.max_speed_kmh)
                app.extensions["custody.scanning"] = ctx
    return ctx


def photo_store() -> PhotoStore:
    """The app's photo folder."""
    return PhotoStore(get_settings(current_app).data_dir / "photos")


@bp.post("/api/v1/scans")
def create_scan():
    """Record the handovers a photographed scan implies (idempotent per key)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return error_response(400, "idempotency_key_missing",
                              "send an Idempotency-Key header (a new random value per scan, "
                              "the same one on every retry)")
    if len(key) > MAX_KEY_LENGTH:
        return error_response(400, "idempotency_key_too_long",
                              f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters")
    photo = request.files.get("photo")
    if photo is None:
        return error_response(400, "photo_missing", "send the photo as multipart field 'photo'",
                              message_zh="请附上照片。")
    principal = current_principal()
    try:
        req = scans.ScanRequest(
            actor_id=principal.actor_id, role=Role(principal.role),
            device_id=principal.device_id, idempotency_key=key,
            action=_choice(Action, "action", required=True), photo=photo.read(),
            weight_kg=_number("weight_kg"), category=_choice(Category, "category"),
            client_time=_time("client_time"), point=_point(), note=request.form.get("note"),
        )
        answer = scans.submit(scanning(), req)
    except (ValueError, DomainError) as exc:
        code = getattr(exc, "code", "bad_request")
        return error_response(422 if isinstance(exc, DomainError) else 400, code, str(exc))
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.status == 201:
        response.headers["Location"] = url_for("scans.get_scan", scan_id=answer.body["scan_id"])
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/api/v1/scans/<int:scan_id>")
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
    return jsonify(found)


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


def _choice(enum, name: str, *, required: bool = False):
    """A form field that must be one of an enum's values."""
    value = (request.form.get(name) or "").strip()
    if not value:
        if required:
            raise ValueError(f"'{name}' is required: one of {', '.join(e.value for e in enum)}")
        return None
    try:
        return enum(value)
    except ValueError:
        raise ValueError(f"'{name}' must be one of {', '.join(e.value for e in enum)}, "
                         f"not {value!r}") from None


def _number(name: str) -> float | None:
    """An optional numeric form field."""
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"'{name}' must be a number, not {value!r}") from None


def _time(name: str) -> datetime | None:
    """An optional ISO 8601 time with a zone."""
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{name}' must be ISO 8601, e.g. 2026-11-22T08:30:00+08:00") from None
    if moment.tzinfo is None:
        raise ValueError(f"'{name}' must carry a time zone")
    return moment


def _point() -> Point | None:
    """The phone's GPS fix, if it sent one."""
    lat, lon = _number("lat"), _number("lon")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise ValueError("send both 'lat' and 'lon', or neither")
    return Point(lat, lon, _number("accuracy_m"))
