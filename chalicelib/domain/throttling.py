"""Throttling that slows a guesser down without letting anyone lock a voter out.

Failures are counted per address *and client* for the backoff: after 5 consecutive failures
that client waits 1 s, then 2, 4… up to 15 min. Someone typing wrong passwords for a voter
from elsewhere only slows themselves. Across all clients an address may fail at most 100
times an hour (NIST SP 800-63B's ceiling); past it, a client that has failed for the address
waits for the next hour, while a client that has not (the voter's own device) still signs in:
strangers can spend the ceiling, not lock the voter out.
Unknown addresses are counted exactly like known ones, so the answer reveals nothing.

Each thing that can be guessed is one `ThrottleKind`: its own counters (a key prefix) and
its own limits, under the same rules. Guessing a voter code later is one more entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleKind:
    prefix: str  # names its counters: "<prefix>-client#…", "<prefix>-hour#…", "<prefix>-cleared#…"
    failures_before_backoff: int = 5
    first_wait_seconds: int = 1
    max_wait_seconds: int = 15 * 60
    max_failures_per_hour: int = 100


SIGN_IN = ThrottleKind("signin")
# The current password asked on the account page: someone holding a stolen session must not
# guess it at argon2's pace. Keyed by voter and client, the same rules as sign-in.
CURRENT_PASSWORD = ThrottleKind("current-password")
# The voter code, typed once per session before voting: keyed by voter and client like the
# password (backoff for this client; the hourly ceiling binds only clients that failed), and
# only a signed-in voter can try it at all, so a stranger cannot lock anyone out.
VOTER_CODE = ThrottleKind("voter-code", max_failures_per_hour=30)
# The birth date given to re-issue a voter code: few values to try, so few tries, per voter.
CODE_REISSUE = ThrottleKind("code-reissue", failures_before_backoff=3, first_wait_seconds=30, max_failures_per_hour=6)
# Re-issues that succeeded, per voter and day: enough for a mistake or two, not a loop.
REISSUES_PER_DAY = 3
# Birth dates tried per voter and day, whatever the client, each reserved before it is compared.
BIRTH_DATE_TRIES_PER_DAY = 10


def backoff_seconds(consecutive_failures: int, kind: ThrottleKind = SIGN_IN) -> int:
    """How long a client must wait after this many consecutive failures (0: no wait)."""
    if consecutive_failures < kind.failures_before_backoff:
        return 0
    doublings = consecutive_failures - kind.failures_before_backoff
    return min(kind.first_wait_seconds * 2 ** min(doublings, 20), kind.max_wait_seconds)


def retry_after(
    consecutive_failures: int, last_failure_at: datetime | None, now: datetime, kind: ThrottleKind = SIGN_IN
) -> int:
    """Seconds this client must still wait, rounded up; 0 when it may try."""
    wait = backoff_seconds(consecutive_failures, kind)
    if not wait or last_failure_at is None:
        return 0
    remaining = (last_failure_at + timedelta(seconds=wait) - now).total_seconds()
    return max(0, math.ceil(remaining))


def hour_window(now: datetime) -> str:
    return now.strftime("%Y%m%d%H")


def seconds_to_next_hour(now: datetime) -> int:
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, math.ceil((next_hour - now).total_seconds()))


def window_start(now: datetime, minutes: int) -> datetime:
    """The start of the `minutes`-long window holding `now` (windows start on the hour)."""
    return now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)


def seconds_to_window_end(now: datetime, minutes: int) -> int:
    end = window_start(now, minutes) + timedelta(minutes=minutes)
    return max(1, math.ceil((end - now).total_seconds()))
