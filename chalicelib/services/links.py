"""Using an emailed link: checking it (changes nothing), creating a password with it, and
sending a fresh one when it expired."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.errors import PasswordPolicyError, TokenExpired, TokenInvalid, TokenUsed
from chalicelib.domain.links import LinkPurpose, hash_secret, link_problem, looks_like_secret
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.password_hashing import PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.sessions import SessionPolicy
from chalicelib.domain.throttling import SIGN_IN
from chalicelib.services import throttle
from chalicelib.services.after_commit import attempt, best_effort
from chalicelib.services.registration import request_email, request_notice
from chalicelib.services.sessions import open_session
from chalicelib.store import accounts
from chalicelib.store.accounts import Account, find_account
from chalicelib.store.sessions import delete_voter_sessions
from chalicelib.store.tokens import Token, find_token
from chalicelib.store.voters import find_voter


class LinkCheck(NamedTuple):
    purpose: str
    masked_email: str
    expires_at: datetime


def _valid_link(secret, now: datetime) -> tuple[Token, Account]:
    if not isinstance(secret, str) or not looks_like_secret(secret):
        raise TokenInvalid()
    token = find_token(hash_secret(secret))
    account = find_account(token.voter_id) if token else None
    if token is None or account is None:
        raise TokenInvalid()
    problem = link_problem(
        created_at=token.created_at,
        expires_at=token.expires_at,
        used_at=token.used_at,
        tokens_valid_after=account.tokens_valid_after,
        now=now,
    )
    if problem is TokenExpired:
        raise TokenExpired(token.masked_email)
    if problem is not None:
        raise problem()
    return token, account


def check_link(secret, *, now: datetime) -> LinkCheck:
    """What the password page needs to know about a link. Reads only."""
    token, _ = _valid_link(secret, now)
    return LinkCheck(purpose=token.purpose, masked_email=token.masked_email, expires_at=token.expires_at)


def set_password_with_link(
    secret,
    password: str,
    confirmation: str,
    *,
    now: datetime,
    policy: PasswordPolicy,
    hasher: PasswordHasher,
    session_policy: SessionPolicy,
) -> str | None:
    """Create or replace the password; the link and every other link of the account die.

    One DynamoDB transaction does it all (`store.accounts.activate_with_link`): the token must
    still be unused and unexpired, the account must not have voided it, and the account
    becomes active with the new hash. Twenty concurrent submissions of one link therefore give
    exactly one success.

    A first password (a registration link on an account not yet active) signs the voter in:
    the new session's id is returned, for the cookie, and the voter lands in their espace. A
    reset signs nobody in (None): every device is signed out instead, and the voter signs in
    with the new password, which proves they know it.
    """
    token, account = _valid_link(secret, now)
    voter = find_voter(token.voter_id)
    if voter is None or not voter.is_listed:
        raise TokenInvalid()
    violations = policy.violations(password, confirmation, voter.email)
    if violations:
        raise PasswordPolicyError(violations)
    was_active = account.status == AccountStatus.ACTIVE
    try:
        accounts.activate_with_link(
            token,
            password_hash=hasher.hash(password),
            now=now,
            # The campaigns that reached a pending espace count its activation (`campaign status`).
            reached_by=frozenset(account.reached_by or ()) if not was_active else frozenset(),
        )
    except TokenUsed:
        _valid_link(secret, now)  # say precisely why: used, or expired meanwhile
        raise
    if token.purpose == LinkPurpose.REGISTRATION.value and not was_active:
        # Without a session (AWS refused it) the voter simply signs in with the password just made.
        return attempt("open_session", open_session, account.voter_id, now, session_policy)
    # A reset proves the mailbox: every device is signed out, the sign-in counters clear,
    # and the voter is told, whoever asked. The password is stored already: these steps
    # must not turn the voter's success into an error.
    best_effort("delete_sessions", delete_voter_sessions, account.voter_id)
    best_effort("clear_sign_in_counters", throttle.clear_address, SIGN_IN, voter.email, now=now)
    best_effort(
        "notify_password_changed",
        request_notice,
        MailRequestKind.PASSWORD_CHANGED,
        now=now,
        voter_id=account.voter_id,
    )
    return None


# The email a renewal asks for, by the purpose of the expired link.
RENEWALS = {
    LinkPurpose.REGISTRATION.value: MailRequestKind.REGISTRATION,
    LinkPurpose.RESET.value: MailRequestKind.RESET,
}


def renew_link(secret, *, now: datetime, client: str | None = None) -> str:
    """Send a new link like this one to the same address; returns the masked address.

    Only for a link that is expired (or still valid): one that was used, or voided by the use
    of another, says so instead, since a new link would only void the password just made. The
    request goes through the queue like any other, within the address's hourly budget.
    """
    try:
        token, _ = _valid_link(secret, now)
    except TokenExpired:
        token = find_token(hash_secret(secret))
    voter = find_voter(token.voter_id)
    if voter is None or not voter.is_listed:
        raise TokenInvalid()
    request_email(RENEWALS[token.purpose], voter.email, now=now, client=client)
    return token.masked_email
