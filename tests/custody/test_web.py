"""The app factory, /healthz, the one JSON error shape and the generated API document."""

import re

from custody.db import migrate
from custody.db.engine import Database
from custody.web import create_app


def test_healthz_reports_the_database_and_schema(client, database_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["schema"] == migrate.head_revision()
    assert body["database"] == database_url.split(":")[0].split("+")[0]


def test_healthz_is_503_on_an_unmigrated_database(tmp_path, settings):
    db = Database(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "schema_out_of_date"
    db.dispose()


def test_unknown_routes_answer_in_the_one_error_shape(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["message"]


def test_wrong_method_answers_in_the_one_error_shape(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_is_generated_for_every_api_route_and_method(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {(re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper())
                  for path, operations in spec["paths"].items() for method in operations}
    routes = {(re.sub(r"<(?:[^:>]+:)?(\w+)>", r"<\1>", rule.rule), method)
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "openapi.openapi"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes <= documented, routes - documented
    for path, operations in spec["paths"].items():
        for _method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)


def test_a_wrong_method_names_the_allowed_ones(client):
    response = client.delete("/api/v1/tonnage")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"
