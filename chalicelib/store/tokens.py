"""The tokens table: emailed confirmation and reset links, stored only as hashes.

The key is the SHA-256 of the 32 random bytes sent in the link, so a leak of this table
gives no usable link. Expiry is checked in code; the TTL attribute only cleans up.
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


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
    expires_ttl = TTLAttribute()
