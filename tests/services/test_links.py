"""Using a link, at the service layer, with an in-memory store in place of DynamoDB.

The rules of the journey (which error when, what happens after a reset) are the point here,
so a fake of the store's few functions is simpler than moto. The transaction's guarantee under
concurrency is DynamoDB's, and stays tested on (serialised) moto in tests/api and tests/faults.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.errors import PasswordPolicyError, TokenExpired, TokenInvalid, TokenUsed
from chalicelib.domain.links import hash_secret, new_secret
from chalicelib.domain.password_hashing import HashingParameters, PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.sessions import SessionPolicy
from chalicelib.services import links
from tests.conftest import NOW

HASHER = PasswordHasher(HashingParameters(memory_kib=64, time_cost=1, parallelism=1))
PASSWORD = "Bonjour2026"


class FakeStore:
    """One voter, one account, its links; `activate_with_link` keeps the transaction's rule."""

    def __init__(self, monkeypatch, status=AccountStatus.PENDING):
        self.voter = SimpleNamespace(voter_id="P1", email="camille.martin@ac-poitiers.fr", is_listed=True)
        self.account = SimpleNamespace(
            voter_id="P1", status=status, tokens_valid_after=None, password_hash=None, reached_by=None
        )
        self.tokens, self.after_commit = {}, []
        monkeypatch.setattr(links, "find_token", self.tokens.get)
        monkeypatch.setattr(links, "find_account", lambda voter_id: self.account if voter_id == "P1" else None)
        monkeypatch.setattr(links, "find_voter", lambda voter_id: self.voter if voter_id == "P1" else None)
        monkeypatch.setattr(links.accounts, "activate_with_link", self.activate_with_link)
        monkeypatch.setattr(links, "best_effort", lambda step, *args, **kwargs: self.after_commit.append(step))
        self.sessions = []
        monkeypatch.setattr(
            links, "open_session", lambda voter_id, now, policy: self.sessions.append(voter_id) or "sid"
        )

    def link(self, purpose="registration", created=NOW, lifetime=timedelta(hours=24)) -> str:
        secret = new_secret()
        self.tokens[hash_secret(secret)] = SimpleNamespace(
            token_hash=hash_secret(secret),
            voter_id="P1",
            purpose=purpose,
            created_at=created,
            expires_at=created + lifetime,
            used_at=None,
            masked_email="c*****.m*****@ac-poitiers.fr",
        )
        return secret

    def activate_with_link(self, token, *, password_hash, now, reached_by=frozenset()):
        if (
            token.used_at is not None
            or now >= token.expires_at
            or (self.account.tokens_valid_after is not None and self.account.tokens_valid_after >= token.created_at)
        ):
            raise TokenUsed()
        token.used_at = now
        self.account.status, self.account.password_hash, self.account.tokens_valid_after = (
            AccountStatus.ACTIVE,
            password_hash,
            now,
        )


def set_password(secret, password=PASSWORD, confirmation=PASSWORD, now=NOW + timedelta(minutes=5)):
    return links.set_password_with_link(
        secret, password, confirmation, now=now, policy=PasswordPolicy(), hasher=HASHER, session_policy=SessionPolicy()
    )


def test_a_registration_link_activates_the_account_and_then_is_used(monkeypatch):
    store = FakeStore(monkeypatch)
    secret = store.link()
    assert links.check_link(secret, now=NOW).purpose == "registration"
    assert set_password(secret) == "sid"  # a first password signs the voter in
    assert store.account.status == AccountStatus.ACTIVE and HASHER.verify(store.account.password_hash, PASSWORD)
    assert store.after_commit == []  # a first activation signs no one out and sends no notice
    assert store.sessions == ["P1"]
    with pytest.raises(TokenUsed):
        set_password(secret)


def test_using_one_link_voids_the_others(monkeypatch):
    store = FakeStore(monkeypatch)
    first, second = store.link(), store.link()
    set_password(second)
    with pytest.raises(TokenUsed):
        links.check_link(first, now=NOW + timedelta(minutes=6))


def test_a_reset_signs_out_clears_counters_and_tells_the_voter(monkeypatch):
    store = FakeStore(monkeypatch, status=AccountStatus.ACTIVE)
    assert set_password(store.link(purpose="reset", lifetime=timedelta(hours=1))) is None
    assert store.after_commit == ["delete_sessions", "clear_sign_in_counters", "notify_password_changed"]
    assert store.sessions == []  # a reset signs nobody in


def test_a_registration_link_on_an_active_account_signs_nobody_in(monkeypatch):
    store = FakeStore(monkeypatch, status=AccountStatus.ACTIVE)
    assert set_password(store.link()) is None and store.sessions == []
    assert store.after_commit == ["delete_sessions", "clear_sign_in_counters", "notify_password_changed"]


def test_refusals_change_nothing(monkeypatch):
    store = FakeStore(monkeypatch)
    secret = store.link()
    for bad in (None, "", "x" * 43, new_secret()):
        with pytest.raises(TokenInvalid):
            set_password(bad)
    with pytest.raises(PasswordPolicyError) as caught:
        set_password(secret, password="court", confirmation="court")
    assert caught.value.violations
    with pytest.raises(TokenExpired):
        set_password(secret, now=NOW + timedelta(hours=24))
    assert store.account.status == AccountStatus.PENDING and store.account.password_hash is None


def test_a_link_that_expires_during_the_submission_says_expired(monkeypatch):
    store = FakeStore(monkeypatch)
    secret = store.link()

    def expire_meanwhile(token, **_):
        token.expires_at = NOW  # another moment's truth: the transaction's condition fails
        raise TokenUsed()

    monkeypatch.setattr(links.accounts, "activate_with_link", expire_meanwhile)
    with pytest.raises(TokenExpired):
        set_password(secret)


def test_an_expired_link_names_its_masked_address_and_can_be_renewed(monkeypatch):
    store = FakeStore(monkeypatch)
    requested = []
    monkeypatch.setattr(links, "request_email", lambda kind, email, now, client: requested.append((kind.value, email)))
    secret = store.link(lifetime=timedelta(hours=24))
    later = NOW + timedelta(hours=25)
    with pytest.raises(TokenExpired) as caught:
        links.check_link(secret, now=later)
    assert caught.value.public_details() == {"masked_email": "c*****.m*****@ac-poitiers.fr"}
    assert links.renew_link(secret, now=later) == "c*****.m*****@ac-poitiers.fr"
    assert requested == [("registration", "camille.martin@ac-poitiers.fr")]


def test_a_used_or_unknown_link_is_not_renewed(monkeypatch):
    store = FakeStore(monkeypatch)
    requested = []
    monkeypatch.setattr(links, "request_email", lambda kind, email, now, client: requested.append(kind))
    secret = store.link()
    set_password(secret)
    with pytest.raises(TokenUsed):
        links.renew_link(secret, now=NOW + timedelta(minutes=10))
    with pytest.raises(TokenInvalid):
        links.renew_link(new_secret(), now=NOW)
    assert requested == []
