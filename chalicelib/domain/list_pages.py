"""Paging through an electoral list without ever handing out a voter id.

The list is sorted by `FOLDEDLAST#FOLDEDFIRST#voter_id`. A cursor names only the position a
voter can already see on screen: the name part of the last key shown, and how many voters
with exactly that name have been shown so far. The next page starts at that name and skips
them. Namesakes are few, so the skip stays small; a forged cursor with a large skip is
refused.
"""

from __future__ import annotations

import base64
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


def encode_cursor(name: str, skip: int) -> str:
    raw = json.dumps([name, skip], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        name, skip = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as error:
        raise InvalidCursor() from error
    if (
        not isinstance(name, str)
        or not isinstance(skip, int)
        or not 0 <= skip <= MAX_SKIP
        or name.count(SEPARATOR) != 2
        or len(name.encode("utf-8", "replace")) > MAX_NAME_BYTES
        or not name.isprintable()  # half a surrogate pair, controls: no name of ours
    ):
        raise InvalidCursor()
    return name, skip


def search_prefix(query: str | None) -> str:
    """The folded prefix a search by last name becomes ('' for no search)."""
    return fold(query or "")[:100]


def next_cursor(keys_shown: list[str], previous: tuple[str, int] | None) -> str:
    """The cursor after a page whose sort keys were `keys_shown` (in order)."""
    last_name = name_part(keys_shown[-1])
    same = 0
    for key in reversed(keys_shown):
        if name_part(key) != last_name:
            break
        same += 1
    if same == len(keys_shown) and previous is not None and previous[0] == last_name:
        same += previous[1]  # a run of namesakes that began on an earlier page
    if same > MAX_SKIP:
        same = MAX_SKIP
    return encode_cursor(last_name, same)
