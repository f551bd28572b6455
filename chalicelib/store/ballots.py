"""The ballots table (scrutins), each with its dates and candidate lists.

A few hundred items, written by the CLI, read by key. Candidate lists are small (a dozen
unions at most) and always read with their ballot, so they live inside the ballot item.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.ballots import Ballot, CandidateList
from chalicelib.store.base import get_or_none, table_meta
from chalicelib.transient import translate_transient


class CandidateListAttribute(MapAttribute):
    list_id = UnicodeAttribute(attr_name="id")
    name = UnicodeAttribute()
    acronym = UnicodeAttribute()
    statement_url = UnicodeAttribute()


class BallotItem(Model):
    Meta = table_meta("BALLOTS_TABLE")

    ballot_id = UnicodeAttribute(hash_key=True)
    label = UnicodeAttribute()
    kind = UnicodeAttribute()
    level = UnicodeAttribute()
    perimeter = UnicodeAttribute()
    lists_published_at = UTCDateTimeAttribute()
    claims_close_at = UTCDateTimeAttribute()
    candidates_published_at = UTCDateTimeAttribute()
    voting_opens_at = UTCDateTimeAttribute()
    voting_closes_at = UTCDateTimeAttribute()
    candidate_lists = ListAttribute(of=CandidateListAttribute, default=list)
    fingerprint = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # The polling bureau that counts this ballot (set once, by `bureau create`), and when it
    # sealed it: from then on no import may change the ballot or its electoral list.
    bureau_id = UnicodeAttribute(null=True)
    sealed_at = UTCDateTimeAttribute(null=True)

    def to_domain(self) -> Ballot:
        return Ballot(
            ballot_id=self.ballot_id,
            label=self.label,
            kind=self.kind,
            level=self.level,
            perimeter=self.perimeter,
            lists_published_at=self.lists_published_at,
            claims_close_at=self.claims_close_at,
            candidates_published_at=self.candidates_published_at,
            voting_opens_at=self.voting_opens_at,
            voting_closes_at=self.voting_closes_at,
            candidate_lists=tuple(
                CandidateList(c.list_id, c.name, c.acronym, c.statement_url) for c in self.candidate_lists
            ),
        )

    @classmethod
    def from_domain(cls, ballot: Ballot, **extra) -> BallotItem:
        return cls(
            ballot.ballot_id,
            label=ballot.label,
            kind=ballot.kind,
            level=ballot.level,
            perimeter=ballot.perimeter,
            lists_published_at=ballot.lists_published_at,
            claims_close_at=ballot.claims_close_at,
            candidates_published_at=ballot.candidates_published_at,
            voting_opens_at=ballot.voting_opens_at,
            voting_closes_at=ballot.voting_closes_at,
            candidate_lists=[
                CandidateListAttribute(list_id=c.list_id, name=c.name, acronym=c.acronym, statement_url=c.statement_url)
                for c in ballot.candidate_lists
            ],
            fingerprint=ballot.fingerprint(),
            **extra,
        )


@translate_transient()
def all_ballots() -> list[BallotItem]:
    """Every ballot. A Scan: for the admin CLI only (a few hundred items), never a request."""
    return list(BallotItem.scan())


@translate_transient()
def save_ballots(ballots: list[tuple[Ballot, datetime]], *, now: datetime) -> None:
    """Write these ballots whole, each with the date it was first created: BatchWriteItem."""
    with BallotItem.batch_write() as batch:
        for ballot, created_at in ballots:
            batch.save(BallotItem.from_domain(ballot, created_at=created_at, updated_at=now))


@translate_transient()
def get_ballots(ballot_ids) -> list[BallotItem]:
    """The ballots with these ids, in one BatchGetItem per 100 ids."""
    return list(BallotItem.batch_get(list(ballot_ids)))


@translate_transient()
def find_ballot(ballot_id: str) -> BallotItem | None:
    return get_or_none(BallotItem, ballot_id)
