"""A campaign's email to one voter, worker side: check again, claim, make the link, send once.

The walk queued the voter minutes ago; by now they may have activated their espace, left
the lists, changed address, or had their address bounce. So the worker checks again, then
claims the voter's delivery entry (queued → sending, conditional) and sends at most once:

- SES refused the email outright (throttling, quota, a pause of SES): nothing was sent, the
  entry goes back to "queued" and the message comes back later (`Deferred`);
- SES's answer never came (timeout, crash): it may have been sent, so it is never sent
  again ("failed", counted); the voter can still ask for a link on the portal, and a
  reminder will reach them if their espace is still not active.

The link is a registration link like any other (stored as a hash, voided when another is
used), valid until the claims of the voter's first ballot close, and at least
INVITATION_LINK_DAYS days.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from email.utils import parseaddr

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from chalicelib import settings
from chalicelib.domain.campaigns import CampaignState, address_facts, link_expiry, ses_tags
from chalicelib.domain.errors import ServiceBusy
from chalicelib.domain.links import LinkPurpose, hash_secret, mask_email, new_secret
from chalicelib.domain.mail_policy import Email
from chalicelib.mail import queue
from chalicelib.mail.ses import send_raw_email
from chalicelib.services.after_commit import best_effort
from chalicelib.store import campaign_deliveries as deliveries
from chalicelib.store.accounts import forget_reached, prepare_for_campaign, reached_mark
from chalicelib.store.ballots import BallotItem, get_ballots
from chalicelib.store.campaigns import CampaignItem, add_to_counter, find_campaign
from chalicelib.store.deliverability import find_status
from chalicelib.store.tokens import save_token
from chalicelib.store.voters import find_voter
from chalicelib.transient import TRANSIENT_CODES

LETTER_OF = {"invitation": Email.INVITATION, "reminder": Email.REMINDER}
# A campaign's state is read again at most this often by each worker: a pause or a cancel
# takes effect within these seconds.
STATE_SECONDS = 5
BALLOT_SECONDS = 300
PARKED_SECONDS = 300  # a paused campaign's emails come back this much later
RETRY_SECONDS = 30  # an email SES refused for now comes back this much later
# A claim younger than this is an attempt still at work (a worker lives 30 s at most); an
# older one died before SES answered. SQS hides a message 180 s before handing it out again.
CLAIM_SECONDS = 60


class Deferred(Exception):
    """Not now (SES refused, the campaign is paused): put the request back, delayed, as it
    was or as `body` says (an email sent whose record is still to write)."""

    def __init__(self, seconds: int, reason: str, body: dict | None = None):
        super().__init__(reason)
        self.seconds, self.reason, self.body = seconds, reason, body


class _Cache:
    """Items kept for a few seconds within one worker container, by `now` (tests move it)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.items: dict = {}

    def get(self, key, now: datetime, load):
        found = self.items.get(key)
        if found is None or (now - found[1]).total_seconds() >= self.seconds or now < found[1]:
            found = (load(key), now)
            self.items[key] = found
        return found[0]


_campaigns = _Cache(STATE_SECONDS)
_ballots: dict[str, tuple[BallotItem, datetime]] = {}


def _ballots_of(ballot_ids, now: datetime) -> list[BallotItem]:
    """The voter's ballots in voting order, from a few minutes' cache (one BatchGetItem for
    those not in it): a campaign's emails name the same few hundred ballots again and again."""
    wanted = sorted(ballot_ids or ())
    stale = [b for b in wanted if b not in _ballots or (now - _ballots[b][1]).total_seconds() >= BALLOT_SECONDS]
    if stale:
        for ballot in get_ballots(stale):
            _ballots[ballot.ballot_id] = (ballot, now)
    found = [_ballots[b][0] for b in wanted if b in _ballots]
    return sorted(found, key=lambda b: (b.voting_opens_at, b.label))


def _skip_reason(voter, recipient: str) -> str | None:
    """Why the voter no longer qualifies, from their item and their address's reports."""
    if voter is None or not voter.is_listed:
        return "not_listed"
    if voter.email != recipient:
        return "address_changed"  # the import wrote to the new address itself
    status = find_status(voter.email)
    if status is not None:
        facts = address_facts(
            last_event=status.last_event, bounce_type=status.bounce_type, complaints=int(status.complaints or 0)
        )
        if facts.complained:
            return "complained"
        if facts.bounced:
            return "bounced"
    return None


def _prepare_link(campaign_id: str, unit: int, voter, now: datetime):
    """The pending espace and its new link: (secret, expiry, ballots), or None if the espace
    became active (or suspended) since the walk."""
    account = prepare_for_campaign(voter.voter_id, reached_mark(campaign_id, unit), now=now)
    if account is None:
        return None
    ballots = _ballots_of(voter.ballot_ids, now)
    secret = new_secret()
    expires_at = link_expiry(
        now=now,
        claims_close=[b.claims_close_at for b in ballots],
        minimum=timedelta(days=settings.integer("INVITATION_LINK_DAYS", 21)),
    )
    links_after = account.tokens_valid_after
    save_token(
        hash_secret(secret),
        voter_id=voter.voter_id,
        purpose=LinkPurpose.REGISTRATION.value,
        # After the account's "links void before" mark, even if this machine's clock is behind.
        created_at=max(now, links_after + timedelta(microseconds=1)) if links_after else now,
        expires_at=expires_at,
        request_id=f"campaign-{campaign_id}",
        masked_email=mask_email(voter.email),
    )
    return secret, expires_at, ballots


