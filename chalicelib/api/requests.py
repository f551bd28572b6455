"""Reading request bodies: malformed JSON and missing fields become stable errors.

A body is bounded before it is used: its size (`MAX_BODY_BYTES`), its nesting (`MAX_DEPTH`;
a 100,000-deep array would otherwise exhaust the parser's recursion) and its numbers (an
integer of more than `MAX_INT_DIGITS` digits, which Python refuses to convert past 4,300
digits, NaN, Infinity, a float out of range). Each is `invalid_json` (400), like any other
body that is not a JSON object, never a 500.
"""

from __future__ import annotations

import json
import math

from chalicelib.domain.errors import InvalidJson, InvalidRequest

# The longest field is a claim's message: 100,000 characters (api/espace.py), at most 12
# bytes each in JSON (an emoji written as two \u escapes).
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 16  # our bodies are flat objects: depth 1
MAX_INT_DIGITS = 20


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InvalidJson()
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJson()
    return value


def _constant(text: str):
    raise InvalidJson()  # NaN, Infinity, -Infinity: not JSON


def _depth(value) -> int:
    """How deeply arrays and objects nest in `value` (iteratively: no recursion to exhaust)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_object(request) -> dict:
    """The body as a JSON object, or `invalid_json`."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidJson()
    try:
        body = (
            json.loads(raw.decode("utf-8"), parse_int=_integer, parse_float=_float, parse_constant=_constant)
            if raw
            else None
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise InvalidJson() from error
    if not isinstance(body, dict) or _depth(body) > MAX_DEPTH:
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
