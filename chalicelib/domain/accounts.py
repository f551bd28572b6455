"""The states of a voter's espace."""

from __future__ import annotations

from enum import Enum


class AccountStatus(str, Enum):
    """Stored as its value; a `str` enum, so a stored "active" compares equal to ACTIVE."""

    PENDING = "pending"  # a confirmation email was sent; no password yet
    ACTIVE = "active"  # a password was created from a confirmation link
