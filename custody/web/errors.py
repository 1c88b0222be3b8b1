"""One error shape for every failure: ``{"error": {"code", "message", ...}}``.

``message`` is in the request's language, looked up by ``code`` in
``custody.web.messages``; a more technical English explanation, when there is
one, goes in ``detail``. A browser that asks for a page gets the same error as a
small page in its language instead (the API's paths always answer JSON).

A domain error (``custody.domain.errors``) raised to a view answers with the
status of its class, or of its nearest ancestor, in ``STATUS_OF``:

    NotFound (UnknownAsset, UnknownActor, UnknownDevice, UnknownHandover)   404
    NotAllowed (RoleNotAllowed, EnrolmentUnusable, a page's own refusals)  403
    DuplicateUser                                                          409
    BadPassword                                                            400
    any other                                                              422

A scan's outcome, kept with its attempt, has its own table
(``custody.web.scan_answers``): a refused scan is a 422 but for the role's
table (403) and a photo too large (413).
"""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from custody.db.full import is_storage_full
from custody.domain.errors import (
    BadPassword,
    DomainError,
    DuplicateUser,
    NotAllowed,
    NotFound,
    nearest,
)
from custody.web.messages import ERRORS, message_for, message_in

STATUS_OF: dict[type[DomainError], int] = {NotFound: 404, NotAllowed: 403, DuplicateUser: 409,
                                           BadPassword: 400}
OTHERWISE = 422
STORAGE_ERRORS = (OSError, DBAPIError, sqlite3.Error, psycopg.Error)
STORAGE_FULL_RETRY_S = 300


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error: its class's, else its nearest ancestor's."""
    return nearest(STATUS_OF, exc, OTHERWISE)


def error_body(code: str, detail: str | None = None, params: dict | None = None,
               **extra) -> dict:
    """The one error body: the code, its message in the request's language, and extras."""
    # A code with no message of its own (an HTTP error such as 416) still answers in the
    # reader's language; its English description goes in ``detail``.
    message = message_for(code if code in ERRORS else "bad_request", **(params or {}))
    error = {"code": code, "message": message, **extra}
    if detail and detail != message:
        error.setdefault("detail", detail)
    return {"error": error}


def error_response(status: int, code: str, detail: str | None = None, **extra):
    """The one error body as JSON, with its status."""
    return jsonify(error_body(code, detail, **extra)), status


def wants_json() -> bool:
    """Whether to answer in JSON: API paths, and clients that do not prefer HTML."""
    if request.path.startswith("/api/"):
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] >= accept["text/html"]


def error_reply(status: int, code: str, detail: str | None = None, **extra):
    """The error as the client prefers it: the JSON shape, or a page in its language."""
    if wants_json():
        return error_response(status, code, detail, **extra)
    body = error_body(code, detail, **extra)["error"]
    return render_template("error.html", status=status, code=code,
                           message=body["message"], problems=body.get("problems", [])), status


def init_app(app: Flask) -> None:
    """Route HTTP and domain errors through ``error_reply``; pages may name error codes."""
    app.jinja_env.globals["error_text"] = message_for

    @app.before_request
    def _no_nul_in_the_address():
        # No page or API takes a NUL in its address; PostgreSQL refuses one in any text
        # (a 500 where a lookup by a crafted asset id or village name should be a 400).
        if "\x00" in request.path or any("\x00" in k or "\x00" in v
                                          for k, v in request.args.items(multi=True)):
            return error_reply(400, "invalid_request", "the address holds a NUL character")
        return None

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response = app.make_response(error_reply(exc.code or 500, code, exc.description))
        for name, value in exc.get_headers():  # e.g. Allow on 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_reply(status_of(exc), exc.code, str(exc))

    def _storage(exc: Exception):
        if not is_storage_full(exc):
            raise exc  # any other failure: the usual 500, logged
        app.logger.error("storage full: %s", exc)
        reply = error_reply(507, "storage_full", message_in("en", "storage_full"),
                            message_zh=message_in("zh", "storage_full")) \
            if wants_json() else error_reply(507, "storage_full")
        response = app.make_response(reply)
        response.headers["Retry-After"] = str(STORAGE_FULL_RETRY_S)
        return response

    for error_class in STORAGE_ERRORS:
        app.register_error_handler(error_class, _storage)
