"""When a voter may cast a ballot, and what the booth shows of each scrutin.

Pure: the scrutin's dates, the election's grace and the instant come in as parameters. The
server's clock decides, never the browser's. A scrutin is open from `voting_opens_at`
(inclusive) to `voting_closes_at` (exclusive). After the close, a voter already in the booth
may finish within the election's grace (CGFP R.211-563, 30 minutes by default): "already in
the booth" is a session whose voter code was typed before the close, so nobody can start
voting after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum


class BoothState(str, Enum):
    """What the booth's list says of one scrutin of the voter."""

    NOT_OPEN = "not_open"  # voting has not started
    TO_VOTE = "to_vote"  # open, and the voter has not voted
    VOTED = "voted"  # final: the date and time of the émargement are shown
    CLOSED = "closed"  # over, and the voter did not vote (or may no longer)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def may_cast(
    *,
    opens: datetime,
    closes: datetime,
    grace: timedelta,
    code_verified_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a ballot cast at `now` by a session whose code was verified at
    `code_verified_at` is within the voting period."""
    now = _aware(now)
    if now < opens:
        return False
    if now < closes:
        return True
    return code_verified_at is not None and code_verified_at < closes and now < closes + grace


def booth_state(
    *,
    opens: datetime,
    closes: datetime,
    grace: timedelta,
    code_verified_at: datetime | None,
    voted: bool,
    now: datetime,
) -> BoothState:
    if voted:
        return BoothState.VOTED
    if _aware(now) < opens:
        return BoothState.NOT_OPEN
    allowed = may_cast(opens=opens, closes=closes, grace=grace, code_verified_at=code_verified_at, now=now)
    return BoothState.TO_VOTE if allowed else BoothState.CLOSED
