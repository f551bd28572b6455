"""A campaign's email to one voter: one mail log entry per (campaign, voter), and its fate.

The entry lives in the mail log under the voter's own partition ("voter#<id>"), sorted by
campaign ("campaign#<id>"), so its key is the pair the guarantee is about: whatever the
messages, workers and retries, a campaign writes to a voter at most once.

    queued ──▶ sending ──▶ sent ──▶ bounced | complained
      │           ├──────▶ failed      (SES may or may not have taken it: never sent again)
      │           └──────▶ queued      (SES refused it outright, e.g. throttling: try later)
      ├──────────────────▶ skipped     (at sending time, the voter no longer qualifies)
      └──────────────────▶ cancelled   (the campaign was cancelled first)

Each move is conditional on the state it leaves, then adds one to its unit's counter.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from chalicelib.domain.errors import ServiceBusy
from chalicelib.store.base import condition_held, get_or_none
from chalicelib.store.campaigns import add_to_counter
from chalicelib.store.mail_log import KEEP, MailLogEntry
from chalicelib.transient import translate_transient

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
CANCELLED = "cancelled"
BOUNCED = "bounced"
COMPLAINED = "complained"


def voter_partition(voter_id: str) -> str:
    return f"voter#{voter_id}"


def campaign_key(campaign_id: str) -> str:
    return f"campaign#{campaign_id}"


class Queueing(str, Enum):
    """What the walk learnt when it wrote a voter's entry."""

    NEW = "new"  # written now: queue the email
    # This unit wrote it before: a page that died before it was committed (perhaps before
    # its emails were queued), walked again, even if the voter has moved to another page since.
    OURS_QUEUED = "ours_queued"  # still waiting: queue it again (the claim makes copies harmless)
    OURS_HANDLED = "ours_handled"  # the mail worker has it already
    # Another unit (another of the chosen ballots) reached the voter first.
    OTHER_QUEUED = "other_queued"  # still waiting: queue it again too, in case that unit died
    OTHER = "other"


@translate_transient()
def queue_delivery(
    *, campaign_id: str, unit: int, voter_id: str, recipient: str, kind: str, walk_page: str, now: datetime
) -> Queueing:
    """The voter's entry for this campaign, "queued", unless one exists (a conditional put)."""
    entry = MailLogEntry(
        voter_partition(voter_id),
        campaign_key(campaign_id),
        kind=kind,
        status=QUEUED,
        requested_at=now,
        campaign_id=campaign_id,
        unit=unit,
        walk_page=walk_page,
        recipient=recipient,
        expires_ttl=now + KEEP,
    )
    if condition_held(lambda: entry.save(condition=MailLogEntry.address.does_not_exist())):
        return Queueing.NEW
    existing = find_delivery(voter_id, campaign_id)
    waiting = existing is not None and existing.status == QUEUED
    if existing is None or int(existing.unit) != unit:
        return Queueing.OTHER_QUEUED if waiting else Queueing.OTHER
    return Queueing.OURS_QUEUED if waiting else Queueing.OURS_HANDLED


@translate_transient()
def find_delivery(voter_id: str, campaign_id: str) -> MailLogEntry | None:
    return get_or_none(MailLogEntry, voter_partition(voter_id), campaign_key(campaign_id), consistent_read=True)


@translate_transient()
def campaign_history(voter_id: str) -> list[MailLogEntry]:
    """Every campaign's entry for this voter (one Query), oldest campaign first."""
    return list(MailLogEntry.query(voter_partition(voter_id), MailLogEntry.entry_key.startswith("campaign#")))


@translate_transient()
def claim_send(voter_id: str, campaign_id: str, *, now: datetime) -> MailLogEntry | None:
    """queued → sending: the one worker that wins this may send; the entry as it now is (one
    UpdateItem returning it), or None when it was not queued (nothing written)."""
    entry = MailLogEntry(voter_partition(voter_id), campaign_key(campaign_id))
    claimed = condition_held(
        lambda: entry.update(
            actions=[
                MailLogEntry.status.set(SENDING),
                MailLogEntry.attempt.set(MailLogEntry.attempt + 1),
                MailLogEntry.sent_at.set(now),
            ],
            condition=MailLogEntry.status == QUEUED,
        )
    )
    return entry if claimed else None


@translate_transient()
def release(entry: MailLogEntry) -> bool:
    """sending → queued: SES refused the email outright (nothing was sent); it may be tried again."""
    return condition_held(
        lambda: entry.update(actions=[MailLogEntry.status.set(QUEUED)], condition=MailLogEntry.status == SENDING)
    )


# A settling move: from which states, to which, and the counter it adds one to.
MOVES = {
    SENT: ((SENDING,), "sent"),
    FAILED: ((SENDING,), "failed"),
    SKIPPED: ((QUEUED, SENDING), "skipped"),
    CANCELLED: ((QUEUED,), "cancelled"),
    BOUNCED: ((SENT,), "bounced"),
    COMPLAINED: ((SENT, BOUNCED), "complained"),
}


class CountPending(Exception):
    """The entry moved, but its unit's counter could not be added to (DynamoDB busy): the
    caller adds it later (`campaigns.add_to_counter`), once."""

    def __init__(self, counter_name: str):
        super().__init__(counter_name)
        self.counter_name = counter_name


@translate_transient()
def settle(
    voter_id: str,
    campaign_id: str,
    unit: int,
    to_status: str,
    *,
    now: datetime,
    reason: str | None = None,
    ses_message_id: str | None = None,
) -> bool:
    """Move the voter's entry to `to_status` (conditional on the state it leaves), then count
    it on its unit; False when the entry was not in a state this move leaves (nothing written).

    Two writes, not a transaction. The entry is the truth (at most one email, whatever
    happens); the counter is its running sum, for `campaign status`. When DynamoDB refuses the
    counter, `CountPending` tells the caller to add it later; only a worker dying between the
    two writes (milliseconds apart) leaves an email uncounted. A transaction would close that
    gap for twice the write units, and on moto, which copies every table a transaction
    touches, it makes each email cost a copy of the whole mail log: the local stack could not
    run a campaign of 100,000 voters."""
    from_statuses, counter_name = MOVES[to_status]
    actions = [MailLogEntry.status.set(to_status)]
    if to_status == SENT:
        actions += [MailLogEntry.sent_at.set(now), MailLogEntry.ses_message_id.set(ses_message_id)]
    if reason:
        actions.append(MailLogEntry.reference.set(reason))  # why it was skipped or failed
    entry = MailLogEntry(voter_partition(voter_id), campaign_key(campaign_id))
    if not condition_held(lambda: entry.update(actions=actions, condition=MailLogEntry.status.is_in(*from_statuses))):
        return False
    try:
        add_to_counter(campaign_id, unit, counter_name)
    except ServiceBusy:
        raise CountPending(counter_name) from None
    return True
