"""The ballot box (urne): the encrypted ballots, and nothing that says who cast them or when.

Partition `box` = "<scrutin>#<shard>" with shard = nonce[0] mod 64 (VOTING.md, "Counting"),
sort key the ballot's nonce (its public id, chosen at random by the booth). The item holds
the ballot exactly as cast and nothing else: no voter id, no time, no request id, no order
of arrival. Kept in a table of its own, read by the count alone, never by a request; the
sign-in list (`store.sign_in`) is another table under other access.

Beside each ballot, one marker per ciphertext: partition "<scrutin>#a#<xx>" (xx = the point's
first byte in hex: 256 partitions, since a ballot writes one marker per option), sort key the
point `a_i` in hex, nothing else. Written in the same
transaction as the ballot under a not-exists condition, they keep the box free of a repeated
`a_i`, which the count must reject (VOTING.md, "Weeding"): two voters who share their
randomness cannot make a scrutin's record uncountable. The markers are the ballot's own public
values; the count and the record read the ballot partitions only.

Until voting opens it must be empty: `is_empty` is what the seal's attestation reads.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient

SHARDS = 64


def box_partition(scrutin: str, nonce: bytes) -> str:
    return f"{scrutin}#{nonce[0] % SHARDS:02d}"


POINT_SHARDS = 256


def point_partition(scrutin: str, point: bytes) -> str:
    return f"{scrutin}#a#{point[0]:02x}"


class BallotBoxEntry(Model):
    Meta = table_meta("BALLOT_BOX_TABLE")

    box = UnicodeAttribute(hash_key=True)  # "<scrutin>#<shard>"
    nonce = UnicodeAttribute(range_key=True)  # 64 lowercase hex characters
    ballot = UnicodeAttribute()  # the ballot's JSON, exactly as cast


class BallotPoint(Model):
    """A ciphertext's `a_i` taken in this scrutin (the same table, other partitions)."""

    Meta = table_meta("BALLOT_BOX_TABLE")

    partition = UnicodeAttribute(hash_key=True, attr_name="box")  # "<scrutin>#a#<first byte, hex>"
    point = UnicodeAttribute(range_key=True, attr_name="nonce")  # a_i, 64 lowercase hex characters


@translate_transient()  # builds items, no call: for the rule that every table function has it
def new_entries(scrutin: str, nonce: bytes, ballot: str, points: list[bytes]) -> list:
    """The box's items for one accepted ballot, each with the condition it is written under:
    the ballot (no ballot with this nonce in the scrutin), then a marker per `a_i` (no ballot
    with this point in the scrutin). What `store.sign_in.record_vote` writes together with the
    émargement. Nothing else goes in: the items' attributes are their keys and the ballot."""
    entry = BallotBoxEntry(box_partition(scrutin, nonce), nonce.hex(), ballot=ballot)
    items = [(entry, BallotBoxEntry.nonce.does_not_exist())]
    for point in points:
        items.append((BallotPoint(point_partition(scrutin, point), point.hex()), BallotPoint.point.does_not_exist()))
    return items


@translate_transient()
def is_empty(scrutin: str) -> bool:
    """No ballot in any shard of this scrutin: one Query of at most one item per shard."""
    for shard in range(SHARDS):
        if next(iter(BallotBoxEntry.query(f"{scrutin}#{shard:02d}", limit=1, consistent_read=True)), None):
            return False
    return True


def ballots_in_order(scrutin: str) -> Iterator[str]:
    """Every ballot of a scrutin as stored, in the order of their nonces: the 64 shards read
    (strongly consistent, a page at a time) and merged, so memory is a page per shard. For the
    bureau's close, after the vote; never for a request."""

    def keyed(shard: int) -> Iterator[tuple[str, str]]:
        return ((entry.nonce, entry.ballot) for entry in _entries(scrutin, shard))

    for _, ballot in heapq.merge(*(keyed(n) for n in range(SHARDS))):
        yield ballot


@translate_transient()
def back_up(name: str) -> str:
    """An on-demand backup of the box (the one it has: no point-in-time recovery, docs/voting.md);
    its ARN."""
    import boto3

    from chalicelib import settings

    client = boto3.client("dynamodb", region_name=settings.region())
    answer = client.create_backup(TableName=BallotBoxEntry.Meta.table_name, BackupName=name)
    return answer["BackupDetails"]["BackupArn"]


def shard_ballots(scrutin: str, shard: int) -> Iterator[str]:
    """One shard's ballots, in the order of their nonces (the sort key): the count's work item."""
    return (entry.ballot for entry in _entries(scrutin, shard))


def _entries(scrutin: str, shard: int) -> Iterator[BallotBoxEntry]:
    """One shard's items, strongly consistent, a page at a time."""
    with translate_transient():
        yield from BallotBoxEntry.query(f"{scrutin}#{shard:02d}", consistent_read=True)


@translate_transient()
def points_count(scrutin: str) -> int:
    """How many points (markers) a scrutin's box holds: a COUNT Query per partition (256)."""
    return sum(BallotPoint.count(f"{scrutin}#a#{n:02x}", consistent_read=True) for n in range(POINT_SHARDS))
