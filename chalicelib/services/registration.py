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
from chalicelib.mail.queue import enqueue_mail_request
from chalicelib.store.mail_log import time_key


def request_email(request: MailRequestKind, raw_email, *, now: datetime, new_id=uuid.uuid4) -> str:
    """A registration or reset request: validate the address's form and queue it. Same path for
    everyone; returns the normalised address (the voter's own input, to show back to them)."""
    email = normalise_email(raw_email)
    if not is_well_formed(email):
        raise InvalidEmail()
    enqueue_mail_request(
        {"request": request.value, "email": email, "request_id": str(new_id()), "requested_at": time_key(now)}
    )
    return email


def request_notice(request: MailRequestKind, *, now: datetime, new_id=uuid.uuid4, **fields) -> None:
    """Queue an email that follows from something done (password changed, claim received or
    answered), with the fields its recipient is found by."""
    enqueue_mail_request(
        {"request": request.value, "request_id": str(new_id()), "requested_at": time_key(now), **fields}
    )
