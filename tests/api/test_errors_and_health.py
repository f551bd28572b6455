"""The API's error contract, on the real app and on a small app built from the same parts."""

import json
import logging

import pytest
from chalice import Chalice
from chalice.test import Client

from app import app as portal
from chalicelib.api import middleware
from chalicelib.api.requests import json_object, text_field
from chalicelib.api.responses import ApiBlueprint, json_response


def probe_blueprint() -> ApiBlueprint:
    # A new blueprint per app: Chalice consumes a route's options when it registers them.
    probe = ApiBlueprint(__name__)

    @probe.route("/probe", methods=["POST"])
    def echo():
        body = json_object(probe.current_request)
        return json_response({"email": text_field(body, "email")})

    @probe.route("/explode", methods=["GET"])
    def explode():
        raise RuntimeError("table espace-electeur-prod-accounts: secret internals")

    return probe


@pytest.fixture
def client(chalice_project):
    test_app = Chalice(app_name="probe")
    middleware.register(test_app)
    test_app.register_blueprint(probe_blueprint())
    with Client(test_app, **chalice_project) as client:
        yield client


def post(client, body, content_type="application/json"):
    return client.http.post("/probe", headers={"Content-Type": content_type}, body=body)


def test_health(chalice_project):
    with Client(portal, **chalice_project) as client:
        response = client.http.get("/api/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_wrong_method_is_a_json_error_in_french(chalice_project):
    with Client(portal, **chalice_project) as client:
        response = client.http.post("/api/health", body=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 405
    assert response.json_body["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("body", [b"{", b"not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_json_is_invalid_json(client, body):
    response = post(client, body)
    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "invalid_json" and "Rechargez la page" in error["message"]


@pytest.mark.parametrize("body", [{}, {"email": 42}, {"email": None}, {"email": ["a"]}])
def test_a_missing_or_ill_typed_field_is_named(client, body):
    response = post(client, json.dumps(body).encode())
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "invalid_request"
    assert response.json_body["error"]["field"] == "email"
    assert "« email »" in response.json_body["error"]["message"]


def test_a_valid_request_passes(client):
    assert post(client, b'{"email": "a@b.fr"}').json_body == {"email": "a@b.fr"}


def test_an_unexpected_exception_is_a_500_with_a_request_id_and_no_internals(client, caplog):
    with caplog.at_level(logging.INFO, logger="espace_electeur"):
        response = client.http.get("/explode")
    assert response.status_code == 500
    error = response.json_body["error"]
    assert error["code"] == "internal_error" and error["request_id"] in error["message"]
    assert "secret" not in response.body.decode() and "Traceback" not in response.body.decode()
    logged = [r for r in caplog.records if r.name == "espace_electeur.api"]
    assert logged and error["request_id"] in logged[0].getMessage()
    assert "RuntimeError" in logged[0].exc_text  # the stack trace is in the log, not the answer


def test_each_request_is_logged_without_its_body(client, caplog):
    with caplog.at_level(logging.INFO, logger="espace_electeur"):
        post(client, b'{"email": "secret-password@b.fr"}')
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "espace_electeur.requests"]
    assert lines and lines[0]["route"] == "/probe" and lines[0]["status"] == 200 and "latency_ms" in lines[0]
    assert "secret-password" not in caplog.text
