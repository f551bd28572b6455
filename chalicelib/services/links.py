"""Using an emailed link: checking it (changes nothing) and creating a password with it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.errors import PasswordPolicyError, TokenInvalid, TokenUsed
from chalicelib.domain.links import LinkPurpose, hash_secret, link_problem, looks_like_secret
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.password_hashing import PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.throttling import SIGN_IN
from chalicelib.services import throttle
from chalicelib.services.after_commit import best_effort
from chalicelib.services.registration import request_notice
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
    if problem is not None:
        raise problem()
    return token, account


def check_link(secret, *, now: datetime) -> LinkCheck:
    """What the password page needs to know about a link. Reads only."""
    token, _ = _valid_link(secret, now)
    return LinkCheck(purpose=token.purpose, masked_email=token.masked_email, expires_at=token.expires_at)


def set_password_with_link(
    secret, password: str, confirmation: str, *, now: datetime, policy: PasswordPolicy, hasher: PasswordHasher
) -> None:
    """Create or replace the password; the link and every other link of the account die.

    One DynamoDB transaction does it all (`store.accounts.activate_with_link`): the token must
    still be unused and unexpired, the account must not have voided it, and the account
    becomes active with the new hash. Twenty concurrent submissions of one link therefore give
    exactly one success.
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
        accounts.activate_with_link(token, password_hash=hasher.hash(password), now=now)
    except TokenUsed:
        _valid_link(secret, now)  # say precisely why: used, or expired meanwhile
        raise
    if token.purpose == LinkPurpose.RESET.value or was_active:
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
