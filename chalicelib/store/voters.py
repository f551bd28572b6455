"""The voters table: each voter's data as imported from the electoral lists.

Only the import writes here. The account (password, activation) is another item in another
table, keyed by the same `voter_id`, so that re-importing a list can never overwrite it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient

if TYPE_CHECKING:  # the import's rows: the API, which loads this module, never builds them
    from chalicelib.domain.voter_rows import StoredVoter, VoterRow


class VoterByEmail(GlobalSecondaryIndex):
    """Sign-in, registration and the help desk find a voter by their normalised email.

    Sparse: a voter pruned from every list loses the `email` attribute and leaves the index,
    so a lookup only ever finds voters who are on a list.
    """

    class Meta:
        index_name = "by-email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class Voter(Model):
    Meta = table_meta("VOTERS_TABLE")

    voter_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute()
    first_name = UnicodeAttribute()
    academy = UnicodeAttribute()
    department = UnicodeAttribute()
    workplace = UnicodeAttribute()
    code_delivery = UnicodeAttribute()
    # The voter's ballots live here so that "may this voter read that ballot's list?" costs no
    # extra query: the request that loads the voter already has the answer.
    ballot_ids = UnicodeSetAttribute(null=True)
    # Digest of the imported row: equal digests mean a re-import has nothing to write.
    fingerprint = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    removed_at = UTCDateTimeAttribute(null=True)
    removed_email = UnicodeAttribute(null=True)
    # "<ballot id>\x1f<sort key>" of list entries an import is writing (see
    # `domain.voter_rows.entries_in_flight`); gone once the voter item is written whole.
    pending_entries = UnicodeSetAttribute(null=True)
    # The keyed hash of the roll's birth date (`domain.birth_dates`), when the roll gives it:
    # the second factor of the self-service re-issue of a voter code.
    birth_date_check = UnicodeAttribute(null=True)

    by_email = VoterByEmail()

    @property
    def is_listed(self) -> bool:
        return self.removed_at is None and bool(self.ballot_ids)

    @classmethod
    def from_row(cls, row: VoterRow, *, imported_at: datetime, updated_at: datetime) -> Voter:
        return cls(
            row.voter_id,
            email=row.email,
            last_name=row.last_name,
            first_name=row.first_name,
            academy=row.academy,
            department=row.department,
            workplace=row.workplace,
            code_delivery=row.code_delivery,
            ballot_ids=set(row.ballot_ids),
            birth_date_check=row.birth_date_check,
            fingerprint=row.fingerprint(),
            imported_at=imported_at,
            updated_at=updated_at,
        )


@translate_transient()
def find_listed_voter(email: str) -> Voter | None:
    """The voter listed under this normalised email, or None (one Query on the index)."""
    for voter in Voter.by_email.query(email, limit=2):
        if voter.is_listed:
            return voter
    return None


@translate_transient()
def find_voter(voter_id: str) -> Voter | None:
    """The voter with this id, listed or not (one GetItem)."""
    try:
        return Voter.get(voter_id)
    except Voter.DoesNotExist:
        return None


@translate_transient()
def find_voter_by_email(email: str) -> Voter | None:
    """The voter under this normalised address, listed or not (the help desk's lookup)."""
    return next(iter(Voter.by_email.query(email, limit=1)), None)


# What a campaign's walk reads of each voter.
CAMPAIGN_ATTRIBUTES = ["voter_id", "email", "first_name", "academy", "ballot_ids", "removed_at"]


@translate_transient()
def scan_page(
    *, segment: int, total_segments: int, cursor: dict | None, limit: int, attributes: list[str] = CAMPAIGN_ATTRIBUTES
) -> tuple[list[Voter], dict | None]:
    """Up to `limit` voters of one parallel-scan segment from `cursor` (one Scan request),
    with only these attributes, and the cursor of what follows (None at the segment's end)."""
    results = Voter.scan(
        segment=segment,
        total_segments=total_segments,
        last_evaluated_key=cursor,
        limit=limit,
        page_size=limit,
        attributes_to_get=attributes,
    )
    voters = list(results)
    return voters, results.last_evaluated_key


@translate_transient()
def voters_by_id(voter_ids: list[str]) -> list[Voter]:
    """These voters (BatchGetItem, 100 keys a request), with what a campaign's walk reads."""
    return list(Voter.batch_get(voter_ids, attributes_to_get=CAMPAIGN_ATTRIBUTES)) if voter_ids else []


_STORED_ATTRIBUTES = [
    "voter_id",
    "email",
    "last_name",
    "first_name",
    "workplace",
    "ballot_ids",
    "imported_at",
    "removed_at",
    "removed_email",
    "pending_entries",
    "fingerprint",
]


def stored_voters() -> Iterator[tuple[StoredVoter, str]]:
    """Every stored voter as the import compares it, with its row's fingerprint (a Scan: CLI only)."""
    with translate_transient():
        yield from map(_as_stored, Voter.scan(attributes_to_get=_STORED_ATTRIBUTES))


def _as_stored(voter: Voter) -> tuple[StoredVoter, str]:
    from chalicelib.domain.voter_rows import StoredVoter

    return (
        StoredVoter(
            voter_id=voter.voter_id,
            email=voter.email,
            last_name=voter.last_name,
            first_name=voter.first_name,
            workplace=voter.workplace,
            ballot_ids=tuple(sorted(voter.ballot_ids or ())),
            imported_at=voter.imported_at.isoformat(),
            removed=voter.removed_at is not None,
            removed_email=voter.removed_email,
            pending_entries=tuple(sorted(_entry_of(text) for text in voter.pending_entries or ())),
        ),
        voter.fingerprint,
    )


ENTRY_SEPARATOR = "\x1f"


def _entry_of(text: str) -> tuple[str, str]:
    ballot_id, _, sort_key = text.partition(ENTRY_SEPARATOR)
    return ballot_id, sort_key


def _entry_text(entry: tuple[str, str]) -> str:
    return f"{entry[0]}{ENTRY_SEPARATOR}{entry[1]}"


@translate_transient()
def mark_entries_in_flight(
    marks: list[tuple[VoterRow, StoredVoter | None, set[tuple[str, str]]]], *, now: datetime
) -> int:
    """Before a chunk's list entries are written: say so on each voter item. Returns the items written.

    A voter already stored gets the entries added to its item (one UpdateItem each: its other
    attributes, the address above all, must stay as they are until the chunk is written). A new
    voter is written whole at once (BatchWriteItem) with an empty fingerprint, so that a later
    run writes it again whatever the file says.
    """
    new = [(row, entries) for row, stored, entries in marks if stored is None]
    with Voter.batch_write() as batch:
        for row, entries in new:
            voter = Voter.from_row(row, imported_at=now, updated_at=now)
            voter.fingerprint = ""
            voter.pending_entries = {_entry_text(entry) for entry in entries}
            batch.save(voter)
    for row, stored, entries in marks:
        if stored is not None:
            Voter(row.voter_id).update(actions=[Voter.pending_entries.add({_entry_text(e) for e in entries})])
    return len(marks)


@translate_transient()
def save_voters(rows: list[tuple[VoterRow, datetime]], *, now: datetime) -> int:
    """Write these voters whole (each row with its first import's date): BatchWriteItem.

    A whole-item put, so writing the same row twice changes nothing. Returns the items written.
    """
    with Voter.batch_write() as batch:
        for row, imported_at in rows:
            batch.save(Voter.from_row(row, imported_at=imported_at, updated_at=now))
    return len(rows)


@translate_transient()
def mark_removed(voters: list[StoredVoter], *, now: datetime) -> int:
    """Take these voters off the email index, keeping their item: one UpdateItem each.

    The address moves to `removed_email`, so the help desk can still explain what happened,
    and a later import that lists the voter again restores them with their account.
    """
    for stored in voters:
        Voter(stored.voter_id).update(
            actions=[
                Voter.email.remove(),
                Voter.ballot_ids.remove(),
                Voter.removed_email.set(stored.email),
                Voter.pending_entries.remove(),
                Voter.removed_at.set(now),
                Voter.updated_at.set(now),
            ]
        )
    return len(voters)
