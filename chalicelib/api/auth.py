"""The session cookie and the signed-in voter, for every blueprint that needs them."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from chalicelib import clock, wiring
from chalicelib.services import sessions

COOKIE = "session"


def cookie_header(value: str, max_age: int) -> str:
    return f"{COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}"


def session_id(request) -> str | None:
    raw = request.headers.get("cookie")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def client_of(request) -> str:
    return (request.context.get("identity") or {}).get("sourceIp") or "unknown"


def signed_in(request) -> sessions.Authenticated:
    """The signed-in voter, or NotAuthenticated (401)."""
    return sessions.authenticate(session_id(request), now=clock.utc_now(), policy=wiring.session_policy())
