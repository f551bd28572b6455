"""The rate-limit table: short-lived counters, one item per key and time window.

Keys name what is counted (for example sign-in failures per address and client), never a
global total, so no single item becomes hot. Items expire through TTL.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.store.base import table_meta, transaction_connection
from chalicelib.transient import cancelled_by_conflict, response_code, translate_transient


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


@translate_transient()
def reserve(limits: list[tuple[str, int]], *, now: datetime, expires: datetime) -> bool:
    """Add one to each counter if every one is below its limit, all or none: True if reserved.

    One TransactWriteItems of conditional updates, so concurrent workers can never reserve
    more than the limit between them. A transaction cancelled only by a concurrent one is
    AWS's "not now" (ServiceBusy: the queue delivers the request again later).
    """
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for bucket, limit in limits:
                transaction.update(
                    RateLimitCounter(bucket),
                    actions=[
                        RateLimitCounter.count.add(1),
                        RateLimitCounter.first_at.set(RateLimitCounter.first_at | now),
                        RateLimitCounter.last_at.set(now),
                        RateLimitCounter.expires_ttl.set(expires),
                    ],
                    condition=RateLimitCounter.count.does_not_exist() | (RateLimitCounter.count < limit),
                )
    except TransactWriteError as error:
        if response_code(error) != "TransactionCanceledException" or cancelled_by_conflict(error):
            raise
        return False
    return True
