"""Email requests, worker side: decide who gets which email, claim the send, send it.

The worker, where no one can observe it, looks the address up, applies the hourly budget,
creates the link and sends through SES (the API side, which only queues, is
`services.registration`).

A queue message may be delivered more than once, and a send may fail and be retried. The
mail log entry keyed by the request's own id makes that safe: once an entry says "sent",
later deliveries send nothing; an entry still "sending" means an earlier attempt did not
see SES accept the message. That attempt's link is left valid, never deleted: SES may have
accepted the email all the same (a timeout after acceptance, a crash before the entry was
marked sent), and deleting it would kill the link of an email already delivered. The retry
sends again (at-least-once) with a new link; every unexpired link of the account works until
one is used, which voids the others. An undelivered link's secret exists nowhere (only its
hash is stored), and its item expires with the token table's TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import NamedTuple

from chalicelib import settings
from chalicelib.domain.links import LIFETIMES, LinkPurpose, hash_secret, mask_email, new_secret
from chalicelib.domain.mail_policy import (
    ADDRESS_HOURLY_CEILING,
    HOURLY_BUDGET,
    OUTSIDE_BUDGET,
    Email,
    MailRequestKind,
    email_for,
)
from chalicelib.domain.throttling import hour_window
from chalicelib.logs import log_event
from chalicelib.mail.ses import send_raw_email
from chalicelib.services.after_commit import best_effort
from chalicelib.store import mail_log, rate_limits
from chalicelib.store.accounts import ACTIVE, create_pending_account, find_account
from chalicelib.store.ballots import find_ballot
from chalicelib.store.claims import find_claim
from chalicelib.store.mail_log import SENDING, SENT, MailLogEntry
from chalicelib.store.tokens import save_token
from chalicelib.store.voters import Voter, find_listed_voter, find_voter

# Budget counters live two hours past the request's hour; requests queued by code that did
# not say who asked share one client.
BUDGET_KEPT = timedelta(hours=2)
UNKNOWN_CLIENT = "-"

LINK_PURPOSES = {
    Email.CONFIRMATION: LinkPurpose.REGISTRATION,
    Email.RESET: LinkPurpose.RESET,
    Email.ALREADY_ACTIVE: LinkPurpose.RESET,
    Email.ADDRESS_CONFIRMATION: LinkPurpose.REGISTRATION,
}
# Notices about an account, whose request names the voter rather than an address.
BY_VOTER_ID = {
    MailRequestKind.PASSWORD_CHANGED,
    MailRequestKind.PASSWORD_CHANGED_SIGNED_IN,
    MailRequestKind.VOTE_RECORDED,
    MailRequestKind.CODE_REISSUED,
}
# An import changed the voter's address: each request names the voter and its recipient.
ADDRESS_CHANGE = {
    MailRequestKind.ADDRESS_CHANGED: Email.ADDRESS_CHANGED,
    MailRequestKind.ADDRESS_CONFIRMATION: Email.ADDRESS_CONFIRMATION,
}


class Outcome(NamedTuple):
    """What the worker did with one request (for logs and tests; never holds a secret)."""

    email: Email | None
    reason: str


class _Recipient(NamedTuple):
    address: str
    first_name: str
    kind: Email
    voter_id: str | None = None
    needs_account: bool = False  # a confirmation to a voter who has no account yet
    reference: str | None = None
    answer: str | None = None
    # The account's links are void until this instant: a new link is dated after it, even
    # if this machine's clock is behind the one that set it.
    links_after: datetime | None = None
    scrutin: str | None = None  # a vote recorded: the scrutin's label and the émargement's time
    voted_at: datetime | None = None
    issued_at: datetime | None = None  # a voter code re-issued: when, and by whom
    by_help_desk: bool = False


def _address_change_recipient(request: MailRequestKind, body: dict) -> _Recipient | None:
    """The notice goes to the address left, whatever happened since. The link goes to the
    address taken only while the espace is still suspended for this very change (not
    confirmed yet, not changed again since), even if the import has not written the voter's
    new address yet, or not listed them again yet (`services.voter_import.suspensions`)."""
    voter = find_voter(body["voter_id"])
    if voter is None:
        return None
    kind = ADDRESS_CHANGE[request]
    if kind is Email.ADDRESS_CHANGED:
        return _Recipient(body["email"], voter.first_name, kind, voter_id=voter.voter_id)
    account = find_account(voter.voter_id)
    if account is None or account.status == ACTIVE or account.address_change != body["change"]:
        return None
    return _Recipient(
        body["email"], voter.first_name, kind, voter_id=voter.voter_id, links_after=account.tokens_valid_after
    )


def _listed_voter(request: MailRequestKind, body: dict) -> Voter | None:
    if request in BY_VOTER_ID:
        voter = find_voter(body["voter_id"])
        return voter if voter is not None and voter.is_listed else None
    return find_listed_voter(body["email"])


def _recipient(request: MailRequestKind, body: dict) -> _Recipient | None:
    """Who gets which email for this request, or None for nobody."""
    if request is MailRequestKind.CLAIM_RECEIPT:
        # Only to a listed address: an official email to any address would be a relay.
        voter = find_listed_voter(body["email"])
        if voter is None:
            return None
        return _Recipient(voter.email, voter.first_name, Email.CLAIM_RECEIPT, reference=body["reference"])
    if request is MailRequestKind.CLAIM_ANSWER:
        claim = find_claim(body["reference"])
        if claim is None or claim.answer is None:
            return None
        address, first_name = claim.email, claim.first_name
        if claim.voter_id:
            voter = find_voter(claim.voter_id)
            if voter is None:
                return None
            address, first_name = voter.email or voter.removed_email, voter.first_name
        return _Recipient(address, first_name, Email.CLAIM_ANSWER, reference=claim.reference, answer=claim.answer)
    if request in ADDRESS_CHANGE:
        return _address_change_recipient(request, body)
    voter = _listed_voter(request, body)
    if voter is None:
        return None
    if request is MailRequestKind.VOTE_RECORDED:
        return _vote_recipient(voter, body)
    if request is MailRequestKind.CODE_REISSUED:
        issued_at = datetime.strptime(body["issued_at"], "%Y-%m-%dT%H:%M:%S.%f%z")
        return _Recipient(
            voter.email, voter.first_name, Email.CODE_REISSUED, voter_id=voter.voter_id, issued_at=issued_at,
            by_help_desk=body.get("path") == "help-desk",
        )  # fmt: skip
    account = find_account(voter.voter_id)
    kind = email_for(request, listed=True, active=account is not None and account.status == ACTIVE)
    return _Recipient(
        voter.email,
        voter.first_name,
        kind,
        voter_id=voter.voter_id,
        needs_account=kind is Email.CONFIRMATION and account is None,
    )


def _vote_recipient(voter: Voter, body: dict) -> _Recipient | None:
    ballot = find_ballot(body["ballot_id"])
    if ballot is None:
        return None
    voted_at = datetime.strptime(body["voted_at"], "%Y-%m-%dT%H:%M:%S.%f%z")
    return _Recipient(
        voter.email,
        voter.first_name,
        Email.VOTE_RECORDED,
        voter_id=voter.voter_id,
        scrutin=ballot.label,
        voted_at=voted_at,
    )


def _refusal(recipient: _Recipient, key: str, mine: MailLogEntry | None, recent: list[MailLogEntry]) -> str | None:
    """Why nothing may be sent for this request, from the address's recent mail; None to send."""
    if mine is not None and mine.status == SENT:
        return "already_sent"
    kind = recipient.kind
    if kind is Email.CLAIM_RECEIPT and any(
        e.reference == recipient.reference
        and e.kind == kind.value
        and e.entry_key != key
        and e.status in (SENDING, SENT)
        for e in recent
    ):
        return "already_sent"  # the same claim submitted again
    return None


