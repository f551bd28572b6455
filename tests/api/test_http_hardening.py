"""HTTP-level attacks on the API (issue 13, finding 10): forged cross-site requests, bodies that
are not declared as JSON, bodies built to crash the parser, a session deleted while it is
refreshed, and HEAD on the pages."""

from __future__ import annotations

import json

import pytest

from chalicelib.api.auth import COOKIE
from chalicelib.services import sessions as session_service
from chalicelib.store import sessions as session_store
from tests.api.conftest import LISTED

PORTAL = "https://portail.test"  # PORTAL_URL in tests/conftest.py
STATE_CHANGING = [
    ("post", "/api/registrations", {"email": LISTED}),
    ("post", "/api/password-resets", {"email": LISTED}),
    ("post", "/api/sessions", {"email": LISTED, "password": "x"}),
    ("post", "/api/passwords", {"token": "t" * 43, "password": "p", "password_confirmation": "p"}),
    ("post", "/api/public-claims", {"email": LISTED}),
    ("put", "/api/me/password", {"current_password": "a", "password": "b", "password_confirmation": "b"}),
    ("delete", "/api/sessions/current", None),
    ("delete", "/api/sessions", None),
]


def send(portal, method, path, body, headers):
    data = json.dumps(body).encode() if body is not None else b""
    base = {"Content-Type": "application/json"} if body is not None else {}
    return getattr(portal.client.http, method)(path, body=data, headers={**base, **headers})


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.body
    error = response.json_body["error"]
    assert error["code"] == code and error["message"]


def queued(portal) -> int:
    return portal.run_worker()


# 1. Cross-site request forgery


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attaquant.example"},
        {"Origin": "https://autre.portail.test"},  # a sibling site: same-site, so SameSite lets the cookie go
        {"Origin": "http://portail.test"},  # another scheme is another origin
        {"Origin": "https://portail.test:8443"},
        {"Origin": "null"},  # a sandboxed frame, a data: page
        {"Sec-Fetch-Site": "cross-site"},  # a browser that left Origin out
        {"Sec-Fetch-Site": "same-site"},
    ],
)
@pytest.mark.parametrize(("method", "path", "body"), STATE_CHANGING)
def test_a_state_changing_request_from_another_site_is_refused(portal, method, path, body, headers):
    response = send(portal, method, path, body, headers)
    assert_error(response, 403, "cross_site_request")


def test_a_forged_request_does_nothing_even_with_the_session_cookie(portal):
    portal.register_and_activate()
    assert portal.sign_in().status_code == 200
    cookie = {"Cookie": f"{COOKIE}={portal.cookies['session']}"}
    evil = {"Origin": "https://autre.portail.test", **cookie}
    assert_error(send(portal, "delete", "/api/sessions", None, evil), 403, "cross_site_request")
    assert_error(send(portal, "post", "/api/password-resets", {"email": LISTED}, evil), 403, "cross_site_request")
    assert queued(portal) == 0  # no email asked for in the voter's name
    assert portal.authed("get", "/api/me").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": PORTAL},  # the portal's own pages: fetch sends Origin
        {"Origin": "HTTPS://PORTAIL.TEST"},
        {"Origin": PORTAL, "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin"},
        {},  # not a browser: curl, a monitor
    ],
)
def test_the_portal_itself_and_non_browser_clients_pass(portal, headers):
    response = send(portal, "post", "/api/registrations", {"email": LISTED}, headers)
    assert response.status_code == 202, response.body


def test_reads_need_no_origin(portal):
    assert (
        portal.client.http.get("/api/password-policy", headers={"Origin": "https://attaquant.example"}).status_code
        == 200
    )


def test_the_origin_is_checked_before_the_body_is_read(portal):
    response = portal.client.http.post(
        "/api/registrations",
        body=b"[" * 100_000,
        headers={"Origin": "https://attaquant.example", "Content-Type": "text/plain"},
    )
    assert_error(response, 403, "cross_site_request")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",  # a CORS "simple request": no preflight
        "text/plain; application/json",  # also simple; Chalice alone took it for JSON
        "text/plain;charset=utf-8, application/json",
        "text/plain; x=*/*",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonp",
        "",
        None,  # a Blob body: no Content-Type at all
    ],
)
def test_a_body_not_declared_exactly_as_json_is_415(portal, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = portal.client.http.post(
        "/api/registrations", body=json.dumps({"email": LISTED}).encode(), headers=headers
    )
    assert_error(response, 415, "unsupported_media_type")
    assert queued(portal) == 0


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON;Charset=UTF-8"]
)
def test_json_with_or_without_the_utf8_charset_passes(portal, content_type):
    response = portal.post("/api/registrations", {"email": LISTED}, content_type=content_type)
    assert response.status_code == 202, response.body


