"""Email requests, API side: registration, password reset, and the notices that follow an action.

The request handler only checks the address's form and queues it, so every address takes the
same path in the same time and nothing can be learnt from the answer. What the address then
receives, if anything, is decided by the mail worker (`services.outgoing_mail`), where no one
can observe it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from chalicelib.domain.emails import is_well_formed, normalise_email
from chalicelib.domain.errors import InvalidEmail
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.mail.queue import enqueue
from chalicelib.services.throttle import within_limit
from chalicelib.store.mail_log import time_key

# Link requests (registration, reset, renewal) one client may make: 30 every 10 minutes, enough
# for a school's staff behind one address in the opening hour, far below a flood.
REQUESTS_PER_CLIENT = 30
REQUEST_WINDOW_MINUTES = 10


def request_email(
    request: MailRequestKind, raw_email, *, now: datetime, client: str | None = None, new_id=uuid.uuid4
) -> str:
    """A registration or reset request: validate the address's form and queue it. Same path for
    everyone; returns the normalised address (the voter's own input, to show back to them)."""
    email = normalise_email(raw_email)
    if not is_well_formed(email):
        raise InvalidEmail()
    if client is not None:
        # Before the queue: one client cannot flood it (nor SES's daily quota) and delay everyone's
        # links. Counted whatever the address, so the answer still says nothing about it.
        within_limit("mail-requests-client", client, REQUESTS_PER_CLIENT, minutes=REQUEST_WINDOW_MINUTES, now=now)
    enqueue(
        {
            "request": request.value,
            "email": email,
            "request_id": str(new_id()),
            "requested_at": time_key(now),
            # Who asked, for the sending budget per address and client (never logged).
            "client": client,
        }
    )
    return email


def request_notice(request: MailRequestKind, *, now: datetime, new_id=uuid.uuid4, **fields) -> None:
    """Queue an email that follows from something done (password changed, claim received or
    answered), with the fields its recipient is found by."""
    enqueue({"request": request.value, "request_id": str(new_id()), "requested_at": time_key(now), **fields})
