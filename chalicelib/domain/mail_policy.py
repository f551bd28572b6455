"""Which email, if any, answers a request: the worker's decision, as a pure function.

The request handlers answer the same thing for every address; the worker decides, where
no one can observe it, what this address should receive.
"""

from __future__ import annotations

from enum import Enum

# The sending budget, reserved atomically when a request is first handled, in the hour the
# request arrived (a request that waited in the queue counts in its own hour, never skips):
# per address and requesting client, so strangers elsewhere cannot spend the voter's own
# requests; and per address whoever asks, so many clients together cannot flood a mailbox.
# Every email inside the budget carries a working link, so even a spent ceiling leaves the
# voter a way in. Notices of something done (OUTSIDE_BUDGET) are never refused.
HOURLY_BUDGET = 3  # emails per address and client per hour
ADDRESS_HOURLY_CEILING = 10  # emails per address per hour, all clients together


class MailRequestKind(str, Enum):
    """What a queued mail request asks for (not an HTTP request: the worker decides the email)."""

    REGISTRATION = "registration"
    RESET = "reset"
    PASSWORD_CHANGED = "password_changed"  # with an emailed link: every session ended
    PASSWORD_CHANGED_SIGNED_IN = "password_changed_signed_in"  # from the account page
    CLAIM_RECEIPT = "claim_receipt"
    CLAIM_ANSWER = "claim_answer"
    # An import changed the voter's address (`domain.address_changes`): a notice to the old
    # address, and a link to choose a password to the new one; each names its recipient.
    ADDRESS_CHANGED = "address_changed"
    ADDRESS_CONFIRMATION = "address_confirmation"
    # A vote was recorded (the émargement): the voter learns at once if someone else voted
    # in their name. The request names the voter, the scrutin and the time, never the ballot.
    VOTE_RECORDED = "vote_recorded"
    # A new voter code was issued (réassort): the voter learns of it even if they did not ask.
    # The request names the voter, never the code.
    CODE_REISSUED = "code_reissued"


class Email(str, Enum):
    CONFIRMATION = "confirmation"
    ALREADY_ACTIVE = "already_active"
    RESET = "reset"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_CHANGED_SIGNED_IN = "password_changed_signed_in"
    CLAIM_RECEIPT = "claim_receipt"
    CLAIM_ANSWER = "claim_answer"
    ADDRESS_CHANGED = "address_changed"
    ADDRESS_CONFIRMATION = "address_confirmation"
    # A campaign's emails (`domain.campaigns`): they have their own queue and worker, and
    # never touch a voter's budget; at most one per campaign and voter.
    INVITATION = "invitation"
    REMINDER = "reminder"
    VOTE_RECORDED = "vote_recorded"
    CODE_REISSUED = "code_reissued"


# Notices that tell the voter something happened to their account are always sent.
OUTSIDE_BUDGET = {Email.PASSWORD_CHANGED, Email.PASSWORD_CHANGED_SIGNED_IN, Email.CLAIM_ANSWER}
# So are both emails of an address changed in the roll: queued by the administrators' import,
# never at a stranger's request, once per change; the voter must learn that the espace was
# suspended, and the new address needs its link even if someone spent its budget.
OUTSIDE_BUDGET |= {Email.ADDRESS_CHANGED, Email.ADDRESS_CONFIRMATION}
# One per vote, and a vote is cast once per scrutin: at most 7 per voter, never at a stranger's request.
OUTSIDE_BUDGET |= {Email.VOTE_RECORDED}
# One per re-issue, and re-issues are throttled (3 a day): the voter must hear of each.
OUTSIDE_BUDGET |= {Email.CODE_REISSUED}


def email_for(request: MailRequestKind, *, listed: bool, active: bool) -> Email | None:
    """For account requests, which need the address to be on a list; claim emails go to
    whoever wrote (they may be missing from the lists: that is why they wrote)."""
    if request is MailRequestKind.CLAIM_RECEIPT:
        return Email.CLAIM_RECEIPT
    if request is MailRequestKind.CLAIM_ANSWER:
        return Email.CLAIM_ANSWER
    if not listed:
        return None
    if request is MailRequestKind.PASSWORD_CHANGED:
        return Email.PASSWORD_CHANGED
    if request is MailRequestKind.PASSWORD_CHANGED_SIGNED_IN:
        return Email.PASSWORD_CHANGED_SIGNED_IN
    if request is MailRequestKind.VOTE_RECORDED:
        return Email.VOTE_RECORDED
    if request is MailRequestKind.CODE_REISSUED:
        return Email.CODE_REISSUED
    if request is MailRequestKind.REGISTRATION:
        return Email.ALREADY_ACTIVE if active else Email.CONFIRMATION
    return Email.RESET if active else Email.CONFIRMATION
