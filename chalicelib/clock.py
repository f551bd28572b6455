"""The one place that reads the clock. Entrypoints pass `now` down; tests replace this."""

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
