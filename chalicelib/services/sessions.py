"""Signing in and out, recognising a signed-in voter, and changing the password.

Sign-in answers the same way for an unknown address, a wrong password and an account not
yet active, spends the same argon2 time on each (a dummy hash when there is none), and counts
failures by address and client whether or not the address exists.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.emails import is_well_formed, normalise_email
from chalicelib.domain.errors import (
    InvalidCredentials,
    NotAuthenticated,
    PasswordMissing,
    PasswordPolicyError,
    WrongCurrentPassword,
)
from chalicelib.domain.links import hash_secret
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.password_hashing import PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.sessions import SessionPolicy
from chalicelib.domain.throttling import CURRENT_PASSWORD, SIGN_IN
from chalicelib.services.after_commit import best_effort
from chalicelib.services.registration import request_notice
from chalicelib.services.throttle import Throttle
from chalicelib.store import accounts as account_store
from chalicelib.store import sessions as session_store
from chalicelib.store.accounts import Account, find_account
from chalicelib.store.voters import Voter, find_listed_voter, find_voter

ACTIVE = AccountStatus.ACTIVE
# A key no voter can have (voter ids start with a letter or a digit).
NO_SUCH_VOTER = "-"


class SignedIn(NamedTuple):
    session_id: str  # goes into the cookie, and nowhere else
    voter: Voter
    account: Account


def open_session(voter_id: str, now: datetime, policy: SessionPolicy) -> str:
    """A new session for this voter; returns its id, which only the cookie ever holds."""
    session_id = secrets.token_urlsafe(32)
    session_store.save_session(
        hash_secret(session_id), voter_id=voter_id, now=now, expires_at=policy.expires_at(now, now)
    )
    return session_id


def sign_in(
    raw_email, password: str, *, client: str, now: datetime, hasher: PasswordHasher, policy: SessionPolicy
) -> SignedIn:
    if password == "":
        raise PasswordMissing()
    email = normalise_email(raw_email)
    throttle = Throttle(SIGN_IN, email, client, now)
    throttle.check()
    voter = find_listed_voter(email) if is_well_formed(email) else None
    # The same lookups whoever asks: an unknown address reads an account that cannot exist,
    # so its answer takes as long as a listed one's (then the same argon2 time on a dummy hash).
    account = find_account(voter.voter_id if voter else NO_SUCH_VOTER)
    usable_hash = account.password_hash if account is not None and account.status == ACTIVE else None
    if not hasher.verify(usable_hash, password):
        throttle.record_failure()
        raise InvalidCredentials()
    throttle.record_success()
    if hasher.needs_rehash(usable_hash):
        account_store.rehash_password(voter.voter_id, old_hash=usable_hash, new_hash=hasher.hash(password))
    return SignedIn(open_session(voter.voter_id, now, policy), voter, account)


class Authenticated(NamedTuple):
    session_hash: str
    voter_id: str
    account: Account
    code_verified_at: datetime | None = None  # when the voter typed their voter code in this session


def authenticate(session_id, *, now: datetime, policy: SessionPolicy) -> Authenticated:
    """The voter behind a session cookie, or NotAuthenticated. Refreshes last-seen sparingly."""
    if not isinstance(session_id, str) or not session_id:
        raise NotAuthenticated()
    session_hash = hash_secret(session_id)
    session = session_store.find_session(session_hash)
    if session is None or not policy.is_alive(session.created_at, session.last_seen_at, now):
        raise NotAuthenticated()
    account = find_account(session.voter_id)
    if (
        account is None
        or account.status != ACTIVE
        or (account.sessions_valid_after is not None and session.created_at < account.sessions_valid_after)
    ):
        raise NotAuthenticated()
    if policy.needs_refresh(session.last_seen_at, now) and not session_store.touch_session(
        session_hash, now=now, expires_at=policy.expires_at(session.created_at, now)
    ):
        raise NotAuthenticated()  # deleted since it was read: signed out meanwhile
    return Authenticated(session_hash, session.voter_id, account, session.code_verified_at)


def sign_out(session_hash: str) -> None:
    session_store.delete_session(session_hash)


def sign_out_everywhere(voter_id: str, *, now: datetime) -> None:
    """Every session ends now: the marker takes effect at once, the deletion cleans up."""
    account_store.void_sessions(voter_id, now=now)
    session_store.delete_voter_sessions(voter_id)


def change_password(
    who: Authenticated,
    current_password: str,
    password: str,
    confirmation: str,
    *,
    now: datetime,
    password_policy: PasswordPolicy,
    hasher: PasswordHasher,
    session_policy: SessionPolicy,
    client: str,
) -> str:
    """Replace the password of a signed-in voter; other sessions end, this one continues, and
    the voter gets the "password changed" notice. A wrong current password is said as such.

    Returns the id of the session that replaces the current one (a fresh id after a
    credential change, so an id stolen earlier is worth nothing).
    """
    throttle = Throttle(CURRENT_PASSWORD, who.voter_id, client, now)
    throttle.check()
    if not hasher.verify(who.account.password_hash, current_password):
        throttle.record_failure()
        raise WrongCurrentPassword()
    throttle.record_success()
    voter = find_voter(who.voter_id)
    violations = password_policy.violations(password, confirmation, (voter.email if voter else None) or "")
    if violations:
        raise PasswordPolicyError(violations)
    account_store.replace_password(
        who.voter_id, old_hash=who.account.password_hash, new_hash=hasher.hash(password), now=now
    )
    # The new password is stored, and every older session voided by `sessions_valid_after`:
    # deleting them is a clean-up that must not turn the change into an error.
    best_effort("delete_sessions", session_store.delete_voter_sessions, who.voter_id)
    best_effort("delete_session", session_store.delete_session, who.session_hash)
    # The voter is told by email, whoever changed it (the mail worker finds the address).
    best_effort(
        "notify_password_changed",
        request_notice,
        MailRequestKind.PASSWORD_CHANGED_SIGNED_IN,
        now=now,
        voter_id=who.voter_id,
    )
    return open_session(who.voter_id, now, session_policy)


def voter_of(who: Authenticated) -> Voter:
    """The signed-in voter's listed data (one GetItem); an account always has its voter."""
    voter = find_voter(who.voter_id)
    if voter is None:
        raise NotAuthenticated()
    return voter
