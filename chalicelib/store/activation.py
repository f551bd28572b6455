"""What the activation report reads: voters a page at a time, and their accounts a page at a time.

Two functions, both bounded: one Scan request of one parallel-scan segment, and one
BatchGetItem of the accounts of that page's voters (PynamoDB sends 100 keys a request and
asks again for unprocessed keys). Neither ever holds more than one page.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.store.accounts import Account
from chalicelib.store.voters import scan_page
from chalicelib.transient import translate_transient

# What the report reads of a voter: its groups and whether it is listed, nothing personal.
REPORT_ATTRIBUTES = ["voter_id", "academy", "department", "ballot_ids", "removed_at"]


def voters_page(*, segment: int, total_segments: int, cursor: dict | None, limit: int) -> tuple[list, dict | None]:
    """One Scan request of a segment, with only what the report reads (`voters.scan_page`)."""
    return scan_page(
        segment=segment, total_segments=total_segments, cursor=cursor, limit=limit, attributes=REPORT_ATTRIBUTES
    )


@translate_transient()
def activation_of(voter_ids: list[str]) -> dict[str, tuple[str, datetime | None]]:
    """(status, activated at) of these voters' accounts that exist, by voter id: BatchGetItem,
    100 keys a request, three attributes each."""
    if not voter_ids:
        return {}
    accounts = Account.batch_get(voter_ids, attributes_to_get=["voter_id", "status", "activated_at"])
    return {a.voter_id: (a.status, a.activated_at) for a in accounts}
