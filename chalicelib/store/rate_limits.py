"""The rate-limit table: short-lived counters, one item per key and time window.

Keys name what is counted (for example sign-in failures per address and client), never a
global total, so no single item becomes hot. Items expire through TTL.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient


class RateLimitCounter(Model):
    Meta = table_meta("RATE_LIMITS_TABLE")

    bucket = UnicodeAttribute(hash_key=True)  # "<what>#<whose>#<window start>"
    count = NumberAttribute(default=0)
    first_at = UTCDateTimeAttribute(null=True)
    last_at = UTCDateTimeAttribute(null=True)
    # On an address's marker item: counters that started before this instant no longer count.
    cleared_at = UTCDateTimeAttribute(null=True)
    expires_ttl = TTLAttribute()


@translate_transient()
def read_counters(buckets: list[str]) -> dict[str, RateLimitCounter]:
    """Several counters in one BatchGetItem."""
    return {c.bucket: c for c in RateLimitCounter.batch_get(buckets)}


@translate_transient()
def forget(bucket: str) -> None:
    RateLimitCounter(bucket).delete()


@translate_transient()
def mark_cleared(bucket: str, *, now: datetime, expires: datetime) -> None:
    RateLimitCounter(bucket, cleared_at=now, expires_ttl=expires).save()


@translate_transient()
def increment(bucket: str, *, now: datetime, expires: datetime) -> int:
    """Add one and return the new count (one UpdateItem)."""
    counter = RateLimitCounter(bucket)
    counter.update(
        actions=[
            RateLimitCounter.count.add(1),
            RateLimitCounter.first_at.set(RateLimitCounter.first_at | now),
            RateLimitCounter.last_at.set(now),
            RateLimitCounter.expires_ttl.set(expires),
        ]
    )
    return int(counter.count)
