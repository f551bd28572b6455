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


class InvalidJson(PortalError):
    code = "invalid_json"


class InvalidRequest(PortalError):
    """A field is missing or of the wrong type; `field` names it."""

    code = "invalid_request"

    def __init__(self, field: str, expected: str = "text"):
        super().__init__(field=field, expected=expected)

    def public_details(self) -> dict:
        return {"field": self.details["field"]}
