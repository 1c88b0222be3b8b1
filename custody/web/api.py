"""The API contract at work: request checks from the schemas, and the generated OpenAPI document.

SpecTree (pydantic) checks each endpoint's query, headers, JSON or multipart form
against the models of ``custody.web.schemas`` before the view runs, and builds
``/api/v1/openapi.json`` from the same models and the URL rules (path parameters
come from the converters). A bad value is a ``RequestInvalid``: 400 in the one
error shape, each problem named with its field, a code and a message in the
request's language.

The plugin below changes three things of SpecTree's Flask plugin: a form model is
checked whatever the content type (a JSON body sent to the multipart scan endpoint
is refused, not let through unchecked); cookies are not read; and answers are
checked against their documented model only when ``CUSTODY_CHECK_ANSWERS`` is on
(the tests), never re-serialised and never buffered, so streamed reports stay
streamed and the scan path pays nothing for it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin

from custody.web import schemas
from custody.web.messages import ERRORS, message_for

bp = Blueprint("openapi", __name__)

# Fields whose problems have a code of their own, else by (field, pydantic error type).
FIELD_CODES = {"level": "bad_level", "photo": "photo_missing", "from": "bad_date",
               "to": "bad_date", "day": "bad_date", "count": "bad_count", "date": "bad_date",
               "period": "bad_period"}
FIELD_TYPE_CODES = {("Idempotency-Key", "missing"): "idempotency_key_missing",
                    ("Idempotency-Key", "string_too_short"): "idempotency_key_missing",
                    ("Idempotency-Key", "string_too_long"): "idempotency_key_too_long"}
# Answers that are not JSON: (path, method, status) -> media type and schema.
OTHER_MEDIA = {("/api/v1/tonnage.csv", "get", "200"): ("text/csv", {"type": "string"})}


class RequestInvalid(Exception):
    """A request whose values break the contract (the pydantic errors)."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invalid value(s)")
        self.errors = errors

    def problems(self) -> list[dict]:
        """Each bad value: its field, a code, and a message in the request's language."""
        found = []
        for err in self.errors:
            field = ".".join(str(part) for part in err.get("loc", ())) or "request"
            kind = err.get("type", "")
            code = (kind if kind in ERRORS and kind != "bad_request" else
                    FIELD_TYPE_CODES.get((field, kind)) or FIELD_CODES.get(field)
                    or "invalid_request")
            found.append({"field": field, "code": code,
                          "message": message_for(code, **_params(code, err))})
        return found


def _params(code: str, err: dict) -> dict:
    """The placeholders a code's message needs."""
    if code == "bad_range":
        return {"max_days": schemas.MAX_DAYS}
    return {}


def check(model: type[BaseModel], form: dict) -> BaseModel:
    """An HTML page's form checked against ``model`` (blank fields are not given)."""
    try:
        return model.model_validate(schemas.without_blanks(form))
    except ValidationError as exc:
        raise RequestInvalid(exc.errors(include_url=False, include_context=False)) from None


class CustodyFlaskPlugin(FlaskPlugin):
    """SpecTree's Flask plugin, checking forms always and answers only when asked."""

    def request_validation(self, request, query, json, form, headers, cookies):
        """Check the parts that have a model (a missing part is checked as empty); a query
        parameter the model does not name is refused.

        A bad request raises RequestInvalid at once: SpecTree's own error answer
        would echo the request's values, photos included.
        """
        check = self.model_adapter.validate_obj
        has_data = request.method not in ("GET", "DELETE")
        if query:  # a misspelt parameter is an error, never silently a default
            known = {f.alias or name for name, f in query.model_fields.items()} | set(
                query.model_fields)
            unknown = sorted(set(request.args) - known)
            if unknown:
                raise RequestInvalid([{"loc": (name[:40],), "type": "unknown_parameter"}
                                      for name in unknown[:10]])
        try:
            request.context = Context(
                check(query, request.args.to_dict()) if query else None,
                check(json, request.get_json(silent=True)) if json and has_data else None,
                check(form, self.fill_form(request)) if form else None,
                check(headers, dict(request.headers)) if headers else None,
                None,
            )
        except ValidationError as exc:
            raise RequestInvalid(exc.errors(include_url=False, include_context=False)) from None

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        """The view's answer as it is; checked against its model under CUSTODY_CHECK_ANSWERS."""
        response = current_app.make_response(resp)
        if resp_model is not None and current_app.config.get("CUSTODY_CHECK_ANSWERS"):
            check_answer(response, resp_model)
        return response, None


def check_answer(response, resp_model: Response) -> None:
    """Fail loudly when an answer's status is undocumented or its JSON breaks its model."""
    status = f"HTTP_{response.status_code}"
    documented = set(resp_model.codes) | set(resp_model.code_models)
    assert status in documented, f"{request.endpoint} answered undocumented {status}"
    model = resp_model.find_model(response.status_code)
    if model is not None and not response.is_streamed:
        model.model_validate_json(response.get_data())


spec = SpecTree(
    "flask", backend=CustodyFlaskPlugin, mode="strict", annotations=False,
    title="Custody API", version="1", path="apidoc",  # spectree skips routes under its path
    description="QR chain of custody for sorted municipal waste. Phones send "
                "`Authorization: Bearer <device token>`; error messages follow the "
                "request's `Accept-Language` (zh, en) or the `lang` cookie.",
    validation_error_status=400, validation_error_model=schemas.ErrorBody,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="deviceToken", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer"))],
    security={"deviceToken": []},
)


# Any request may be throttled (429, after repeated bad device tokens from its address), and
# any write may find the server's storage full (507); both answer in the error shape.
ALWAYS = (429,)
WRITES = (507,)


def answers(*errors: int, writes: bool = False, **documented) -> Response:
    """A Response: the given models by status, and the error shape for each error status."""
    codes = {*errors, *ALWAYS, *(WRITES if writes else ())}
    return Response(**documented, **{f"HTTP_{code}": schemas.ErrorBody for code in codes})


@bp.get("/api/v1/openapi.json")
def openapi():
    """The API description, generated from the schemas and the URL rules."""
    document = dict(spec.spec)
    for (path, method, status), (media, schema) in OTHER_MEDIA.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation and status in operation["responses"]:
            operation["responses"][status]["content"] = {media: {"schema": schema}}
    return jsonify(document)


def init_app(app) -> None:
    """Answer RequestInvalid with 400 in the one error shape (or the form's page)."""
    from custody.web.errors import error_reply

    app.register_blueprint(bp)

    @app.errorhandler(RequestInvalid)
    def _invalid(exc: RequestInvalid):
        problems = exc.problems()
        code = problems[0]["code"] if len({p["code"] for p in problems}) == 1 \
            else "invalid_request"
        return error_reply(400, code, params=_params(code, {}), problems=problems)
