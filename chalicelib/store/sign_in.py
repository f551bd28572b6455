"""The sign-in list (liste d'émargement): who voted in which scrutin and when, never what.

Partition `ballot_id`, sort key `voter_id`: one entry per voter and scrutin, written with a
not-exists condition in the same transaction as the ballot, so a vote is cast once. It is
a table of its own, under other access than the ballot box (`store.ballot_box`).

Until voting opens it must be empty: `is_empty` is what the seal's attestation reads.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient


class SignInEntry(Model):
    Meta = table_meta("SIGN_IN_TABLE")

    ballot_id = UnicodeAttribute(hash_key=True)
    voter_id = UnicodeAttribute(range_key=True)
    voted_at = UTCDateTimeAttribute()


@translate_transient()
def is_empty(ballot_id: str) -> bool:
    """No émargement yet for this scrutin: one Query of at most one item."""
    return next(iter(SignInEntry.query(ballot_id, limit=1, consistent_read=True)), None) is None
