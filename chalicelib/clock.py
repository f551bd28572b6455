"""The one place that reads the clock. Entrypoints pass `now` down; tests replace this."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
