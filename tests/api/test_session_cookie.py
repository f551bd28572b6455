"""The session cookie as browsers really send it: other sites' cookies, malformed ones, and a
second session cookie planted by a sibling domain (issue 13, finding 8)."""

from types import SimpleNamespace

import pytest

from chalicelib.api import auth
from chalicelib.api.auth import COOKIE

# Cookies other software leaves on a government domain, none of them valid for SimpleCookie.
MALFORMED = ['prefs={"theme":"dark","size":2}', "tracker=a b c", "orphan", '"quoted', "x=[1,2]", "=novalue", "a\\b=c"]


def me(portal, cookie_header):
    return portal.client.http.get("/api/me", headers={"Cookie": cookie_header})


@pytest.fixture
def session(portal):
    portal.register_and_activate()
    assert portal.sign_in().status_code == 200
    return portal.cookies["session"]


def test_the_cookie_is_host_only_and_secure(portal):
    portal.register_and_activate()
    header = portal.sign_in().headers["Set-Cookie"]
    name, attributes = header.split("=", 1)[0], [a.strip() for a in header.split(";")[1:]]
    assert name == "__Host-session"
    assert "Secure" in attributes and "Path=/" in attributes and "HttpOnly" in attributes
    assert not any(a.lower().startswith("domain") for a in attributes)


@pytest.mark.parametrize("other", MALFORMED)
def test_an_unrelated_malformed_cookie_does_not_hide_the_session(portal, session, other):
    assert me(portal, f"{other}; {COOKIE}={session}; lang=fr").status_code == 200
    assert me(portal, f"{COOKIE}={session}; {other}").status_code == 200


@pytest.mark.parametrize("order", ["planted first", "planted last"])
def test_two_session_cookies_are_refused_whichever_comes_first(portal, session, order):
    planted = "cookie-of-the-attackers-own-session"
    pair = [f"{COOKIE}={planted}", f"{COOKIE}={session}"]
    header = "; ".join(pair if order == "planted first" else reversed(pair))
    answer = me(portal, header)
    assert answer.status_code == 401 and answer.json_body["error"]["code"] == "not_authenticated"
    assert me(portal, f"{COOKIE}={session}").status_code == 200  # alone, it still works


def test_a_cookie_without_the_prefix_is_not_the_session(portal, session):
    # What a sibling domain can set (Domain=.example.gouv.fr): a plain "session" cookie.
    assert me(portal, f"session={session}").status_code == 401


def request_with(headers: dict, multi: dict | None = None):
    event = {"headers": headers, **({"multiValueHeaders": multi} if multi is not None else {})}
    return SimpleNamespace(headers={k.lower(): v for k, v in headers.items()}, to_original_event=lambda: event)


def test_every_cookie_header_api_gateway_received_is_read():
    # API Gateway keeps the last of several Cookie headers in `headers`, all in `multiValueHeaders`.
    split = request_with({"Cookie": "lang=fr"}, {"Cookie": [f"{COOKIE}=abc", "lang=fr"]})
    assert auth.session_id(split) == "abc"
    doubled = request_with({"Cookie": f"{COOKIE}=b"}, {"cookie": [f"{COOKIE}=a", f"{COOKIE}=b"]})
    assert auth.session_id(doubled) is None
    assert auth.session_id(request_with({"Cookie": f' {COOKIE} = "abc" '})) == "abc"
    assert auth.session_id(request_with({})) is None
