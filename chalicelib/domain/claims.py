"""Claims (réclamations): a voter contests an electoral list, or someone missing from the
lists asks to be added or corrected.

The message is kept exactly as written, within bounds. A claim's reference is derived from
who filed it, about what, and what it says, so submitting the same claim twice (a double
click, a retried request) files it once.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

MIN_MESSAGE = 10
MAX_MESSAGE = 2000

OPEN = "open"
ANSWERED = "answered"


def message_is_acceptable(message: str) -> bool:
    return MIN_MESSAGE <= len(message.strip()) and len(message) <= MAX_MESSAGE


def claim_reference(*parts: str) -> str:
    """REC-XXXX-XXXX: short, unambiguous (no 0/O or 1/I), the same for the same claim."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    code = base64.b32encode(digest).decode().translate(str.maketrans("01OI", "ABCD"))
    return f"REC-{code[:4]}-{code[4:8]}"


def claims_open(ballot, now: datetime) -> bool:
    """From the lists' publication until the claims deadline (exclusive)."""
    return ballot.lists_published_at <= now < ballot.claims_close_at


def lists_visible(ballot, now: datetime) -> bool:
    return now >= ballot.lists_published_at


def candidates_visible(ballot, now: datetime) -> bool:
    return now >= ballot.candidates_published_at
