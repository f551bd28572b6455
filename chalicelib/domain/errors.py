"""Errors that cross the service boundary, each with a stable code.

Programs rely on the code; people read the French message, looked up by code in
`chalicelib.domain.messages`, so every sentence a voter may read stays in one place. An error
knows nothing of HTTP: `chalicelib.api.responses` holds the one table from error to status
and headers, as Django's `ValidationError(code, params)` leaves the answer to the view.

Each class declares once which of its details a caller may see (`public`); the others only
fill the French message.
"""

from __future__ import annotations

from typing import ClassVar

from chalicelib.domain import messages


class PortalError(Exception):
    """A refusal the caller can act on: a stable code and its details."""

    code: ClassVar[str] = "error"
    public: ClassVar[tuple[str, ...]] = ()  # details that go into the answer

    def __init_subclass__(cls, code: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code

    def __init__(self, **details):
        self.details = details
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return messages.for_code(self.code, **self.details)

    def public_details(self) -> dict:
        return {name: self.details[name] for name in self.public}


class InvalidJson(PortalError, code="invalid_json"):
    """The body is not a JSON object."""


class InvalidRequest(PortalError, code="invalid_request"):
    """A field is missing or of the wrong type; `field` names it."""

    public = ("field",)

    def __init__(self, field: str):
        super().__init__(field=field)


class InvalidEmail(PortalError, code="invalid_email"):
    """Not an email address, by its form."""


class PasswordPolicyError(PortalError, code="password_policy"):
    """The password breaks one or more rules; every broken rule is listed."""

    public = ("violations",)

    def __init__(self, violations: list[str]):
        super().__init__(violations=violations)

    @property
    def violations(self) -> list[str]:
        return self.details["violations"]


class LinkError(PortalError):
    """An emailed link that can no longer be used (see `domain.links.link_problem`)."""


class TokenInvalid(LinkError, code="token_invalid"):
    """No such link: mistyped, cut by the mail client, or of an unlisted voter."""


class TokenExpired(LinkError, code="token_expired"):
    """The link's lifetime is over; a new one can be sent to the same, masked, address in one tap
    (possessing the link proves the mailbox, so naming it masked tells nothing new)."""

    public = ("masked_email",)

    def __init__(self, masked_email: str):
        super().__init__(masked_email=masked_email)


class TokenUsed(LinkError, code="token_used"):
    """The link was used, or another link of the account was used after it was sent."""


class PasswordMissing(PortalError, code="password_missing"):
    """Sign-in without a password: the voter most likely has none yet, or forgot it. Said
    before any lookup, so it tells nothing about the address, and it is not a failed attempt."""


class InvalidCredentials(PortalError, code="invalid_credentials"):
    """Unknown address, wrong password or account not active: one answer for all three."""


class NotAuthenticated(PortalError, code="not_authenticated"):
    """No session, or one that ended: the voter must sign in."""


class RetryLater(PortalError):
    """Come back later: the answer says how many seconds to wait."""

    public = ("retry_after",)

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)


class TooManyAttempts(RetryLater, code="too_many_attempts"):
    """Sign-in failures: this client, or this address overall, must wait."""


class TooManyRequests(RetryLater, code="too_many_requests"):
    """Too many list pages or reports in an hour."""


class ServiceBusy(PortalError, code="service_busy"):
    """A dependency failed after our retries; nothing was changed, trying again will work.

    `RETRY_AFTER` is both the wait the answer announces and the one its message states."""

    RETRY_AFTER: ClassVar[int] = 30

    def __init__(self):
        super().__init__(seconds=self.RETRY_AFTER)


class BallotNotFound(PortalError, code="ballot_not_found"):
    """No ballot has this id."""


class ElectionNotFound(PortalError, code="election_not_found"):
    """No sealed election has this id, or the file asked for is not one it publishes (nothing
    is public before the seal)."""


class RecordNotPublished(PortalError, code="record_not_published"):
    """The election's public record is not on the portal (yet): it comes with the result."""


class RecordFileNotFound(PortalError, code="record_file_not_found"):
    """The published record has no such file, page or bucket of receipts."""


