"""Sending one email through SES with SendRawEmail (text and HTML parts, as built)."""

from __future__ import annotations

from email.message import EmailMessage

from chalicelib.mail.clients import client


def send_raw_email(message: EmailMessage, sender_address: str, recipient: str) -> str:
    """Send and return SES's message id. SES errors propagate: the worker retries later."""
    response = client("ses").send_raw_email(
        Source=sender_address,
        Destinations=[recipient],
        RawMessage={"Data": message.as_bytes()},
    )
    return response["MessageId"]
