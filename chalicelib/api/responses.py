"""JSON responses and the mapping of errors to them, in one place.

Every error the API answers is `{"error": {"code", "message", ...}}`: a stable code for
programs and a French message for people. DynamoDB still throttled or unreachable after
botocore's retries becomes a 503 `service_busy` (nothing was written: try again); any other
unexpected exception a 500. Every 5xx carries a request id, which is also in the log line;
nothing internal leaks.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid

from chalice import Blueprint, Response

from chalicelib.domain import messages
from chalicelib.domain.errors import PortalError, ServiceBusy
from chalicelib.store.base import is_transient

log = logging.getLogger("espace_electeur.api")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(code: str, status: int, request_id: str | None = None, **details) -> Response:
    message_details = dict(details)
    if request_id:
        message_details["request_id"] = request_id
    error = {"code": code, "message": messages.for_code(code, **message_details), **details}
    if request_id:
        error["request_id"] = request_id
    return json_response({"error": error}, status)


def request_id_of(app) -> str:
    """API Gateway's request id when there is one (it is in AWS's own logs too)."""
    context = getattr(app.current_request, "context", None) or {}
    return context.get("requestId") or getattr(app.lambda_context, "aws_request_id", None) or str(uuid.uuid4())


def handle_errors(app, view):
    """Wrap a view so domain errors become their JSON answer and anything else a safe 500."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except PortalError as error:
            return _portal_error_response(app, error)
        except Exception as error:
            request_id = request_id_of(app)
            if is_transient(error):
                log.warning(json.dumps({"event": "dependency_busy", "request_id": request_id,
                                        "error": type(error).__name__, "path": getattr(app.current_request, "path", None)}))
                return _portal_error_response(app, ServiceBusy(), request_id)
            log.exception(json.dumps({"event": "unhandled_exception", "request_id": request_id, "path": getattr(app.current_request, "path", None)}))
            return error_response("internal_error", 500, request_id=request_id)

    return wrapped


def _portal_error_response(app, error: PortalError, request_id: str | None = None) -> Response:
    body = error.body()
    if error.status >= 500:  # the reference to give the help desk
        body["error"]["request_id"] = request_id or request_id_of(app)
    return json_response(body, error.status, error.headers())


class ApiBlueprint(Blueprint):
    """A blueprint whose routes all answer errors the portal's way."""

    def route(self, path: str, **kwargs):
        register = super().route(path, **kwargs)

        def decorator(view):
            register(handle_errors(self, view))
            return view

        return decorator
