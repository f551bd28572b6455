"""The sessions table: signed-in browsers, stored only as hashes of the cookie's id."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class SessionByVoter(GlobalSecondaryIndex):
    """Sign-out everywhere and password reset delete every session of one voter."""

    class Meta:
        index_name = "by-voter"
        projection = KeysOnlyProjection()

    voter_id = UnicodeAttribute(hash_key=True)


class Session(Model):
    Meta = table_meta("SESSIONS_TABLE")

    session_hash = UnicodeAttribute(hash_key=True)
    voter_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Refreshed at most every few minutes, not on every request, to keep reads cheap.
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    expires_ttl = TTLAttribute()

    by_voter = SessionByVoter()