def _reserve_budget(address: str, client: str, requested_at: datetime, now: datetime) -> bool:
    """One email of this address's budget, in the hour the request arrived (see `mail_policy`).

    Reserved once, when the request is first handled; a worker that crashes between this and
    its mail log entry leaves a reservation unused (the budget fails closed, never open).
    """
    window = hour_window(requested_at)
    return rate_limits.reserve(
        [
            (f"mail-client#{address}#{client}#{window}", HOURLY_BUDGET),
            (f"mail-address#{address}#{window}", ADDRESS_HOURLY_CEILING),
        ],
        now=now,
        expires=max(now, requested_at) + BUDGET_KEPT,
    )


def handle_mail_request(body: dict, *, now: datetime) -> Outcome:
    """Decide, then send at most one email for this request."""
    request = MailRequestKind(body["request"])
    request_id = body["request_id"]
    requested_at = datetime.strptime(body["requested_at"], "%Y-%m-%dT%H:%M:%S.%f%z")
    recipient = _recipient(request, body)
    if recipient is None:
        return Outcome(None, "no_recipient")
    kind, address = recipient.kind, recipient.address
    key = mail_log.entry_key(requested_at, request_id)

    hour_ago = now - timedelta(hours=1)
    # From the request's own time too: a retry after a long outage still finds its entry.
    recent = mail_log.mail_since(address, min(hour_ago, requested_at))
    mine = next((e for e in recent if e.entry_key == key), None)
    refusal = _refusal(recipient, key, mine, recent)
    if refusal:
        return Outcome(None, refusal)
    if mine is None and kind not in OUTSIDE_BUDGET:
        if not _reserve_budget(address, body.get("client") or UNKNOWN_CLIENT, requested_at, now):
            return Outcome(None, "over_budget")

    secret = expires_at = None
    if kind in LINK_PURPOSES:
        secret = new_secret()
        expires_at = now + LIFETIMES[LINK_PURPOSES[kind]]
    entry = mail_log.claim_attempt(
        address,
        key,
        kind,
        requested_at=requested_at,
        previous=mine,
        now=now,
        token_hash=hash_secret(secret) if secret else None,
        reference=recipient.reference,
    )
    if entry is None:
        return Outcome(None, "handled_elsewhere")
    if secret:
        if recipient.needs_account:
            create_pending_account(recipient.voter_id, now)
        save_token(
            hash_secret(secret),
            voter_id=recipient.voter_id,
            purpose=LINK_PURPOSES[kind].value,
            created_at=max(now, recipient.links_after + timedelta(microseconds=1)) if recipient.links_after else now,
            expires_at=expires_at,
            request_id=request_id,
            masked_email=mask_email(address),
        )

    # Only the mail worker builds emails: the API's cold start does not pay for it.
    from chalicelib.domain.email_templates import build_message, letter

    configured = settings.Settings.from_environment()
    content = letter(
        kind,
        portal_url=configured.portal_url,
        first_name=recipient.first_name,
        now=now,
        secret=secret,
        expires_at=expires_at,
        reference=recipient.reference,
        answer=recipient.answer,
        scrutin=recipient.scrutin,
        voted_at=recipient.voted_at,
        issued_at=recipient.issued_at,
        by_help_desk=recipient.by_help_desk,
    )
    message = build_message(content, sender=configured.mail_sender, recipient=address, now=now)
    ses_message_id = send_raw_email(message, parseaddr(configured.mail_sender)[1], address)
    # SES has accepted the email: from here on, nothing may make the queue deliver this
    # request again, or the voter would get a second email and the first link would die.
    recorded = best_effort("record_sent", mail_log.mark_sent, entry, now=now, ses_message_id=ses_message_id)
    log_event("mail_sent", logger="espace_electeur.mail", request_id=request_id, kind=kind.value)
    return Outcome(kind, "sent" if recorded else "sent_unrecorded")
