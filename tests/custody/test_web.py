"""The app factory, /healthz and the one JSON error shape."""

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


def test_the_openapi_document_describes_every_api_route(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    api_routes = {rule.rule.replace("<int:", "<") for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/v1/") and rule.endpoint != "openapi.openapi"}
    assert api_routes <= documented, api_routes - documented
