"""One JSON error shape for every failure: ``{"error": {"code", "message"}}``.

A browser that asks for a page gets the same error as a small bilingual page instead
(the API's paths always answer JSON).
"""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from custody.db.full import is_storage_full
from custody.domain.errors import DomainError, UnknownActor, UnknownAsset

STATUS_OF = {UnknownAsset: 404, UnknownActor: 404}
STORAGE_ERRORS = (OSError, DBAPIError, sqlite3.Error, psycopg.Error)
STORAGE_FULL_RETRY_S = 300
STORAGE_FULL_EN = ("The server's storage is full: nothing was saved this time and nothing saved "
                   "before is lost; try again later (a phone keeps its photos and resends them "
                   "itself)")
STORAGE_FULL_ZH = ("服务器存储空间已满：本次未保存，已有记录不受影响；"
                   "请稍后再试（手机会保留照片并自动重发）。")


def error_response(status: int, code: str, message: str, **extra):
    """The one error body, with its status."""
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def wants_json() -> bool:
    """Whether to answer in JSON: API paths, and clients that do not prefer HTML."""
    if request.path.startswith("/api/"):
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] >= accept["text/html"]


def error_reply(status: int, code: str, message: str):
    """The error in the client's language of choice: the JSON shape, or a bilingual page."""
    if wants_json():
        return error_response(status, code, message)
    return render_template("error.html", status=status, code=code, message=message), status


def init_app(app: Flask) -> None:
    """Route HTTP and domain errors through ``error_reply``."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_reply(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_reply(STATUS_OF.get(type(exc), 422), exc.code, str(exc))

    def _storage(exc: Exception):
        if not is_storage_full(exc):
            raise exc  # any other failure: the usual 500, logged
        app.logger.error("storage full: %s", exc)
        if wants_json():
            reply = error_response(507, "storage_full", STORAGE_FULL_EN,
                                   message_zh=STORAGE_FULL_ZH)
        else:
            reply = error_reply(507, "storage_full", f"{STORAGE_FULL_ZH} {STORAGE_FULL_EN}")
        response = app.make_response(reply)
        response.headers["Retry-After"] = str(STORAGE_FULL_RETRY_S)
        return response

    for error_class in STORAGE_ERRORS:
        app.register_error_handler(error_class, _storage)
