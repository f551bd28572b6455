"""Fault injection into every flow: the portal of the API tests, with AWS failing on demand."""

import json

from tests.api.conftest import portal  # noqa: F401  (the same small election on moto)


def on_table(name: str):
    """A fault condition: the call is about this table (test-<name>)."""
    wanted = f"test-{name}"

    def matches(body: bytes) -> bool:
        request = json.loads(body or b"{}")
        tables = {request.get("TableName")} | set(request.get("RequestItems", {}))
        tables |= {next(iter(item.values()))["TableName"] for item in request.get("TransactItems", [])}
        return wanted in tables

    return matches


def deliver_once(portal) -> str:
    """One receive of the mail queue: 'ok' (handled, deleted), 'empty', or the error that made
    the worker raise (the message then stays, and comes back at once: the fixture zeroes the
    retry delay)."""
    try:
        return "ok" if portal.poll_mail_queue() else "empty"
    except Exception as error:
        return type(error).__name__


def assert_service_busy(response) -> None:
    """A 503 with the stable code, a French message, a request id and a Retry-After."""
    error = response.json_body["error"]
    assert response.status_code == 503, response.json_body
    assert error["code"] == "service_busy" and "réessayez" in error["message"]
    assert error["request_id"] and response.headers["Retry-After"] == "30"
