"""Sending one email through SES with SendRawEmail (text and HTML parts, as built)."""

from __future__ import annotations

from email.message import EmailMessage

from chalicelib import settings
from chalicelib.mail.clients import client, single_attempt_client


def send_raw_email(
    message: EmailMessage, sender_address: str, recipient: str, *, tags: dict[str, str] | None = None
) -> str:
    """Send and return SES's message id. SES errors propagate: the worker retries later.

    The stage's configuration set (when there is one) reports bounces and complaints back
    to us; locally there is none. A campaign's email carries `tags` (SES message tags, which
    come back in those reports) and is tried once only (`clients.SINGLE_ATTEMPT`).
    """
    extra = {}
    configuration_set = settings.optional("MAIL_CONFIGURATION_SET")
    if configuration_set:
        extra["ConfigurationSetName"] = configuration_set
    if tags:
        extra["Tags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
    ses = single_attempt_client("ses") if tags else client("ses")
    response = ses.send_raw_email(
        Source=sender_address,
        Destinations=[recipient],
        RawMessage={"Data": message.as_bytes()},
        **extra,
    )
    return response["MessageId"]
