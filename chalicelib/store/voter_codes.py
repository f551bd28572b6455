"""The voter codes table: one item per voter, the keyed hash of their current code.

Partition `voter_id`. `code_hash` is HMAC-SHA256 of the normalised code under the pepper
(`chalicelib.domain.voter_codes`), never the code; `generation` counts the codes the voter
was given (1 at the first generation; a re-issue writes generation + 1 with a condition on the
one it replaces, so the old code dies in the same write); `issued_by` says which path issued
it. A table of its own, so that only the functions that check codes may read it.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import condition_held, get_or_none, table_meta
from chalicelib.transient import translate_transient


class VoterCode(Model):
    Meta = table_meta("VOTER_CODES_TABLE")

    voter_id = UnicodeAttribute(hash_key=True)
    code_hash = UnicodeAttribute()
    generation = NumberAttribute()
    issued_at = UTCDateTimeAttribute()
    issued_by = UnicodeAttribute()  # generate, self-service, help-desk


@translate_transient()
def voters_with_a_code(voter_ids: list[str]) -> set[str]:
    """Which of these voters already have a code: one BatchGetItem per 100, keys only."""
    found = VoterCode.batch_get(list(voter_ids), attributes_to_get=["voter_id"])
    return {item.voter_id for item in found}


@translate_transient()
def code_hashes(voter_ids: list[str]) -> dict[str, str]:
    """The stored HMAC of each of these voters who has a code: one BatchGetItem per 100."""
    found = VoterCode.batch_get(list(voter_ids), attributes_to_get=["voter_id", "code_hash"])
    return {item.voter_id: item.code_hash for item in found}


@translate_transient()
def issue_first_code(voter_id: str, code_hash: str, *, now: datetime) -> bool:
    """The voter's first code; False (nothing written) if they already have one."""
    item = VoterCode(voter_id, code_hash=code_hash, generation=1, issued_at=now, issued_by="generate")
    return condition_held(lambda: item.save(condition=VoterCode.voter_id.does_not_exist()))


@translate_transient()
def code_of(voter_id: str) -> VoterCode | None:
    return get_or_none(VoterCode, voter_id, consistent_read=True)
