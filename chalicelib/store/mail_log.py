"""The mail log: every email the portal decided to send, per recipient address.

Keyed by the normalised address and sorted by time, it answers three questions with one
Query each: how many emails this address got in the last hour (the sending budget), did
this queue message already send its email (idempotent retries: the sort key holds the
request id), and what did we send to this person lately (the help desk). A campaign's
emails to a voter live in the same table under the voter's own partition, one entry per
campaign (`store.campaign_deliveries`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.mail_policy import Email
from chalicelib.store.base import condition_held, table_meta
from chalicelib.transient import translate_transient


class MailLogEntry(Model):
    Meta = table_meta("MAIL_LOG_TABLE")

    address = UnicodeAttribute(hash_key=True)
    # "<ISO time of the request>#<request id>": time-ordered, and unique per queue message.
    entry_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # confirmation, already_active, reset, claim_receipt...
    # sending, sent; for a campaign's entry also queued, failed, skipped, cancelled, bounced, complained
    status = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    ses_message_id = UnicodeAttribute(null=True)
    # The link this entry's email carries (its hash): a retry replaces it, never adds one.
    token_hash = UnicodeAttribute(null=True)
    attempt = NumberAttribute(default=1)
    # The claim an acknowledgement or answer is about: one receipt per claim, however often
    # the same claim is submitted.
    reference = UnicodeAttribute(null=True)
    # A campaign's email (`store.campaign_deliveries`, under the voter's own partition): the
    # campaign, the unit of its walk and the page that queued it, the address written to.
    campaign_id = UnicodeAttribute(null=True)
    unit = NumberAttribute(null=True)
    walk_page = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute(null=True)
    expires_ttl = TTLAttribute(null=True)


SENDING = "sending"
SENT = "sent"
KEEP = timedelta(days=180)


def time_key(moment: datetime) -> str:
    """Fixed-width UTC time, so that string order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_key(requested_at: datetime, request_id: str) -> str:
    return f"{time_key(requested_at)}#{request_id}"


@translate_transient()
def mail_since(address: str, since: datetime) -> list[MailLogEntry]:
    """This address's entries since an instant (one strongly consistent Query)."""
    return list(MailLogEntry.query(address, MailLogEntry.entry_key >= time_key(since), consistent_read=True))


@translate_transient()
def recent_mail(address: str, limit: int = 10) -> list[MailLogEntry]:
    """The newest entries for one address, newest first (one Query)."""
    return list(MailLogEntry.query(address, scan_index_forward=False, limit=limit))


@translate_transient()
def claim_attempt(
    address: str,
    key: str,
    kind: Email,
    *,
    requested_at: datetime,
    previous: MailLogEntry | None,
    now: datetime,
    token_hash: str | None,
    reference: str | None,
) -> MailLogEntry | None:
    """Write this attempt's entry, "sending"; None when a concurrent delivery of the same queue
    message got there first. The condition makes one attempt at a time own the entry: a first
    attempt only if there is no entry yet, a retry only if the entry is still the failed
    attempt it read (same number, still "sending")."""
    entry = MailLogEntry(
        address,
        key,
        kind=kind.value,
        status=SENDING,
        requested_at=requested_at,
        attempt=1 if previous is None else previous.attempt + 1,
        token_hash=token_hash,
        reference=reference,
        expires_ttl=now + KEEP,
    )
    condition = (
        MailLogEntry.entry_key.does_not_exist()
        if previous is None
        else (MailLogEntry.attempt == previous.attempt) & (MailLogEntry.status == SENDING)
    )
    return entry if condition_held(lambda: entry.save(condition=condition)) else None


@translate_transient()
def mark_sent(entry: MailLogEntry, *, now: datetime, ses_message_id: str) -> None:
    entry.update(
        actions=[
            MailLogEntry.status.set(SENT),
            MailLogEntry.sent_at.set(now),
            MailLogEntry.ses_message_id.set(ses_message_id),
        ]
    )
