"""The sealed elections over HTTP: the list, and election.json and trustees.json byte for
byte, cacheable for good; nothing before the seal, nothing else."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from chalice.test import Client

from app import app
from chalicelib.api.middleware import SECURITY_HEADERS
from chalicelib.store import bureaus
from chalicelib.store.bureaus import DEFINITION, SEALED_ELECTIONS, BureauItem, file_part
from tests.conftest import NOW

# Not ASCII, not compact, a final newline: anything re-encoding or re-serialising shows.
ELECTION = '{"v":1, "uuid":"%s", "scrutins":[{"id":"CSA-MEN","label":"Comité social d\'administration — é"}]}\n'
TRUSTEES = '{"v":1,\n "groups":[{"name":"adm","members":[{"name":"Présidente Éloïse"}]}]}\n'
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def client(aws, chalice_project):
    with Client(app, **chalice_project) as client:
        yield client


def seed(state: str, name: str = "Bureau de vote électronique — CSA") -> str:
    """A bureau in `state`, with both files; sealed, with its entry in "sealed-elections"."""
    election_id = str(uuid.uuid4())
    election = (ELECTION % election_id).encode()
    BureauItem(election_id, DEFINITION, name=name, ballot_ids=["CSA-MEN"], state=state, attempt=1).save()
    for file, body in (("election.json", election.decode()), ("trustees.json", TRUSTEES)):
        BureauItem(election_id, file_part(file), body=body, received_at=NOW).save()
    if state == bureaus.SEALED:
        BureauItem(
            SEALED_ELECTIONS,
            election_id,
            name=name,
            scrutins=[{"id": "CSA-MEN", "label": "Comité social d'administration — é"}],
            phi=hashlib.sha256(election).hexdigest(),
            sealed_at=NOW,
        ).save()
    return election_id


def assert_not_found(response):
    assert response.status_code == 404, response.body
    assert response.json_body["error"]["code"] == "election_not_found"
    assert "scellée" in response.json_body["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"  # a 404 before the seal is not kept


def test_a_sealed_elections_files_are_its_exact_bytes_cacheable_for_good(client):
    election_id = seed(bureaus.SEALED)
    for name, expected in (("election.json", (ELECTION % election_id).encode()), ("trustees.json", TRUSTEES.encode())):
        response = client.http.get(f"/api/elections/{election_id}/{name}")
        assert response.status_code == 200
        assert response.body == expected  # byte for byte: "é" in UTF-8, spacing, the final newline
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["ETag"] == f'"{hashlib.sha256(expected).hexdigest()}"'
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value


def test_the_election_json_etag_is_the_fingerprint_the_list_gives(client):
    election_id = seed(bureaus.SEALED)
    [listed] = client.http.get("/api/elections").json_body["elections"]
    etag = client.http.get(f"/api/elections/{election_id}/election.json").headers["ETag"]
    assert etag == f'"{listed["fingerprint"]}"'


@pytest.mark.parametrize("name", ["election.json", "trustees.json"])
def test_if_none_match_with_the_etag_is_a_304_without_a_body(client, name):
    path = f"/api/elections/{seed(bureaus.SEALED)}/{name}"
    etag = client.http.get(path).headers["ETag"]
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.http.get(path, headers={"If-None-Match": sent})
        assert (response.status_code, response.body) == (304, b""), sent
        assert response.headers["ETag"] == etag and response.headers["Cache-Control"] == IMMUTABLE
    assert client.http.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_answers_gets_headers_without_a_body(client):
    path = f"/api/elections/{seed(bureaus.SEALED)}/trustees.json"
    get, head = client.http.get(path), client.http.request("HEAD", path)
    assert (head.status_code, head.body) == (200, b"") and get.body
    for name in ("Content-Type", "Cache-Control", "ETag", "Content-Security-Policy", "X-Content-Type-Options"):
        assert head.headers[name] == get.headers[name]
    missing = client.http.request("HEAD", f"/api/elections/{uuid.uuid4()}/trustees.json")
    assert (missing.status_code, missing.body) == (404, b"")


@pytest.mark.parametrize("state", [bureaus.CEREMONY, bureaus.KEYS_READY])
def test_nothing_is_public_before_the_seal(client, state):
    """keys_ready: the files exist and the bureau is keyed, but it is not sealed."""
    election_id = seed(state)
    for name in ("election.json", "trustees.json"):
        assert_not_found(client.http.get(f"/api/elections/{election_id}/{name}"))
    assert client.http.get("/api/elections").json_body == {"elections": []}


def test_an_unknown_election_is_not_found(client):
    seed(bureaus.SEALED)
    assert_not_found(client.http.get(f"/api/elections/{uuid.uuid4()}/election.json"))


@pytest.mark.parametrize(
    "election_id",
    ["nope", "sealed-elections", "a" * 3000, "é" * 700, str(uuid.uuid4()).upper(), f"{uuid.uuid4()}%0A"],
)
def test_an_id_no_election_may_have_is_not_found_without_a_lookup(client, monkeypatch, election_id):
    """DynamoDB refuses a key over 2,048 bytes (a ValidationException moto does not raise): a
    500 in AWS if it were looked up."""
    monkeypatch.setattr(bureaus, "sealed_election", lambda _: pytest.fail("looked up"))
    assert_not_found(client.http.get(f"/api/elections/{election_id}/election.json"))


@pytest.mark.parametrize("name", ["seal-open.json", "seal-manifest.json", "definition", "election.json.bak", "x"])
def test_only_the_two_public_files_are_served(client, name):
    election_id = seed(bureaus.SEALED)
    bureaus.put_file(election_id, "seal-open.json", b"{}", NOW)
    assert_not_found(client.http.get(f"/api/elections/{election_id}/{name}"))


def test_an_election_json_that_is_not_the_sealed_one_is_never_served(client):
    election_id = seed(bureaus.SEALED)
    bureaus.put_file(election_id, "election.json", b'{"v":1}\n', NOW)  # cannot happen through the tools
    response = client.http.get(f"/api/elections/{election_id}/election.json")
    assert response.status_code == 500 and response.json_body["error"]["code"] == "internal_error"


def test_the_list_gives_each_sealed_election_by_name(client):
    sealed = seed(bureaus.SEALED, name="Bureau B")
    first = seed(bureaus.SEALED, name="Bureau A")
    seed(bureaus.KEYS_READY, name="Bureau C")
    response = client.http.get("/api/elections")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    listed = response.json_body["elections"]
    assert [e["id"] for e in listed] == [first, sealed]
    phi = hashlib.sha256((ELECTION % sealed).encode()).hexdigest()
    assert listed[1] == {
        "id": sealed,
        "name": "Bureau B",
        "scrutins": [{"id": "CSA-MEN", "label": "Comité social d'administration — é"}],
        "fingerprint": phi,
        "sealed_at": "2026-11-29T10:00:00+01:00",
    }
    assert json.loads(client.http.get(f"/api/elections/{sealed}/election.json").body)["uuid"] == sealed


def test_round_trips(client, monkeypatch):
    """A file: the index entry, then the file (2 GetItems); unknown: 1; malformed: 0. The list: 1 Query."""
    from tests.infra.test_aws_stack import recorded_calls

    election_id = seed(bureaus.SEALED)
    for path, expected in [
        (f"/api/elections/{election_id}/election.json", ["GetItem", "GetItem"]),
        (f"/api/elections/{uuid.uuid4()}/election.json", ["GetItem"]),
        ("/api/elections/nope/election.json", []),
        (f"/api/elections/{election_id}/nope.json", []),
        ("/api/elections", ["Query"]),
    ]:
        calls = []
        with recorded_calls(calls):
            client.http.get(path)
        assert [operation for _, operation, _ in calls] == expected, path
        if expected == ["GetItem", "GetItem"]:  # the file as last written: never an earlier election.json
            assert [params.get("ConsistentRead", False) for _, _, params in calls] == [False, True]
