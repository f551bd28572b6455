"""The tokens table: emailed confirmation and reset links, stored only as hashes.

The key is the SHA-256 of the 32 random bytes sent in the link, so a leak of this table
gives no usable link. Expiry is checked in code; the TTL attribute only cleans up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import get_or_none, table_meta
from chalicelib.transient import translate_transient


class Token(Model):
    Meta = table_meta("TOKENS_TABLE")

    token_hash = UnicodeAttribute(hash_key=True)
    voter_id = UnicodeAttribute()
    purpose = UnicodeAttribute()  # "registration" or "reset"
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    # The queue message that created it: a retried message finds its token again instead of
    # creating a second valid link.
    request_id = UnicodeAttribute()
    masked_email = UnicodeAttribute()
    expires_ttl = TTLAttribute()


# Used and expired links are kept a week past expiry, so a late click is answered "expired"
# or "used" (which tells the voter what to do) rather than "invalid".
KEEP_AFTER_EXPIRY = timedelta(days=7)


@translate_transient()
def find_token(token_hash: str) -> Token | None:
    return get_or_none(Token, token_hash, consistent_read=True)


@translate_transient()
def save_token(token_hash: str, *, expires_at: datetime, **fields) -> None:
    """A new link; `fields` are the other attributes (voter_id, purpose, created_at...)."""
    Token(token_hash, expires_at=expires_at, expires_ttl=expires_at + KEEP_AFTER_EXPIRY, **fields).save()
