"""Reading the sealed elections and their files stays within the API function's policy."""

from __future__ import annotations

from chalicelib.store import bureaus
from tests.api.test_elections import seed
from tests.infra.test_aws_stack import _grants, _needed, recorded_calls


def test_the_public_election_files_stay_within_the_api_functions_policy(portal):
    sealed, keyed = seed(bureaus.SEALED), seed(bureaus.KEYS_READY)
    calls = []
    with recorded_calls(calls):
        statuses = [
            portal.client.http.get("/api/elections").status_code,
            portal.client.http.get(f"/api/elections/{sealed}/election.json").status_code,
            portal.client.http.request("HEAD", f"/api/elections/{sealed}/trustees.json").status_code,
            portal.client.http.get(f"/api/elections/{keyed}/election.json").status_code,
        ]
    assert statuses == [200, 200, 200, 404]
    assert _needed(calls) == {("dynamodb", "Query", "test-bureaus"), ("dynamodb", "GetItem", "test-bureaus")}
    assert _needed(calls) - _grants("api_handler") == set()
