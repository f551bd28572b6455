"""The phase a ballot is in, from its dates and an instant given by the caller.

Each date opens the next phase at that exact instant (boundaries inclusive). Dates are
timezone-aware instants, so the answer does not depend on the server's zone; the portal
shows them in Europe/Paris, where the ministry sets them, daylight-saving changes included.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Phase(str, Enum):
    UPCOMING = "upcoming"
    LISTS_PUBLISHED = "lists_published"
    CLAIMS_CLOSED = "claims_closed"
    CANDIDATES_PUBLISHED = "candidates_published"
    VOTING_OPEN = "voting_open"
    CLOSED = "closed"


def phase_at(ballot, now: datetime) -> Phase:
    """`ballot` has the five dates of `chalicelib.domain.ballots.Ballot`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if now >= ballot.voting_closes_at:
        return Phase.CLOSED
    if now >= ballot.voting_opens_at:
        return Phase.VOTING_OPEN
    if now >= ballot.candidates_published_at:
        return Phase.CANDIDATES_PUBLISHED
    if now >= ballot.claims_close_at:
        return Phase.CLAIMS_CLOSED
    if now >= ballot.lists_published_at:
        return Phase.LISTS_PUBLISHED
    return Phase.UPCOMING
