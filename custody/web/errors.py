"""One JSON error shape for every failure: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from custody.domain.errors import DomainError, UnknownActor, UnknownAsset

STATUS_OF = {UnknownAsset: 404, UnknownActor: 404}


def error_response(status: int, code: str, message: str, **extra):
    """The one error body, with its status."""
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    """Route HTTP and domain errors through ``error_response``."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_response(STATUS_OF.get(type(exc), 422), exc.code, str(exc))
