"""The ballots table (scrutins), each with its dates and candidate lists.

A few hundred items, written by the CLI, read by key. Candidate lists are small (a dozen
unions at most) and always read with their ballot, so they live inside the ballot item.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.ballots import Ballot, CandidateList
from chalicelib.store.base import condition_held, get_or_none, table_meta
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
    # DEMO ONLY: when `bureau demo-close` ended this ballot's vote (the local stage alone reads
    # it: `settings.demo_switches`).
    closed_early_at = UTCDateTimeAttribute(null=True)

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


# What an import writes of a ballot: its definition. The rest of the item (created_at,
# bureau_id, sealed_at and whatever the bureau adds) is left as it is.
_DEFINITION = (
    "label",
    "kind",
    "level",
    "perimeter",
    "lists_published_at",
    "claims_close_at",
    "candidates_published_at",
    "voting_opens_at",
    "voting_closes_at",
    "candidate_lists",
    "fingerprint",
)


class BallotNotAsRead(Exception):
    """A ballot was sealed, or given to a bureau, after the import read it: it was not
    written, nor any ballot after it; `written` are the ones written before it."""

    def __init__(self, ballot_id: str, written: list[str]):
        super().__init__(ballot_id)
        self.ballot_id, self.written = ballot_id, written


@translate_transient()
def save_ballots(ballots: list[tuple[Ballot, str | None]], *, now: datetime) -> None:
    """Write these ballots' definitions, in this order, each with the bureau it had when read.

    One conditional UpdateItem each (created if absent): the write holds only if the ballot is
    not sealed and still has that bureau (or none), so a seal or a bureau that landed since the
    read makes it fail instead of changing a sealed ballot; an UpdateItem leaves `bureau_id`,
    `sealed_at` and `created_at` as they are. The first failed condition stops the writes:
    `BallotNotAsRead`.
    """
    written: list[str] = []
    for ballot, bureau_id in ballots:
        item = BallotItem.from_domain(ballot)
        actions = [getattr(BallotItem, name).set(getattr(item, name)) for name in _DEFINITION]
        actions += [BallotItem.created_at.set(BallotItem.created_at | now), BallotItem.updated_at.set(now)]
        same_bureau = BallotItem.bureau_id == bureau_id if bureau_id else BallotItem.bureau_id.does_not_exist()
        condition = BallotItem.sealed_at.does_not_exist() & same_bureau
        if not condition_held(partial(BallotItem(ballot.ballot_id).update, actions=actions, condition=condition)):
            raise BallotNotAsRead(ballot.ballot_id, written)
        written.append(ballot.ballot_id)


@translate_transient()
def get_ballots(ballot_ids) -> list[BallotItem]:
    """The ballots with these ids, in one BatchGetItem per 100 ids."""
    return list(BallotItem.batch_get(list(ballot_ids)))


@translate_transient()
def find_ballot(ballot_id: str) -> BallotItem | None:
    return get_or_none(BallotItem, ballot_id)
