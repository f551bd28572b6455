"""A voter's address corrected in the roll: who loses what, and how a retried import knows.

The account follows the voter, not the address; but whoever held the old mailbox may hold
the password, a session or an unused link. When an import gives a voter another address and
the voter has an account, the espace returns to pending (no password; every link and session
issued before the change is void), the old address is told (no link), and the new address
receives a link to choose a password.

An interrupted import is run again, and the voter item still holds the old address until its
chunk is written, so the same change is seen again. The account records which change it was
suspended for (`change_marker`), and the two emails are queued under request ids derived from
that change and its instant (`request_id`): a re-run re-queues the same two requests, which
the mail worker's log recognises as already sent.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from chalicelib.domain.emails import normalise_email
from chalicelib.domain.voter_rows import StoredVoter, VoterRow

# uuid5 namespace of the requests an address change queues (any fixed value would do).
_REQUESTS = uuid.UUID("6f1c2d0e-3b7a-5e49-9a51-0c8d7e2f4b13")


def moved_from(row: VoterRow, stored: StoredVoter | None) -> str | None:
    """The address this row takes the voter away from, or None when it does not change."""
    if stored is None:
        return None
    previous = stored.email or stored.removed_email
    if not previous or normalise_email(previous) == normalise_email(row.email):
        return None
    return normalise_email(previous)


def change_marker(voter_id: str, old_email: str, new_email: str) -> str:
    """What the account records of the change it was suspended for (a digest: the accounts
    table holds no address)."""
    return hashlib.sha256(f"{voter_id}\n{old_email}\n{new_email}".encode()).hexdigest()


def request_id(kind: str, marker: str, changed_at: datetime) -> str:
    """The queue request id of one email of one change: the same on every run that queues it."""
    return str(uuid.uuid5(_REQUESTS, f"{kind}\n{marker}\n{changed_at.astimezone(UTC).isoformat()}"))
