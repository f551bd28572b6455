"""Sign-in throttling that slows a guesser down without letting anyone lock a voter out.

Failures are counted per address *and client* for the backoff: after 5 consecutive failures
that client waits 1 s, then 2, 4… up to 15 min. Someone typing wrong passwords for a voter
from elsewhere only slows themselves. Across all clients an address may fail at most 100
times an hour (NIST SP 800-63B's ceiling), high enough that nobody reaches it by accident.
Unknown addresses are counted exactly like known ones, so the answer reveals nothing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

FAILURES_BEFORE_BACKOFF = 5
FIRST_WAIT_SECONDS = 1
MAX_WAIT_SECONDS = 15 * 60
MAX_FAILURES_PER_HOUR = 100


def backoff_seconds(consecutive_failures: int) -> int:
    """How long a client must wait after this many consecutive failures (0: no wait)."""
    if consecutive_failures < FAILURES_BEFORE_BACKOFF:
        return 0
    doublings = consecutive_failures - FAILURES_BEFORE_BACKOFF
    return min(FIRST_WAIT_SECONDS * 2 ** min(doublings, 20), MAX_WAIT_SECONDS)


def retry_after(consecutive_failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """Seconds this client must still wait, rounded up; 0 when it may try."""
    wait = backoff_seconds(consecutive_failures)
    if not wait or last_failure_at is None:
        return 0
    remaining = (last_failure_at + timedelta(seconds=wait) - now).total_seconds()
    return max(0, math.ceil(remaining))


def hour_window(now: datetime) -> str:
    return now.strftime("%Y%m%d%H")


def seconds_to_next_hour(now: datetime) -> int:
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, math.ceil((next_hour - now).total_seconds()))
