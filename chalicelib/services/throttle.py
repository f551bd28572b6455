"""Failure counters for anything guessable (rules in `chalicelib.domain.throttling`), in DynamoDB.

Three items per address and kind, read in one BatchGetItem: this client's consecutive
failures, the address's failures this hour, and the address's "cleared at" marker, which a
completed password reset sets (for sign-in) so that every earlier count stops counting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain import throttling
from chalicelib.domain.errors import TooManyAttempts, TooManyRequests
from chalicelib.domain.throttling import ThrottleKind
from chalicelib.store import rate_limits

KEEP = timedelta(hours=2)


def _cleared_key(kind: ThrottleKind, address: str) -> str:
    return f"{kind.prefix}-cleared#{address}"


class Throttle:
    """One attempt's view of its counters: check before trying, then record how it went."""

    def __init__(self, kind: ThrottleKind, address: str, client: str, now: datetime):
        self.kind = kind
        self.now = now
        self.client_key = f"{kind.prefix}-client#{address}#{client}"
        self.hour_key = f"{kind.prefix}-hour#{address}#{throttling.hour_window(now)}"
        cleared_key = _cleared_key(kind, address)
        counters = rate_limits.read_counters([self.client_key, self.hour_key, cleared_key])
        marker = counters.get(cleared_key)
        cleared_at = marker.cleared_at if marker else None

        def live(key):
            counter = counters.get(key)
            if counter is None or (cleared_at and counter.first_at and counter.first_at < cleared_at):
                return None
            return counter

        self.client = live(self.client_key)
        self.hour = live(self.hour_key)
        # Counters from before a reset: replaced, not added to, at the next failure.
        self.stale = [k for k in (self.client_key, self.hour_key) if k in counters and live(k) is None]

    def check(self) -> None:
        """Raise TooManyAttempts if this client must wait: after its own failures (the backoff),
        or, once the address's hourly ceiling is reached, if it has failed for it at all.

        The ceiling binds only the clients that failed: strangers who spend it from many
        addresses lock themselves out, never the voter, whose device has not failed (each new
        client gets one try an hour beyond the ceiling, so guessing stays bounded).
        """
        has_failed = self.client is not None and self.client.count > 0
        if has_failed and self.hour is not None and self.hour.count >= self.kind.max_failures_per_hour:
            raise TooManyAttempts(throttling.seconds_to_next_hour(self.now))
        if self.client is not None:
            wait = throttling.retry_after(int(self.client.count), self.client.last_at, self.now, self.kind)
            if wait:
                raise TooManyAttempts(wait)

    def record_failure(self) -> None:
        for key in self.stale:
            rate_limits.forget(key)
        expires = self.now + KEEP
        rate_limits.increment(self.client_key, now=self.now, expires=expires)
        rate_limits.increment(self.hour_key, now=self.now, expires=expires)

    def record_success(self) -> None:
        if self.client is not None:
            rate_limits.forget(self.client_key)


def clear_address(kind: ThrottleKind, address: str, *, now: datetime) -> None:
    """Every count of this kind for this address, from before now, stops counting."""
    rate_limits.mark_cleared(_cleared_key(kind, address), now=now, expires=now + KEEP)


def within_hourly_limit(what: str, whose: str, limit: int, *, now: datetime) -> None:
    """Count one more `what` for `whose` this hour; TooManyRequests beyond `limit`."""
    within_limit(what, whose, limit, minutes=60, now=now)


def within_limit(what: str, whose: str, limit: int, *, minutes: int, now: datetime) -> None:
    """Count one more `what` for `whose` in this `minutes`-long window; TooManyRequests beyond `limit`."""
    start = throttling.window_start(now, minutes)
    count = rate_limits.increment(f"{what}#{whose}#{start:%Y%m%d%H%M}", now=now, expires=now + KEEP)
    if count > limit:
        raise TooManyRequests(throttling.seconds_to_window_end(now, minutes))