def _not_claimed(voter_id: str, campaign_id: str, unit: int, now: datetime) -> str:
    """Why the entry could not be claimed: handled already, being handled right now by a copy
    of this message, or claimed by an attempt that died before SES answered."""
    entry = deliveries.find_delivery(voter_id, campaign_id)
    if entry is None:
        return "no_entry"
    if entry.status != deliveries.SENDING:
        return "already_handled"
    age = (now - entry.sent_at).total_seconds() if entry.sent_at is not None else CLAIM_SECONDS
    if age < CLAIM_SECONDS:
        # A copy of this message while the first one sends, or an attempt that could not write
        # its outcome: look again once the claim is old enough to tell.
        raise Deferred(int(CLAIM_SECONDS - age) + 1, "in_progress")
    # An earlier attempt claimed it and never said how SES answered: perhaps sent.
    deliveries.settle(voter_id, campaign_id, unit, deliveries.FAILED, now=now, reason="interrupted")
    return "failed"


def send_campaign_email(body: dict, *, now: datetime, pace=lambda: None) -> str:
    """Handle one queued campaign email; returns what happened (for logs and tests).
    `pace()` is called just before SES, so only real sends are spaced out."""
    campaign_id, unit, voter_id = body["campaign_id"], int(body["unit"]), body["voter_id"]
    if body.get("count"):  # settled earlier; only its unit's counter was left to add to
        add_to_counter(campaign_id, unit, body["count"])
        return "counted"
    if body.get("sent"):  # SES took it earlier; only its record was left to write
        settle_sent(body, body["sent"], now=now)
        return "recorded"
    campaign: CampaignItem | None = _campaigns.get(campaign_id, now, find_campaign)
    if campaign is None:
        return "unknown_campaign"
    state = CampaignState(campaign.state)
    if state is CampaignState.CANCELLED:
        if deliveries.settle(voter_id, campaign_id, unit, deliveries.CANCELLED, now=now):
            return "cancelled"
        return _not_claimed(voter_id, campaign_id, unit, now)
    if state is not CampaignState.RUNNING:
        raise Deferred(PARKED_SECONDS, "paused")

    entry = deliveries.claim_send(voter_id, campaign_id, now=now)
    if entry is None:
        return _not_claimed(voter_id, campaign_id, unit, now)
    try:
        voter = find_voter(voter_id)
        reason = _skip_reason(voter, entry.recipient)
        prepared = None if reason else _prepare_link(campaign_id, unit, voter, now)
    except ServiceBusy:
        deliveries.release(entry)  # nothing was sent: it may be tried again
        raise
    if reason:
        deliveries.settle(voter_id, campaign_id, unit, deliveries.SKIPPED, now=now, reason=reason)
        return f"skipped_{reason}"
    if prepared is None:
        deliveries.settle(voter_id, campaign_id, unit, deliveries.SKIPPED, now=now, reason="active")
        return "skipped_active"
    secret, expires_at, ballots = prepared

    from chalicelib.domain.email_templates import build_message, letter

    configured = settings.Settings.from_environment()
    content = letter(
        LETTER_OF[campaign.kind],
        portal_url=configured.portal_url,
        first_name=voter.first_name,
        now=now,
        secret=secret,
        expires_at=expires_at,
        ballots=tuple((b.label, b.voting_opens_at, b.voting_closes_at) for b in ballots),
        code_delivery=voter.code_delivery,
    )
    message = build_message(content, sender=configured.mail_sender, recipient=voter.email, now=now)
    pace()
    try:
        ses_message_id = send_raw_email(
            message, parseaddr(configured.mail_sender)[1], voter.email, tags=ses_tags(campaign_id, unit, voter_id)
        )
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        deliveries.release(entry)  # the request never reached SES: nothing was sent
        raise Deferred(RETRY_SECONDS, "ses_unreachable") from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in TRANSIENT_CODES:  # SES answered "not now": nothing was sent
            deliveries.release(entry)
            raise Deferred(RETRY_SECONDS, "ses_throttled") from error
        # SES refused this email for good (e.g. MessageRejected): nothing was sent, and
        # sending it again would be refused again.
        deliveries.settle(voter_id, campaign_id, unit, deliveries.FAILED, now=now, reason=f"ses_{code}"[:64])
        # Not reached after all: an activation later is not this campaign's doing.
        best_effort("forget_reached", forget_reached, voter_id, reached_mark(campaign_id, unit))
        return "failed"
    except Exception:
        # No answer from SES: perhaps sent. Never again (at most one email per campaign).
        deliveries.settle(voter_id, campaign_id, unit, deliveries.FAILED, now=now, reason="no_answer")
        return "failed"
    settle_sent(body, ses_message_id, now=now)
    return "sent"


SETTLE_ATTEMPTS = 3


def settle_sent(body: dict, ses_message_id: str, *, now: datetime) -> None:
    """SES took the email: record it, trying a few times; if DynamoDB still refuses, the
    record goes back to the queue on its own (`Deferred` with the SES message id), so the
    entry never stays "sending" (it would count as failed, the campaign never done)."""
    for attempt in range(SETTLE_ATTEMPTS):
        try:
            deliveries.settle(
                body["voter_id"],
                body["campaign_id"],
                int(body["unit"]),
                deliveries.SENT,
                now=now,
                ses_message_id=ses_message_id,
            )
            return
        except ServiceBusy:
            if attempt == SETTLE_ATTEMPTS - 1:
                raise Deferred(RETRY_SECONDS, "settle_later", {**body, "sent": ses_message_id}) from None
            time.sleep(0.2 * (attempt + 1))


def defer(body: dict, seconds: int) -> None:
    """Put the request back on the campaign mail queue, to come back in `seconds`."""
    queue.enqueue(body, queue=queue.CAMPAIGN_MAIL, delay_seconds=seconds)


def forget_caches() -> None:
    """Tests: the next email reads its campaign and ballots again."""
    _campaigns.items.clear()
    _ballots.clear()