# 2. Bodies built to crash the parser

HOSTILE_BODIES = {
    "100,000-deep array": b"[" * 100_000 + b"]" * 100_000,
    "100,000-deep object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep inside a field": b'{"email": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    "5,000-digit integer": b'{"email": ' + b"9" * 5_000 + b"}",
    "negative 5,000-digit integer": b'{"email": -' + b"9" * 5_000 + b"}",
    "float out of range": b'{"email": 1e999999}',
    "NaN": b'{"email": NaN}',
    "too large": b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}',
}
PARSED_ENDPOINTS = ["/api/registrations", "/api/sessions", "/api/passwords", "/api/public-claims", "/api/token-checks"]


@pytest.mark.parametrize("path", PARSED_ENDPOINTS)
@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_a_hostile_body_is_invalid_json_not_a_crash(portal, path, name):
    response = portal.client.http.post(path, body=HOSTILE_BODIES[name], headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


def test_a_hostile_body_on_a_signed_in_endpoint_is_invalid_json(portal):
    portal.register_and_activate()
    portal.sign_in()
    cookie = {"Cookie": f"{COOKIE}={portal.cookies['session']}", "Content-Type": "application/json"}
    for body in (HOSTILE_BODIES["100,000-deep array"], HOSTILE_BODIES["5,000-digit integer"]):
        assert_error(portal.client.http.put("/api/me/password", body=body, headers=cookie), 400, "invalid_json")
        assert_error(
            portal.client.http.post("/api/ballots/CSA-MEN/claims", body=body, headers=cookie), 400, "invalid_json"
        )


def test_a_long_claim_message_still_fits(portal):
    portal.register_and_activate()
    portal.sign_in()
    response = portal.authed(
        "post", "/api/ballots/CSA-MEN/claims", {"message": "\N{GRINNING FACE}" * 100_000}
    )  # \ud83d\ude00 each
    assert response.status_code != 400, response.body  # read; what the claim rules say is another matter


# 3. A session deleted while it is refreshed


def test_a_session_deleted_between_its_read_and_its_refresh_is_signed_out_not_a_500(portal, monkeypatch):
    portal.register_and_activate()
    portal.sign_in()
    portal.clock.advance(minutes=10)  # last-seen is due for a refresh
    read = session_store.find_session

    def read_then_sign_out_elsewhere(session_hash):
        found = read(session_hash)
        session_store.delete_session(session_hash)  # "sign out everywhere" from another tab, now
        return found

    monkeypatch.setattr(session_store, "find_session", read_then_sign_out_elsewhere)
    response = portal.authed("get", "/api/me")
    assert_error(response, 401, "not_authenticated")
    monkeypatch.setattr(session_store, "find_session", read)
    assert session_store.find_session(session_service.hash_secret(portal.cookies["session"])) is None  # not recreated


# 5. HEAD


@pytest.mark.parametrize("path", ["/", "/connexion", "/nulle-part"])
def test_head_on_a_page_answers_like_get_without_a_body(portal, path):
    get = portal.client.http.get(path)
    head = portal.client.http.request("HEAD", path)
    assert head.status_code == get.status_code
    assert head.body == b""
    for name in (
        "Content-Type",
        "Cache-Control",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert head.headers[name] == get.headers[name]


def test_head_on_an_asset_answers_like_get_without_a_body(portal):
    from chalicelib.web import site

    for path in (f"/static/{site.version()}/js/api.js", f"/static/{site.version()}/dsfr/fonts/Marianne-Regular.woff2"):
        get = portal.client.http.get(path, headers={"Accept": "*/*"})
        head = portal.client.http.request("HEAD", path, headers={"Accept": "*/*"})
        assert (head.status_code, head.body) == (200, b"") and get.body
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
        assert head.headers["Cache-Control"] == get.headers["Cache-Control"]


def test_head_on_the_api_is_405_in_our_shape_without_a_body(portal):
    get = portal.client.http.post("/api/health", body=b"{}", headers={"Content-Type": "application/json"})
    head = portal.client.http.request("HEAD", "/api/health")
    assert_error(get, 405, "method_not_allowed")
    assert head.status_code == 405 and head.body == b""
    for name in ("Allow", "Content-Type", "Content-Security-Policy"):
        assert head.headers[name] == get.headers[name]
    assert get.headers["Allow"] == "GET"
