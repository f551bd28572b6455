"""The sign-in list (liste d'émargement): who voted in which scrutin and when, never what.

Partition `list` = "<scrutin>#<shard>" with shard = SHA-256(voter id)[0] mod 64, sort key
`voter_id`: one entry per voter and scrutin, written with a not-exists condition in the same
transaction as the ballot, so a vote is cast once. It is a table of its own, under other
access than the ballot box (`store.ballot_box`).

Why shards: at the 10:00 opening nearly every voter casts in the national scrutin first, and
a transactional write costs two write units, so one partition per scrutin would take the whole
rush on one key, far beyond the 1,000 write units a second one DynamoDB partition gives (the
design rate is 3,000 casts a second, docs/capacity.md). The shard comes from the voter id, so
a voter's entry is still one GetItem away (`votes_of`), and the whole list of a scrutin is 64
Queries (`entries`, for the participation and the count). The box is sharded the same way, by
its nonce.

Until voting opens it must be empty: `is_empty` is what the seal's attestation reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import ServiceBusy
from chalicelib.store.base import CONFLICT_ATTEMPTS, table_meta, transaction_connection
from chalicelib.transient import cancelled_by_conflict, translate_transient

SHARDS = 64


def list_partition(ballot_id: str, voter_id: str) -> str:
    """The partition of this voter's émargement in this scrutin: "<scrutin>#<shard>"."""
    return f"{ballot_id}#{hashlib.sha256(voter_id.encode()).digest()[0] % SHARDS:02d}"


class SignInEntry(Model):
    Meta = table_meta("SIGN_IN_TABLE")

    list = UnicodeAttribute(hash_key=True)  # "<scrutin>#<shard>"
    voter_id = UnicodeAttribute(range_key=True)
    ballot_id = UnicodeAttribute()
    voted_at = UTCDateTimeAttribute()


def _shards(ballot_id: str) -> list[str]:
    return [f"{ballot_id}#{shard:02d}" for shard in range(SHARDS)]


@translate_transient()
def is_empty(ballot_id: str) -> bool:
    """No émargement yet for this scrutin: one Query of at most one item per shard."""
    for partition in _shards(ballot_id):
        if next(iter(SignInEntry.query(partition, limit=1, consistent_read=True)), None) is not None:
            return False
    return True


@translate_transient()
def count(ballot_id: str) -> int:
    """How many émargements a scrutin has: a COUNT Query per shard (64, each paginated past
    1 MB read), strongly consistent; no item leaves the table."""
    return sum(SignInEntry.count(partition, consistent_read=True) for partition in _shards(ballot_id))


def entries(ballot_id: str) -> Iterator[SignInEntry]:
    """Every émargement of a scrutin, shard by shard (for the bureau, never for a request)."""
    with translate_transient():
        for partition in _shards(ballot_id):
            yield from SignInEntry.query(partition, consistent_read=True)


class AlreadySignedIn(Exception):
    """The voter's émargement for this scrutin exists: their vote is recorded already.
    `with_these_items`: the items written with it were refused too, all of them (for the
    box: this very ballot is in it, a retry after an answer that was lost)."""

    def __init__(self, *, with_these_items: bool):
        super().__init__()
        self.with_these_items = with_these_items


class BallotTaken(Exception):
    """An item written with the émargement was refused by its own condition; `index` says
    which, in the order they were handed in (for the box: 0 the ballot, a nonce already in
    it; then a point already in it)."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


def _failed(reason) -> bool:
    return reason is not None and reason.code == "ConditionalCheckFailed"


@translate_transient()
def record_vote(ballot_id: str, voter_id: str, voted_at: datetime, *, together_with) -> None:
    """The émargement and `together_with` (items and the conditions they are written under:
    the ballot and its points, `store.ballot_box.new_entries`) in one transaction; all are
    written or none.

    This module is handed the box's items and never imports the box: the sign-in list's
    module knows nothing of what is cast (pyproject.toml's import-linter contracts).
    AlreadySignedIn when the voter has voted (whatever the other items), BallotTaken when only
    another item's condition failed. A transaction cancelled only by a concurrent one wrote
    nothing and is tried again; when the attempts are spent it leaves as ServiceBusy (the
    voter may try again). A transaction whose answer was lost may have been written: botocore
    sends it again, and its conditions then say so (AlreadySignedIn, with these items)."""
    items = together_with if isinstance(together_with, list) else list(together_with)
    for _ in range(CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(
                    SignInEntry(list_partition(ballot_id, voter_id), voter_id, ballot_id=ballot_id, voted_at=voted_at),
                    condition=SignInEntry.voter_id.does_not_exist(),
                )
                for item, condition in items:
                    transaction.save(item, condition=condition)
            return
        except TransactWriteError as error:
            if cancelled_by_conflict(error):
                continue
            reasons = getattr(error, "cancellation_reasons", None) or []
            if reasons and _failed(reasons[0]):
                others = reasons[1:]
                raise AlreadySignedIn(with_these_items=bool(others) and all(map(_failed, others))) from None
            for index, reason in enumerate(reasons[1:]):
                if _failed(reason):
                    raise BallotTaken(index) from None
            raise
    raise ServiceBusy()


@translate_transient()
def votes_of(voter_id: str, ballot_ids) -> dict[str, datetime]:
    """When this voter voted in each of these scrutins, for those they voted in: one
    BatchGetItem (a voter is on at most 7 scrutins)."""
    keys = [(list_partition(ballot_id, voter_id), voter_id) for ballot_id in sorted(set(ballot_ids))]
    if not keys:
        return {}
    return {e.ballot_id: e.voted_at for e in SignInEntry.batch_get(keys, consistent_read=True)}
