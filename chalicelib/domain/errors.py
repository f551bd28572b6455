"""Errors that cross the service boundary, each with a stable code.

Programs rely on the code; people read the French message, looked up by code in
`chalicelib.domain.messages`, so every sentence a voter may read stays in one place.
"""

from __future__ import annotations

from chalicelib.domain import messages


class PortalError(Exception):
    """A refusal the caller can act on. Subclasses fix the code and the HTTP status."""

    code = "error"
    status = 400

    def __init__(self, **details):
        self.details = details
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return messages.for_code(self.code, **self.details)

    def body(self) -> dict:
        """What the API answers: the code, the French message and safe details."""
        error = {"code": self.code, "message": self.message}
        error.update(self.public_details())
        return {"error": error}

    def public_details(self) -> dict:
        return {}

    def headers(self) -> dict:
        return {}


class InvalidJson(PortalError):
    code = "invalid_json"


class InvalidRequest(PortalError):
    """A field is missing or of the wrong type; `field` names it."""

    code = "invalid_request"

    def __init__(self, field: str):
        super().__init__(field=field)

    def public_details(self) -> dict:
        return {"field": self.details["field"]}


class InvalidEmail(PortalError):
    code = "invalid_email"


class PasswordPolicyError(PortalError):
    """The password breaks one or more rules; every broken rule is listed."""

    code = "password_policy"

    def __init__(self, violations: list[str]):
        super().__init__()
        self.violations = violations

    def public_details(self) -> dict:
        return {"violations": self.violations}


class LinkError(PortalError):
    status = 410


class TokenInvalid(LinkError):
    code = "token_invalid"


class TokenExpired(LinkError):
    code = "token_expired"


class TokenUsed(LinkError):
    code = "token_used"


LINK_ERRORS = {cls.code: cls for cls in (TokenInvalid, TokenExpired, TokenUsed)}


class InvalidCredentials(PortalError):
    """Unknown address, wrong password or account not active: one answer for all three."""

    code = "invalid_credentials"
    status = 401


class NotAuthenticated(PortalError):
    code = "not_authenticated"
    status = 401


class RetryLater(PortalError):
    """429: the answer says how many seconds to wait, in the body and in Retry-After."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)

    def public_details(self) -> dict:
        return {"retry_after": self.details["retry_after"]}

    def headers(self) -> dict:
        return {"Retry-After": str(self.details["retry_after"])}


class TooManyAttempts(RetryLater):
    """Sign-in failures: this client, or this address overall, must wait."""

    code = "too_many_attempts"


class ServiceBusy(PortalError):
    """A dependency failed after our retries; nothing was changed, trying again will work."""

    code = "service_busy"
    status = 503

    def headers(self) -> dict:
        return {"Retry-After": "30"}


class BallotNotFound(PortalError):
    code = "ballot_not_found"
    status = 404


class NotOnList(PortalError):
    code = "not_on_list"
    status = 403


class ListsNotPublished(PortalError):
    code = "lists_not_published"
    status = 403


class ClaimsClosed(PortalError):
    code = "claims_closed"
    status = 403


class InvalidCursor(PortalError):
    code = "invalid_cursor"


class InvalidMessage(PortalError):
    """A claim's message is empty or too long; the bounds are given."""

    code = "invalid_message"

    def __init__(self, minimum: int, maximum: int):
        super().__init__(minimum=minimum, maximum=maximum)

    def public_details(self) -> dict:
        return {"field": "message", "minimum": self.details["minimum"], "maximum": self.details["maximum"]}


class TooManyRequests(RetryLater):
    """Too many list pages or reports in an hour."""

    code = "too_many_requests"
