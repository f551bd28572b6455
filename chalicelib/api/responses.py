"""JSON responses and the mapping of errors to them, in one place.

Every error the API answers is `{"error": {"code", "message", ...}}`: a stable code for
programs and a French message for people. An unexpected exception becomes a 500 carrying a
request id, which is also in the log line with the stack trace; nothing internal leaks.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid

from chalice import Blueprint, Response

from chalicelib.domain import messages
from chalicelib.domain.errors import PortalError

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
            return json_response(error.body(), error.status, error.headers())
        except Exception:
            request_id = request_id_of(app)
            log.exception(json.dumps({"event": "unhandled_exception", "request_id": request_id, "path": getattr(app.current_request, "path", None)}))
            return error_response("internal_error", 500, request_id=request_id)

    return wrapped


class ApiBlueprint(Blueprint):
    """A blueprint whose routes all answer errors the portal's way."""

    def route(self, path: str, **kwargs):
        register = super().route(path, **kwargs)

        def decorator(view):
            register(handle_errors(self, view))
            return view

        return decorator
