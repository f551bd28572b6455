"""Only CloudFront may call the portal, and the client is the viewer CloudFront saw
(issue 13, finding 6): the regional API Gateway endpoint is public, around CloudFront."""

import json
from types import SimpleNamespace

import boto3
import pytest

from chalicelib import wiring
from chalicelib.api import origin
from chalicelib.api.auth import client_of
from tests.api.conftest import LISTED, portal  # noqa: F401

SECRET = "s3cr3t-Only-CloudFront-knows-it-0123456789abcdefghijklmnopqrstuv"
FROM_CLOUDFRONT = {"X-Origin-Verify": SECRET}


@pytest.fixture
def behind_cloudfront(portal, monkeypatch):  # noqa: F811
    """The stage as deployed: the secret in Secrets Manager, its name in the environment."""
    boto3.client("secretsmanager", region_name="eu-west-3").create_secret(
        Name="espace-electeur-test-origin-verify", SecretString=SECRET
    )
    monkeypatch.setenv("ORIGIN_SECRET_ID", "espace-electeur-test-origin-verify")
    wiring.origin_secret.cache_clear()
    yield portal
    wiring.origin_secret.cache_clear()


@pytest.fixture(autouse=True)
def no_cached_secret():
    wiring.origin_secret.cache_clear()
    yield
    wiring.origin_secret.cache_clear()


def refused(response) -> bool:
    error = response.json_body["error"]
    return response.status_code == 403 and error["code"] == "origin_not_verified" and "adresse" in error["message"]


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/me", "/", "/connexion", "/static/v1/app.css", "/api/ballots/CSA-MEN/electoral-list"]
)
def test_around_cloudfront_every_path_is_refused(behind_cloudfront, path):
    http = behind_cloudfront.client.http
    assert refused(http.get(path))
    assert refused(http.get(path, headers={"X-Origin-Verify": SECRET[:-1] + "w"}))  # same length, one byte off
    assert refused(http.get(path, headers={"X-Origin-Verify": ""}))


def test_around_cloudfront_nothing_is_done(behind_cloudfront):
    answer = behind_cloudfront.post("/api/registrations", {"email": LISTED})
    assert refused(answer)
    assert behind_cloudfront.run_worker() == 0  # no email was requested


def test_through_cloudfront_the_portal_answers(behind_cloudfront):
    http = behind_cloudfront.client.http
    assert http.get("/api/health", headers=FROM_CLOUDFRONT).status_code == 200
    assert http.get("/connexion", headers=FROM_CLOUDFRONT).status_code == 200
    answer = behind_cloudfront.post("/api/registrations", {"email": LISTED}, headers=FROM_CLOUDFRONT)
    assert answer.status_code == 202


def test_without_the_setting_nothing_is_checked(portal):  # noqa: F811  (the local stack, tests)
    assert portal.client.http.get("/api/health").status_code == 200


def claim(portal, viewer):  # noqa: F811
    claim.count = getattr(claim, "count", 0) + 1
    body = {
        "last_name": "Martin",
        "first_name": "Yves",
        "email": f"yves.martin{claim.count}@ac-poitiers.fr",
        "workplace": "Collège Rabelais",
        "message": "Je ne trouve pas mon nom sur la liste.",
    }
    headers = {**FROM_CLOUDFRONT, "CloudFront-Viewer-Address": viewer}
    return portal.post("/api/public-claims", body, headers=headers)


def test_one_viewer_spending_its_limit_does_not_block_the_others_behind_the_same_edge(behind_cloudfront):
    # Every request comes from the same CloudFront server (one sourceIp); the viewers differ.
    statuses = [claim(behind_cloudfront, "203.0.113.7:40001").status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert claim(behind_cloudfront, "198.51.100.20:51515").status_code == 202
    # One IPv6 subscriber is one client, whatever the address it takes in its /64.
    for number in range(5):
        assert claim(behind_cloudfront, f"2001:db8:1:2::{number + 1}:443").status_code == 202
    assert claim(behind_cloudfront, "2001:db8:1:2:ffff::9:443").status_code == 429


def request(headers: dict, source_ip: str = "130.176.0.1"):
    return SimpleNamespace(
        headers={k.lower(): v for k, v in headers.items()}, context={"identity": {"sourceIp": source_ip}}
    )


def test_the_client_is_cloudfronts_viewer_only_behind_cloudfront(monkeypatch):
    viewer = {"CloudFront-Viewer-Address": "203.0.113.7:46532"}
    monkeypatch.setattr(wiring, "origin_secret", lambda: None)  # local stack: the header is anyone's
    assert client_of(request(viewer, "127.0.0.1")) == "127.0.0.1"
    monkeypatch.setattr(wiring, "origin_secret", lambda: SECRET)
    assert client_of(request(viewer)) == "203.0.113.7"
    assert client_of(request({"CloudFront-Viewer-Address": "2001:db8::7:443"})) == "2001:db8::/64"
    assert client_of(request({"CloudFront-Viewer-Address": "::ffff:203.0.113.9:443"})) == "203.0.113.9"
    assert client_of(request({"CloudFront-Viewer-Address": "pas une adresse"})) == "130.176.0.1"
    assert client_of(request({})) == "130.176.0.1"


def test_the_secret_is_compared_in_constant_time(monkeypatch):
    compared = []
    real = origin.hmac.compare_digest
    monkeypatch.setattr(origin.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    monkeypatch.setattr(wiring, "origin_secret", lambda: SECRET)
    origin.check_origin(request(FROM_CLOUDFRONT))
    assert compared == [(SECRET.encode(), SECRET.encode())]
    with pytest.raises(origin.OriginNotVerified):
        origin.check_origin(request({"X-Origin-Verify": "é" * 3}))


def test_the_403_says_nothing_of_the_secret(behind_cloudfront):
    answer = behind_cloudfront.client.http.get("/api/health", headers={"X-Origin-Verify": "guess"})
    assert SECRET not in answer.body.decode() and "guess" not in answer.body.decode()
    assert json.loads(answer.body)["error"]["code"] == "origin_not_verified"
