"""Filing claims against the electoral lists, reading them, and answering them (CLI)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.claims import MAX_MESSAGE, MIN_MESSAGE, OPEN, claim_reference, claims_open, message_is_acceptable
from chalicelib.domain.emails import is_well_formed, normalise_email
from chalicelib.domain.errors import (
    ClaimsClosed,
    FieldRequired,
    FieldTooLong,
    InvalidEmail,
    InvalidFields,
    InvalidMessage,
)
from chalicelib.domain.field_lengths import MAX_LENGTHS
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.services.ballots import ballot_for_voter
from chalicelib.services.registration import request_notice
from chalicelib.services.throttle import within_hourly_limit
from chalicelib.store.claims import Claim, all_claims, file_claim, find_claim, record_answer, voter_claims
from chalicelib.store.voters import Voter

BALLOT_CLAIMS_PER_VOTER_PER_HOUR = 10
PUBLIC_CLAIMS_PER_CLIENT_PER_HOUR = 5
PUBLIC_CLAIMS_PER_ADDRESS_PER_HOUR = 3


def _check_message(message: str) -> None:
    if not message_is_acceptable(message):
        raise InvalidMessage(MIN_MESSAGE, MAX_MESSAGE)


def file_ballot_claim(voter: Voter, ballot_id: str, message: str, *, now: datetime) -> tuple[Claim, bool]:
    """A voter contests a ballot's list; returns the claim and whether it is new."""
    ballot = ballot_for_voter(voter, ballot_id)
    if not claims_open(ballot, now):
        raise ClaimsClosed()
    _check_message(message)
    # Enough for every ballot of a voter and second thoughts; not a flood of the election service.
    within_hourly_limit("ballot-claims", voter.voter_id, BALLOT_CLAIMS_PER_VOTER_PER_HOUR, now=now)
    claim = Claim(
        claim_reference("ballot", voter.voter_id, ballot_id, message),
        kind="ballot",
        voter_id=voter.voter_id,
        ballot_id=ballot_id,
        message=message,
        status=OPEN,
        created_at=now,
    )
    return file_claim(claim)


def my_claims(voter_id: str) -> list[Claim]:
    return voter_claims(voter_id)


PUBLIC_FIELDS = ("last_name", "first_name", "email", "workplace", "message")


def public_claim_problems(fields: dict) -> dict:
    """Every field of a public claim that is wrong, with its problem, in the form's order.

    The names and the workplace have the same limits as the electoral-list file's, so that a
    correction always fits the list."""
    problems = {}
    for name in PUBLIC_FIELDS:
        value = fields.get(name)
        value = value if isinstance(value, str) else ""
        if name == "email":
            if not value.strip():
                problems[name] = FieldRequired()
            elif not is_well_formed(normalise_email(value)):
                problems[name] = InvalidEmail()
        elif name == "message":
            if not message_is_acceptable(value):
                problems[name] = FieldRequired() if not value.strip() else InvalidMessage(MIN_MESSAGE, MAX_MESSAGE)
        elif not value.strip():
            problems[name] = FieldRequired()
        elif len(value) > MAX_LENGTHS[name]:
            problems[name] = FieldTooLong(MAX_LENGTHS[name])
    return problems


def file_public_claim(fields: dict, *, client: str, now: datetime) -> str:
    """Someone missing from the lists, or listed with a wrong address, asks for a correction;
    returns the claim's reference, which the page shows.

    Every wrong field is reported at once (`InvalidFields`), before any limit is counted.

    The answer is the same whatever the data (nothing says whether the person is listed).
    The acknowledgement is not a relay for the sender's words: it holds only the reference and
    fixed sentences, goes only to an address on an electoral list (greeted with the list's
    first name), and counts in that address's sending budget (`services.outgoing_mail`).
    """
    problems = public_claim_problems(fields)
    if problems:
        raise InvalidFields(problems)
    email = normalise_email(fields["email"])
    within_hourly_limit("public-claims-client", client, PUBLIC_CLAIMS_PER_CLIENT_PER_HOUR, now=now)
    within_hourly_limit("public-claims-address", email, PUBLIC_CLAIMS_PER_ADDRESS_PER_HOUR, now=now)
    claim = Claim(
        claim_reference("public", email, fields["last_name"], fields["first_name"], fields["message"]),
        kind="public",
        last_name=fields["last_name"].strip(),
        first_name=fields["first_name"].strip(),
        email=email,
        workplace=fields["workplace"].strip(),
        message=fields["message"],
        status=OPEN,
        created_at=now,
    )
    claim, _ = file_claim(claim)
    # Asked again when the same claim comes again, so that a submission whose receipt could
    # not be queued gets it on retry; the mail worker sends one receipt per claim.
    request_notice(MailRequestKind.CLAIM_RECEIPT, now=now, email=email, reference=claim.reference, client=client)
    return claim.reference


def list_claims(*, ballot_id: str | None = None, only_open: bool = False) -> list[Claim]:
    """For administrators: a Scan, filtered; newest first."""
    claims = [
        c
        for c in all_claims()
        if (ballot_id is None or c.ballot_id == ballot_id) and (not only_open or c.status == OPEN)
    ]
    return sorted(claims, key=lambda c: c.created_at, reverse=True)


class ClaimNotFound(Exception):
    pass


def answer_claim(reference: str, answer: str, *, now: datetime) -> Claim:
    """Record the answer and email it to whoever filed the claim."""
    claim = find_claim(reference.strip().upper())
    if claim is None:
        raise ClaimNotFound(reference)
    record_answer(claim, answer, now=now)
    request_notice(MailRequestKind.CLAIM_ANSWER, now=now, reference=claim.reference)
    return claim
