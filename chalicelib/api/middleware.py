"""Cross-cutting HTTP behaviour: only CloudFront's requests served (`origin.py`), one
structured log line per request, security headers on every response, and the errors that
Chalice answers before our views run (wrong method, wrong content type) put in our shape.

The log line holds the request id, method, route, status and latency: never the body,
the query string or any header, so no password, token or session id can reach the logs.
"""

from __future__ import annotations

import time

from chalicelib.api.origin import check_origin
from chalicelib.api.responses import MethodNotAllowed, UnsupportedMediaType, error_response, request_id_of
from chalicelib.api.same_origin import check_json_body, check_same_origin
from chalicelib.domain.errors import PortalError
from chalicelib.logs import log_event

CHALICE_ERRORS = {405: MethodNotAllowed, 415: UnsupportedMediaType}

# On every response, pages and API alike. No inline script or style anywhere, so the
# policy needs no 'unsafe-inline'; data: images are the DSFR's small inline SVG shapes.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def register(app) -> None:
    @app.middleware("http")
    def log_and_shape(event, get_response):
        started = time.perf_counter()
        try:
            check_origin(event)  # before any route: around CloudFront, nothing answers but 403
            check_same_origin(event)  # then forged requests (403), from the headers alone
            check_json_body(event)  # and bodies not declared exactly as JSON (415)
        except PortalError as refused:
            response = error_response(refused, request_id_of(app))
        else:
            response = get_response(event)
        error = CHALICE_ERRORS.get(response.status_code)
        if error and isinstance(response.body, dict) and "Code" in response.body:
            allow = response.headers.get("Allow")
            response = error_response(error())
            if allow:
                response.headers["Allow"] = allow
        if event.method == "HEAD":
            # The headers GET would send, never a body (RFC 9110, 9.3.2); of the same type
            # (bytes for fonts and images), which Chalice requires.
            response.body = b"" if isinstance(response.body, bytes) else ""
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        log_event(
            "request",
            logger="espace_electeur.requests",
            request_id=request_id_of(app),
            method=event.method,
            route=event.context.get("resourcePath"),
            status=response.status_code,
            latency_ms=round(1000 * (time.perf_counter() - started), 1),
        )
        return response
