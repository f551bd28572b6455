"""JSON responses and the mapping of errors to them, in one place.

Every error the API answers is `{"error": {"code", "message", ...}}`: a stable code for
programs and a French message for people. `STATUS` is the only table from error to HTTP
status, and `error_response` the only builder of an error body (Chalice's own 405 and 415
included, through the middleware). AWS still throttled or unreachable after botocore's
retries arrives here as `ServiceBusy` from the adapters (`chalicelib.transient`): a 503,
nothing written, try again. Any other unexpected exception is a 500. Every 5xx carries a
request id, which is also in the log line; nothing internal leaks.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid

from chalice import Blueprint, Response

from chalicelib.domain import errors
from chalicelib.domain.errors import PortalError
from chalicelib.logs import log_event

LOGGER = "espace_electeur.api"

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


class MethodNotAllowed(PortalError, code="method_not_allowed"):
    """Chalice's own 405: no route takes this method here."""


class UnsupportedMediaType(PortalError, code="unsupported_media_type"):
    """Chalice's own 415: the body is not declared as JSON."""


class OriginNotVerified(PortalError, code="origin_not_verified"):
    """The request did not come through CloudFront (`api/origin.py`): the regional API was
    called directly, or with a wrong X-Origin-Verify."""


class CrossSiteRequest(PortalError, code="cross_site_request"):
    """A state-changing API request that another site may have sent (`api/same_origin.py`)."""


class InternalError(PortalError, code="internal_error"):
    """Anything we did not expect: the voter gets a reference for the help desk."""


# Looked up along the error's class hierarchy: the most specific entry wins.
STATUS: dict[type[PortalError], int] = {
    PortalError: 400,
    errors.InvalidCredentials: 401,
    errors.NotAuthenticated: 401,
    errors.InvalidVoterCode: 401,
    errors.VoterCodeRequired: 401,
    errors.NotOnList: 403,
    errors.ListsNotPublished: 403,
    errors.ClaimsClosed: 403,
    errors.VotingClosed: 403,
    errors.ReissueClosed: 403,
    errors.ReissueUnavailable: 403,
    errors.ElectionNotSealed: 403,
    OriginNotVerified: 403,
    CrossSiteRequest: 403,
    errors.BallotNotFound: 404,
    errors.ElectionNotFound: 404,
    errors.RecordNotPublished: 404,
    errors.RecordFileNotFound: 404,
    MethodNotAllowed: 405,
    errors.AlreadyVoted: 409,
    errors.LinkError: 410,
    UnsupportedMediaType: 415,
    errors.RetryLater: 429,
    InternalError: 500,
    errors.ServiceBusy: 503,
}


def status_of(error: PortalError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def headers_of(error: PortalError) -> dict:
    """Retry-After says the same wait as the body and the French message."""
    if isinstance(error, errors.RetryLater):
        return {"Retry-After": str(error.details["retry_after"])}
    if isinstance(error, errors.ServiceBusy):
        return {"Retry-After": str(error.RETRY_AFTER)}
    return {}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(error: PortalError, request_id: str | None = None) -> Response:
    """The answer to `error`; a 5xx also gives the reference to quote to the help desk."""
    status = status_of(error)
    if status >= 500:
        error.details.setdefault("request_id", request_id or str(uuid.uuid4()))
    body = {"code": error.code, "message": error.message, **error.public_details()}
    if status >= 500:
        body["request_id"] = error.details["request_id"]
    return json_response({"error": body}, status, headers_of(error))


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
            if isinstance(error, errors.ServiceBusy):
                log_event(
                    "dependency_busy",
                    logger=LOGGER,
                    level=logging.WARNING,
                    request_id=request_id_of(app),
                    error=type(error.__cause__).__name__,
                    path=getattr(app.current_request, "path", None),
                )
            return error_response(error, request_id_of(app) if status_of(error) >= 500 else None)
        except Exception:
            request_id = request_id_of(app)
            log_event(
                "unhandled_exception",
                logger=LOGGER,
                level=logging.ERROR,
                exc_info=True,
                request_id=request_id,
                path=getattr(app.current_request, "path", None),
            )
            return error_response(InternalError(), request_id)

    return wrapped


class ApiBlueprint(Blueprint):
    """A blueprint whose routes all answer errors the portal's way."""

    def route(self, path: str, **kwargs):
        register = super().route(path, **kwargs)

        def decorator(view):
            register(handle_errors(self, view))
            return view

        return decorator
