"""One JSON error shape for every failure: ``{"error": {"code", "message"}}``.

A browser that asks for a page gets the same error as a small bilingual page instead
(the API's paths always answer JSON).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from custody.domain.errors import DomainError, UnknownActor, UnknownAsset

STATUS_OF = {UnknownAsset: 404, UnknownActor: 404}


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
