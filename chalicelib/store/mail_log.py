"""The mail log: every email the portal decided to send, per recipient address.

Keyed by the normalised address and sorted by time, it answers three questions with one
Query each: how many emails this address got in the last hour (the sending budget), did
this queue message already send its email (idempotent retries: the sort key holds the
request id), and what did we send to this person lately (the help desk).
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class MailLogEntry(Model):
    Meta = table_meta("MAIL_LOG_TABLE")

    address = UnicodeAttribute(hash_key=True)
    # "<ISO time of the request>#<request id>": time-ordered, and unique per queue message.
    entry_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # confirmation, already_active, reset, claim_receipt...
    status = UnicodeAttribute()  # sending, sent, bounced, complaint
    requested_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    ses_message_id = UnicodeAttribute(null=True)
    expires_ttl = TTLAttribute(null=True)


def recent_mail(address: str, limit: int = 10) -> list[MailLogEntry]:
    """The newest entries for one address, newest first (one Query)."""
    return list(MailLogEntry.query(address, scan_index_forward=False, limit=limit))
