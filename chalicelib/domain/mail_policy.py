"""Which email, if any, answers a request: the worker's decision, as a pure function.

The request handlers answer the same thing for every address; the worker decides, where
no one can observe it, what this address should receive.
"""

from __future__ import annotations

from enum import Enum

HOURLY_BUDGET = 3  # emails of the kinds below per address per hour


class Request(str, Enum):
    REGISTRATION = "registration"
    RESET = "reset"
    PASSWORD_CHANGED = "password_changed"


class Email(str, Enum):
    CONFIRMATION = "confirmation"
    ALREADY_ACTIVE = "already_active"
    RESET = "reset"
    PASSWORD_CHANGED = "password_changed"


# Notices that tell the voter something happened to their account are always sent.
OUTSIDE_BUDGET = {Email.PASSWORD_CHANGED}


def email_for(request: Request, *, listed: bool, active: bool) -> Email | None:
    if not listed:
        return None
    if request is Request.PASSWORD_CHANGED:
        return Email.PASSWORD_CHANGED
    if request is Request.REGISTRATION:
        return Email.ALREADY_ACTIVE if active else Email.CONFIRMATION
    return Email.RESET if active else Email.CONFIRMATION