class NotOnList(PortalError, code="not_on_list"):
    """The voter is not on this ballot's electoral list, so may not read it."""


class ListsNotPublished(PortalError, code="lists_not_published"):
    """The ballot's electoral list is not public yet."""


class ClaimsClosed(PortalError, code="claims_closed"):
    """The ballot's claim period is over (or not open yet)."""


class InvalidCursor(PortalError, code="invalid_cursor"):
    """A page cursor that this API did not give."""


class InvalidMessage(PortalError, code="invalid_message"):
    """A claim's message is empty or too long; the bounds are given."""

    public = ("field", "minimum", "maximum")

    def __init__(self, minimum: int, maximum: int):
        super().__init__(field="message", minimum=minimum, maximum=maximum)


class WrongCurrentPassword(PortalError, code="wrong_current_password"):
    """Changing the password while signed in: the current password given is not the voter's.
    Not an `InvalidCredentials`: the session is valid, only this field is wrong."""

    public = ("field",)

    def __init__(self):
        super().__init__(field="current_password")


class InvalidVoterCode(PortalError, code="invalid_voter_code"):
    """The voter code typed is not the voter's current code (or cannot be a code at all)."""

    public = ("field",)

    def __init__(self):
        super().__init__(field="code")


class VoterCodeRequired(PortalError, code="voter_code_required"):
    """A cast from a session in which the voter has not typed their voter code."""


class WrongBirthDate(PortalError, code="wrong_birth_date"):
    """The birth date given to re-issue a voter code is not the roll's (or not a date)."""

    public = ("field",)

    def __init__(self):
        super().__init__(field="birth_date")


class ReissueUnavailable(PortalError, code="reissue_unavailable"):
    """The roll gives no birth date for this voter: no self-service re-issue, only the help desk."""


class ReissueClosed(PortalError, code="reissue_closed"):
    """None of the voter's scrutins is open for voting now: a code is re-issued only from the
    opening of the vote until its close."""


class VotingClosed(PortalError, code="voting_closed"):
    """The scrutin is not open for voting at this instant (not yet, or over and past the grace
    for this session)."""


class AlreadyVoted(PortalError, code="already_voted"):
    """The voter's vote in this scrutin is recorded already: it is final. `this_ballot`: the
    ballot sent is the one in the box (the same nonce and points), so a booth whose first
    answer was lost may show the receipt it computed; it tells nothing the sender lacks."""

    public = ("this_ballot",)

    def __init__(self, this_ballot: bool = False):
        super().__init__(this_ballot=this_ballot)


class BallotRefused(PortalError, code="invalid_ballot"):
    """The encrypted ballot failed a check (`reason` names which, never the choice): nothing
    was written. A browser running our booth never sends one; a retry will not help."""

    public = ("reason",)

    def __init__(self, reason: str):
        super().__init__(reason=reason)


class ElectionNotSealed(PortalError, code="election_not_sealed"):
    """The scrutin's polling bureau has not sealed the election: no vote is taken."""


class FieldRequired(PortalError, code="field_required"):
    """A form's field left empty (one of an `InvalidFields`' problems)."""


class FieldTooLong(PortalError, code="field_too_long"):
    """A form's field longer than its limit (one of an `InvalidFields`' problems)."""

    public = ("maximum",)

    def __init__(self, maximum: int):
        super().__init__(maximum=maximum)


class InvalidFields(PortalError, code="invalid_fields"):
    """Every problem of a form at once, so the voter corrects them in one go: `fields` lists
    each field in error with its problem's stable code, public details and French message."""

    public = ("fields",)

    def __init__(self, problems: dict[str, PortalError]):
        super().__init__(
            fields=[
                {"field": field, "code": problem.code, "message": problem.message, **_without_field(problem)}
                for field, problem in problems.items()
            ]
        )

    @property
    def problems(self) -> dict[str, str]:
        """Field name -> problem code."""
        return {item["field"]: item["code"] for item in self.details["fields"]}


def _without_field(problem: PortalError) -> dict:
    return {name: value for name, value in problem.public_details().items() if name != "field"}
