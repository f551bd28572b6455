"""The OpenAPI description: generated from the routes, committed in docs/, served as is."""

import json

import pytest
from chalice import Chalice
from chalice.test import Client

from app import app
from chalicelib.api import openapi
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import Answer, Body, Text, obj, operation
from chalicelib.domain import errors
from tests.support import ROOT

DOCUMENT = ROOT / "docs" / "openapi.json"


def test_docs_openapi_json_is_what_the_code_generates():
    assert DOCUMENT.read_text(encoding="utf-8") == openapi.render(app), (
        "docs/openapi.json is out of date: run `make openapi` and commit it"
    )


def test_every_api_route_and_method_is_described():
    described = openapi.document(app)["paths"]
    routes = {
        (path, method.lower()) for path, methods in app.routes.items() if path.startswith("/api/") for method in methods
    }
    assert routes == {(path, method) for path, methods in described.items() for method in methods}
    assert all(operation["summary"] for methods in described.values() for operation in methods.values())


def test_a_route_without_its_description_fails_the_generation():
    probe = ApiBlueprint(__name__)

    @probe.route("/api/undescribed", methods=["GET"])
    def undescribed():
        return json_response({})

    test_app = Chalice(app_name="probe")
    test_app.register_blueprint(probe)
    with pytest.raises(openapi.Undescribed, match="GET /api/undescribed"):
        openapi.document(test_app)


def test_errors_are_described_once_in_their_shape_with_their_public_details():
    schemas = openapi.document(app)["components"]["schemas"]
    expired = schemas["TokenExpired"]["properties"]["error"]
    assert expired["properties"]["code"] == {"const": "token_expired"}
    assert set(expired["required"]) == {"code", "message", "masked_email"}
    internal = schemas["InternalError"]["properties"]["error"]
    assert "request_id" in internal["required"]
    check = openapi.document(app)["paths"]["/api/token-checks"]["post"]["responses"]
    assert set(check) == {"200", "400", "403", "410", "415", "500", "503"}
    limited = openapi.document(app)["paths"]["/api/sessions"]["post"]["responses"]["429"]
    assert limited["headers"]["Retry-After"]["required"] is True


def test_a_public_detail_without_a_schema_is_refused():
    class Odd(errors.PortalError, code="odd"):
        public = ("shoe_size",)

    with pytest.raises(openapi.Undescribed, match="shoe_size"):
        openapi.error_schema(Odd)


def test_a_body_is_validated_by_what_describes_it(chalice_project):
    """The schema's fields are the ones the handler reads: a missing one is `invalid_request`."""
    probe = ApiBlueprint(__name__)
    body = Body({"email": Text(10), "password": Text(5)})

    @probe.route("/api/probe", methods=["POST"])
    @operation("Probe", body=body, answers={200: Answer(obj(email={"type": "string"}), "ok")})
    def described():
        return json_response({"email": body.parse(probe.current_request)["email"]})

    test_app = Chalice(app_name="probe")
    test_app.register_blueprint(probe)
    schema = openapi.document(test_app)["paths"]["/api/probe"]["post"]["requestBody"]["content"]["application/json"]
    assert schema["schema"]["required"] == ["email", "password"]
    assert schema["schema"]["properties"]["email"]["maxLength"] == 10
    with Client(test_app, **chalice_project) as client:
        headers = {"Content-Type": "application/json"}
        missing = client.http.post("/api/probe", body=b'{"email": "a@b.fr"}', headers=headers)
        too_long = client.http.post("/api/probe", body=b'{"email": "a@b.fr", "password": "123456"}', headers=headers)
        fine = client.http.post("/api/probe", body=b'{"email": "a@b.fr", "password": "12345"}', headers=headers)
    assert json.loads(missing.body)["error"] == {
        **json.loads(missing.body)["error"],
        "code": "invalid_request",
        "field": "password",
    }
    assert json.loads(too_long.body)["error"]["field"] == "password"
    assert (fine.status_code, json.loads(fine.body)) == (200, {"email": "a@b.fr"})


def test_it_is_served_cacheable_and_without_secrets(chalice_project, monkeypatch):
    with Client(app, **chalice_project) as client:
        response = client.http.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    served = json.loads(response.body)
    assert served == openapi.document(app)
    assert served["components"]["securitySchemes"]["session"] == {
        **served["components"]["securitySchemes"]["session"],
        "type": "apiKey",
        "in": "cookie",
        "name": "__Host-session",
    }
    text = response.body.decode("utf-8")
    assert "portail.test" not in text and "testing" not in text  # no setting, no credential


def test_the_public_claim_body_is_the_fields_the_service_reads():
    from chalicelib.api.espace import PUBLIC_CLAIM_BODY
    from chalicelib.services.claims import PUBLIC_FIELDS

    assert tuple(PUBLIC_CLAIM_BODY.fields) == PUBLIC_FIELDS


def test_state_changing_operations_may_be_refused_as_cross_site():
    paths = openapi.document(app)["paths"]
    assert "CrossSiteRequest" in json.dumps(paths["/api/sessions"]["post"]["responses"]["403"])
    assert "CrossSiteRequest" not in json.dumps(paths["/api/me"]["get"]["responses"]["403"])
