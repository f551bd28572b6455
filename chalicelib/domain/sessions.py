"""Session lifetimes: idle and absolute expiry, and how often last-seen is refreshed.

The session id is a random secret in an HttpOnly, Secure, SameSite=Strict cookie; the store
keeps only its SHA-256. Refreshing last-seen at most every few minutes keeps a page view to
one read instead of a read and a write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


class SessionPolicy(NamedTuple):
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    refresh_every: timedelta = timedelta(minutes=5)

    def expires_at(self, created_at: datetime, last_seen_at: datetime) -> datetime:
        return min(last_seen_at + self.idle, created_at + self.absolute)

    def is_alive(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now < self.expires_at(created_at, last_seen_at)

    def needs_refresh(self, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= self.refresh_every
