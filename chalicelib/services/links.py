"""Using an emailed link: checking it (changes nothing) and creating a password with it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import settings
from chalicelib.domain.errors import LINK_ERRORS, PasswordPolicyError, ServiceBusy, TokenInvalid
from chalicelib.domain.links import LinkPurpose, hash_secret, link_state, looks_like_secret
from chalicelib.domain.mail_policy import Request
from chalicelib.domain.password_hashing import PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.services import throttle
from chalicelib.services.after_commit import best_effort
from chalicelib.services.mail_requests import request_notice
from chalicelib.store.accounts import ACTIVE, Account, find_account
from chalicelib.store.base import cancelled_by_conflict
from chalicelib.store.sessions import delete_voter_sessions
from chalicelib.store.tokens import Token, find_token
from chalicelib.store.voters import Voter


# A transaction cancelled by a concurrent one is tried again, this many times in all.
CONFLICT_ATTEMPTS = 3


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
    state = link_state(created_at=token.created_at, expires_at=token.expires_at, used_at=token.used_at,
                       tokens_valid_after=account.tokens_valid_after, now=now)
    if state != "valid":
        raise LINK_ERRORS[state]()
    return token, account


def check_link(secret, *, now: datetime) -> LinkCheck:
    """What the password page needs to know about a link. Reads only."""
    token, _ = _valid_link(secret, now)
    return LinkCheck(purpose=token.purpose, masked_email=token.masked_email, expires_at=token.expires_at)


def set_password_with_link(secret, password: str, confirmation: str, *, now: datetime,
                           policy: PasswordPolicy, hasher: PasswordHasher) -> None:
    """Create or replace the password; the link and every other link of the account die.

    One DynamoDB transaction does it all: the token must still be unused and unexpired, the
    account must not have voided it, and the account becomes active with the new hash. Twenty
    concurrent submissions of one link therefore give exactly one success.
    """
    token, account = _valid_link(secret, now)
    try:
        voter = Voter.get(token.voter_id)
    except Voter.DoesNotExist as error:
        raise TokenInvalid() from error
    if not voter.is_listed:
        raise TokenInvalid()
    violations = policy.violations(password, confirmation, voter.email)
    if violations:
        raise PasswordPolicyError(violations)
    password_hash = hasher.hash(password)
    was_active = account.status == ACTIVE
    account_actions = [
        Account.status.set(ACTIVE),
        Account.password_hash.set(password_hash),
        Account.activated_at.set(Account.activated_at | now),
        Account.password_changed_at.set(now),
        Account.tokens_valid_after.set(now),
        Account.sessions_valid_after.set(now),
    ]
    for _ in range(CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=Connection(region=settings.region())) as transaction:
                transaction.update(
                    Token(token.token_hash),
                    actions=[Token.used_at.set(now)],
                    condition=Token.token_hash.exists() & Token.used_at.does_not_exist() & (Token.expires_at > now),
                )
                transaction.update(
                    Account(account.voter_id),
                    actions=account_actions,
                    condition=Account.voter_id.exists()
                    & (Account.tokens_valid_after.does_not_exist() | (Account.tokens_valid_after < token.created_at)),
                )
            break
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            if cancelled_by_conflict(error):
                continue  # another transaction held an item, no condition failed: try again
            # A condition failed: another submission used a link first. Say precisely why.
            _valid_link(secret, now)
            raise LINK_ERRORS["token_used"]() from error
    else:
        raise ServiceBusy()  # nothing was written: the link still works
    if token.purpose == LinkPurpose.RESET.value or was_active:
        # A reset proves the mailbox: every device is signed out, the sign-in counters clear,
        # and the voter is told, whoever asked. The password is stored already: these steps
        # must not turn the voter's success into an error.
        best_effort("delete_sessions", delete_voter_sessions, account.voter_id)
        best_effort("clear_sign_in_counters", throttle.clear_address, voter.email, now=now)
        best_effort("notify_password_changed", request_notice, Request.PASSWORD_CHANGED, now=now,
                    voter_id=account.voter_id)
