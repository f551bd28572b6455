"""What a signed-in voter sees of their ballots: phases, candidate lists, electoral lists."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib import wiring
from chalicelib.domain import list_pages
from chalicelib.domain.ballots import BALLOT_ID, LEVELS
from chalicelib.domain.claims import candidates_visible, lists_visible
from chalicelib.domain.errors import BallotNotFound, ListsNotPublished, NotOnList
from chalicelib.domain.phases import Phase, phase_at
from chalicelib.services.throttle import within_hourly_limit
from chalicelib.store.ballots import BallotItem, find_ballot, get_ballots
from chalicelib.store.electoral_list import list_page
from chalicelib.store.voters import Voter

LEVEL_ORDER = {level: rank for rank, level in enumerate(LEVELS)}  # national first
# An honest voter reads a few pages and searches; 1.1 million names are 11,000 pages.
LIST_PAGES_PER_HOUR = 120


class BallotView(NamedTuple):
    ballot: BallotItem
    phase: Phase
    candidates_published: bool


def my_ballots(voter: Voter, *, now: datetime) -> list[BallotView]:
    ballots = get_ballots(voter.ballot_ids or ()) if voter.is_listed else []
    ballots.sort(key=lambda b: (LEVEL_ORDER.get(b.level, 9), b.label))
    return [BallotView(b, phase_at(b, now), candidates_visible(b, now)) for b in ballots]


def ballot_for_voter(voter: Voter, ballot_id: str) -> BallotItem:
    """The ballot, if it exists (404) and the voter is on its list (403). An id no ballot may
    have is not looked up: DynamoDB refuses keys over 2,048 bytes (a ValidationException, a 500)."""
    if not BALLOT_ID.fullmatch(ballot_id):
        raise BallotNotFound()
    ballot = find_ballot(ballot_id)
    if ballot is None:
        raise BallotNotFound()
    if not voter.is_listed or ballot_id not in (voter.ballot_ids or ()):
        raise NotOnList()
    return ballot


class ListPage(NamedTuple):
    voters: list[dict]
    next_cursor: str | None


def electoral_list_page(
    voter: Voter, ballot_id: str, *, query: str | None, cursor: str | None, now: datetime
) -> ListPage:
    """One page (at most 100) of a ballot's list, by name, optionally searched: one Query."""
    ballot = ballot_for_voter(voter, ballot_id)
    if not lists_visible(ballot, now):
        raise ListsNotPublished()
    key = wiring.cursor_key()
    position = list_pages.decode_cursor(cursor, key=key) if cursor else None
    within_hourly_limit("list-pages", voter.voter_id, LIST_PAGES_PER_HOUR, now=now)
    start, skip = position if position else ("", 0)
    entries = list_page(
        ballot_id, start=start, search=list_pages.search_prefix(query), limit=skip + list_pages.PAGE_SIZE + 1
    )[skip:]
    shown, more = entries[: list_pages.PAGE_SIZE], len(entries) > list_pages.PAGE_SIZE
    return ListPage(
        voters=[{"last_name": e.last_name, "first_name": e.first_name, "workplace": e.workplace} for e in shown],
        next_cursor=list_pages.next_cursor([e.sort_key for e in shown], position, key=key) if more else None,
    )
