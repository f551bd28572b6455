"""Cross-cutting HTTP behaviour: one structured log line per request, and the errors that
Chalice answers before our views run (wrong method, wrong content type) put in our shape.

The log line holds the request id, method, route, status and latency: never the body,
the query string or any header, so no password, token or session id can reach the logs.
"""

from __future__ import annotations

import json
import logging
import time

from chalicelib.api.responses import error_response, request_id_of

log = logging.getLogger("espace_electeur.requests")

CHALICE_ERRORS = {405: "method_not_allowed", 415: "unsupported_media_type"}


def register(app) -> None:
    @app.middleware("http")
    def log_and_shape(event, get_response):
        started = time.perf_counter()
        response = get_response(event)
        code = CHALICE_ERRORS.get(response.status_code)
        if code and isinstance(response.body, dict) and "Code" in response.body:
            response = error_response(code, response.status_code)
        log.info(
            json.dumps(
                {
                    "event": "request",
                    "request_id": request_id_of(app),
                    "method": event.method,
                    "route": event.context.get("resourcePath"),
                    "status": response.status_code,
                    "latency_ms": round(1000 * (time.perf_counter() - started), 1),
                }
            )
        )
        return response
