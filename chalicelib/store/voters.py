"""The voters table: each voter's data as imported from the electoral lists.

Only the import writes here. The account (password, activation) is another item in another
table, keyed by the same `voter_id`, so that re-importing a list can never overwrite it.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient


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

    by_email = VoterByEmail()

    @property
    def is_listed(self) -> bool:
        return self.removed_at is None and bool(self.ballot_ids)


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


@translate_transient()
def all_voters(attributes: list[str]):
    """Every voter, with only these attributes: a Scan, for the administrators' CLI only."""
    return Voter.scan(attributes_to_get=attributes)
