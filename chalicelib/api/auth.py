"""The session cookie and the signed-in voter, for every blueprint that needs them."""

from __future__ import annotations

from chalicelib import clock, wiring
from chalicelib.api.origin import client_of as client_of  # the API's one notion of the client
from chalicelib.services import sessions

# The __Host- prefix: a browser stores this cookie only if it is Secure, has Path=/ and no
# Domain, so no sibling site of the portal's domain can set one that our requests would carry.
# The same name in every stage: Chromium and Firefox treat http://127.0.0.1 and
# http://localhost as secure origins, so the local stack (plain HTTP) keeps working
# (tests/e2e signs in through it).
COOKIE = "__Host-session"


def cookie_header(value: str, max_age: int) -> str:
    return f"{COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}"


def _cookie_headers(request) -> list[str]:
    """Every Cookie header of the request. API Gateway keeps only the last one in `headers`
    and all of them in `multiValueHeaders` (an HTTP/2 client may split its cookies)."""
    event = request.to_original_event() or {}
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name.lower() == "cookie" and values:
            return [value for value in values if value]
    raw = request.headers.get("cookie")
    return [raw] if raw else []


def cookie_values(headers: list[str], name: str) -> list[str]:
    """The values of every cookie called `name`, read pair by pair: a malformed pair (no "=",
    stray quotes, characters Python's SimpleCookie refuses) is skipped, not fatal to the others."""
    values = []
    for header in headers:
        for pair in header.split(";"):
            key, equals, value = pair.partition("=")
            if not equals or key.strip() != name:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values.append(value)
    return values


def session_id(request) -> str | None:
    """The session cookie's value; None when there is none, or more than one: the browser never
    sends two __Host- cookies of one name for one host, so two are a forgery or a mix-up, and
    the request is not signed in rather than signed in as whichever came first."""
    values = cookie_values(_cookie_headers(request), COOKIE)
    return values[0] if len(values) == 1 else None


def signed_in(request) -> sessions.Authenticated:
    """The signed-in voter, or NotAuthenticated (401)."""
    return sessions.authenticate(session_id(request), now=clock.utc_now(), policy=wiring.session_policy())
