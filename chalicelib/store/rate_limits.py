"""The rate-limit table: short-lived counters, one item per key and time window.

Keys name what is counted (for example sign-in failures per address and client), never a
global total, so no single item becomes hot. Items expire through TTL.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class RateLimitCounter(Model):
    Meta = table_meta("RATE_LIMITS_TABLE")

    bucket = UnicodeAttribute(hash_key=True)  # "<what>#<whose>#<window start>"
    count = NumberAttribute(default=0)
    expires_ttl = TTLAttribute()
