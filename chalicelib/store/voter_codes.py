"""The voter codes table: one item per voter, the keyed hash of their current code.

Partition `voter_id`. `code_hash` is HMAC-SHA256 of the normalised code under the pepper
(`chalicelib.domain.voter_codes`), never the code; `generation` counts the codes the voter
was given (1 at the first generation; a re-issue writes generation + 1 with a condition on the
one it replaces, so the old code dies in the same write); `issued_by` says which path issued
it. A table of its own, so that only the functions that check codes may read it.

Beside the codes, in the same transaction as each re-issue: its audit entry (`reissue#<voter
id>#<generation>`: when, which path, by whom, for which scrutins) and one count per scrutin
of the voter, spread over 16 counters (`reissues#<scrutin>#<NN>`) so that no item is hot
during the opening rush; the bureau reads the sum (`reissue_counts`).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import ServiceBusy
from chalicelib.store.base import CONFLICT_ATTEMPTS, condition_held, get_or_none, table_meta, transaction_connection
from chalicelib.transient import cancelled_by_conflict, response_code, translate_transient

SELF_SERVICE = "self-service"
HELP_DESK = "help-desk"
COUNTER_SHARDS = 16


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


class CodeReissue(Model):
    """The audit entry of one re-issue (the table's other items are keyed by voter id alone)."""

    Meta = table_meta("VOTER_CODES_TABLE")

    key = UnicodeAttribute(hash_key=True, attr_name="voter_id")  # reissue#<voter id>#<generation>
    voter = UnicodeAttribute()
    generation = NumberAttribute()
    issued_at = UTCDateTimeAttribute()
    path = UnicodeAttribute()  # self-service, help-desk
    by = UnicodeAttribute()  # the voter (self-service) or the help desk's operator
    ballot_ids = UnicodeSetAttribute(null=True)


class ReissueCounter(Model):
    Meta = table_meta("VOTER_CODES_TABLE")

    key = UnicodeAttribute(hash_key=True, attr_name="voter_id")  # reissues#<scrutin>#<NN>
    count = NumberAttribute(default=0)


def _counter_key(ballot_id: str, shard: int) -> str:
    return f"reissues#{ballot_id}#{shard:02d}"


class CodeChanged(Exception):
    """Another re-issue (or the first generation) wrote the voter's code first: nothing written."""


@translate_transient()
def reissue(
    voter_id: str, code_hash: str, *, replaces: int, now: datetime, path: str, by: str, ballot_ids: list[str]
) -> int:
    """The voter's new code, in place of generation `replaces` (0: the voter had none), with its
    audit entry and its counts, in one TransactWriteItems; the new generation. The old code is
    dead once this returns: the same write replaced its hash. CodeChanged when `replaces` is no
    longer the voter's generation (another re-issue came first); a transaction cancelled by a
    concurrent one is tried again, then ServiceBusy."""
    generation = replaces + 1
    shard = secrets.randbelow(COUNTER_SHARDS)
    for _ in range(CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                code = VoterCode(voter_id, code_hash=code_hash, generation=generation, issued_at=now, issued_by=path)
                if replaces:
                    transaction.save(code, condition=VoterCode.generation == replaces)
                else:
                    transaction.save(code, condition=VoterCode.voter_id.does_not_exist())
                entry = CodeReissue(
                    f"reissue#{voter_id}#{generation}", voter=voter_id, generation=generation, issued_at=now,
                    path=path, by=by, ballot_ids=set(ballot_ids) or None,
                )  # fmt: skip
                transaction.save(entry, condition=CodeReissue.key.does_not_exist())
                for ballot_id in sorted(set(ballot_ids)):
                    transaction.update(
                        ReissueCounter(_counter_key(ballot_id, shard)), actions=[ReissueCounter.count.add(1)]
                    )
            return generation
        except TransactWriteError as error:
            if response_code(error) != "TransactionCanceledException":
                raise
            if not cancelled_by_conflict(error):
                raise CodeChanged() from None
    raise ServiceBusy()


@translate_transient()
def reissues_of(voter_id: str, generation: int) -> list[CodeReissue]:
    """The audit entries of this voter's re-issues up to `generation`: one BatchGetItem."""
    keys = [f"reissue#{voter_id}#{n}" for n in range(1, generation + 1)]
    return sorted(CodeReissue.batch_get(keys), key=lambda entry: entry.generation) if keys else []


@translate_transient()
def reissue_counts(ballot_ids: list[str]) -> dict[str, int]:
    """How many codes were re-issued to the voters of each scrutin: BatchGetItem of its counters."""
    keys = [_counter_key(b, n) for b in ballot_ids for n in range(COUNTER_SHARDS)]
    counts = dict.fromkeys(ballot_ids, 0)
    for counter in ReissueCounter.batch_get(keys):
        counts[counter.key.split("#")[1]] += int(counter.count)
    return counts
