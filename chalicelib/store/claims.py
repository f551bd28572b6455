"""The claims table: contestations of electoral lists, and reports from people missing from them.

Keyed by the claim's reference; a voter's own claims are found through the `by-voter` index
(public claims have no voter id and stay out of it). Administrators list claims with a Scan
from the CLI: a few thousand items, never read by a request.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.claims import ANSWERED
from chalicelib.store.base import condition_held, get_or_none, table_meta
from chalicelib.transient import translate_transient


class ClaimByVoter(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-voter"
        projection = AllProjection()

    voter_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Claim(Model):
    Meta = table_meta("CLAIMS_TABLE")

    reference = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "ballot" (a voter about a list) or "public" (someone missing)
    voter_id = UnicodeAttribute(null=True)
    ballot_id = UnicodeAttribute(null=True)
    # For public claims: who wrote, as they wrote it.
    last_name = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    workplace = UnicodeAttribute(null=True)
    message = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    answer = UnicodeAttribute(null=True)
    answered_at = UTCDateTimeAttribute(null=True)

    by_voter = ClaimByVoter()


@translate_transient()
def file_claim(claim: Claim) -> tuple[Claim, bool]:
    """Save a new claim; if its reference exists (the same claim again), return that one."""
    if condition_held(lambda: claim.save(condition=Claim.reference.does_not_exist())):
        return claim, True
    return Claim.get(claim.reference, consistent_read=True), False


@translate_transient()
def voter_claims(voter_id: str, limit: int = 50) -> list[Claim]:
    return list(Claim.by_voter.query(voter_id, scan_index_forward=False, limit=limit))


@translate_transient()
def find_claim(reference: str) -> Claim | None:
    return get_or_none(Claim, reference)


@translate_transient()
def all_claims() -> list[Claim]:
    """Every claim: a Scan, for the administrators' CLI only (never a request)."""
    return list(Claim.scan())


@translate_transient()
def record_answer(claim: Claim, answer: str, *, now: datetime) -> None:
    claim.update(actions=[Claim.answer.set(answer), Claim.answered_at.set(now), Claim.status.set(ANSWERED)])
