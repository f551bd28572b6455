"""The ballot box (urne): the encrypted ballots, and nothing that says who cast them or when.

Partition `box` = "<scrutin>#<shard>" with shard = nonce[0] mod 64 (VOTING.md, "Counting"),
sort key the ballot's nonce (its public id, chosen at random by the booth). The item holds
the ballot exactly as cast and nothing else: no voter id, no time, no request id, no order
of arrival. Kept in a table of its own, read by the count alone, never by a request; the
sign-in list (`store.sign_in`) is another table under other access.

Until voting opens it must be empty: `is_empty` is what the seal's attestation reads.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient

SHARDS = 64


def box_partition(scrutin: str, nonce: bytes) -> str:
    return f"{scrutin}#{nonce[0] % SHARDS:02d}"


class BallotBoxEntry(Model):
    Meta = table_meta("BALLOT_BOX_TABLE")

    box = UnicodeAttribute(hash_key=True)  # "<scrutin>#<shard>"
    nonce = UnicodeAttribute(range_key=True)  # 64 lowercase hex characters
    ballot = UnicodeAttribute()  # the ballot's JSON, exactly as cast


@translate_transient()  # builds an item, no call: for the rule that every table function has it
def new_entry(scrutin: str, nonce: bytes, ballot: str):
    """The box's item for one accepted ballot and the condition it is written under (no ballot
    with this nonce in the scrutin): what `store.sign_in.record_vote` writes together with the
    émargement. Nothing else goes in: the item's attributes are the key and the ballot."""
    entry = BallotBoxEntry(box_partition(scrutin, nonce), nonce.hex(), ballot=ballot)
    return entry, BallotBoxEntry.nonce.does_not_exist()


@translate_transient()
def is_empty(scrutin: str) -> bool:
    """No ballot in any shard of this scrutin: one Query of at most one item per shard."""
    for shard in range(SHARDS):
        if next(iter(BallotBoxEntry.query(f"{scrutin}#{shard:02d}", limit=1, consistent_read=True)), None):
            return False
    return True
