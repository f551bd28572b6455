"""Paging through an electoral list without ever handing out a voter id.

The list is sorted by `FOLDEDLAST#FOLDEDFIRST#voter_id`. A cursor names only the position a
voter can already see on screen: the name part of the last key shown, and how many voters
with exactly that name have been shown so far. The next page starts at that name and skips
them. Namesakes are few, so the skip stays small; a forged cursor with a large skip is
refused.

A cursor is also signed (HMAC-SHA256 with a server key, `wiring.cursor_key`), and its name
part must end where a name ends: a forged start such as `MARTIN#CAMILLE#P0004` would
otherwise place the page between two namesakes by their hidden voter ids, and a binary search
over such cursors would recover the ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from chalicelib.domain.errors import InvalidCursor
from chalicelib.domain.names import SEPARATOR, fold

PAGE_SIZE = 100
MAX_SKIP = 500
# A real name part is two folded names of 100 characters at most; DynamoDB refuses a sort-key
# condition of more than 1,024 bytes (a ValidationException, which would be a 500).
MAX_NAME_BYTES = 512


def name_part(sort_key: str) -> str:
    """'DUPONT#MARIE#P123' -> 'DUPONT#MARIE#'."""
    last, first, _ = sort_key.split(SEPARATOR, 2)
    return f"{last}{SEPARATOR}{first}{SEPARATOR}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16])


def encode_cursor(name: str, skip: int, *, key: bytes) -> str:
    payload = _b64(json.dumps([name, skip], separators=(",", ":")).encode())
    return f"{payload}.{_signature(payload, key)}"


def decode_cursor(cursor: str, *, key: bytes) -> tuple[str, int]:
    payload, _, signature = cursor.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(payload, key).encode()):
        raise InvalidCursor()
    try:
        name, skip = json.loads(_unb64(payload))
    except (ValueError, TypeError) as error:
        raise InvalidCursor() from error
    if (
        not isinstance(name, str)
        or not isinstance(skip, int)
        or not 0 <= skip <= MAX_SKIP
        or name.count(SEPARATOR) != 2
        or not name.endswith(SEPARATOR)  # a name, never a voter id
        or len(name.encode("utf-8", "replace")) > MAX_NAME_BYTES
        or not name.isprintable()  # half a surrogate pair, controls: no name of ours
    ):
        raise InvalidCursor()
    return name, skip


def search_prefix(query: str | None) -> str:
    """The folded prefix a search by last name becomes ('' for no search)."""
    return fold(query or "")[:100]


def next_cursor(keys_shown: list[str], previous: tuple[str, int] | None, *, key: bytes) -> str:
    """The cursor after a page whose sort keys were `keys_shown` (in order)."""
    last_name = name_part(keys_shown[-1])
    same = 0
    for shown in reversed(keys_shown):
        if name_part(shown) != last_name:
            break
        same += 1
    if same == len(keys_shown) and previous is not None and previous[0] == last_name:
        same += previous[1]  # a run of namesakes that began on an earlier page
    if same > MAX_SKIP:
        same = MAX_SKIP
    return encode_cursor(last_name, same, key=key)
