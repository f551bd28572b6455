"""Reading request bodies: malformed JSON and missing fields become stable errors."""

from __future__ import annotations

import json

from chalicelib.domain.errors import InvalidJson, InvalidRequest


def json_object(request) -> dict:
    """The body as a JSON object, or `invalid_json`."""
    raw = request.raw_body or b""
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidJson() from error
    if not isinstance(body, dict):
        raise InvalidJson()
    if not _is_text(body):
        raise InvalidJson()
    return body


def _is_text(body: dict) -> bool:
    """False when a string holds half of a surrogate pair (JSON's "\\ud800"): the parser lets it
    through, but it is not text, and nothing downstream (argon2, DynamoDB, email) can encode it."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_field(body: dict, name: str, *, max_length: int = 10_000) -> str:
    """A required string field, or `invalid_request` naming it."""
    value = body.get(name)
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidRequest(name)
    return value
