from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.links import hash_secret, link_problem, looks_like_secret, mask_email, new_secret
from chalicelib.domain.mail_policy import Email, MailRequestKind, email_for
from chalicelib.domain.sessions import SessionPolicy
from chalicelib.domain.throttling import backoff_seconds, retry_after, seconds_to_next_hour

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def test_secrets_are_256_bit_url_safe_and_stored_as_sha256():
    secret = new_secret()
    assert looks_like_secret(secret) and len(secret) == 43 and new_secret() != secret
    assert len(hash_secret(secret)) == 64 and hash_secret(secret) != secret
    assert new_secret(lambda n: b"\x00" * n) == "A" * 43


def state(**overrides):
    values = dict(created_at=T0, expires_at=T0 + timedelta(hours=24), used_at=None, tokens_valid_after=None, now=T0 + S)
    values.update(overrides)
    problem = link_problem(**values)
    return problem.code if problem else "valid"


def test_link_states():
    assert state() == "valid"
    assert state(now=T0 + timedelta(hours=24) - S) == "valid"
    assert state(now=T0 + timedelta(hours=24)) == "token_expired"
    assert state(used_at=T0 + S) == "token_used"
    assert state(tokens_valid_after=T0) == "token_used"  # voided when another link was used
    assert state(tokens_valid_after=T0 - S) == "valid"  # issued after the last use: still good
    assert state(used_at=T0, now=T0 + timedelta(days=2)) == "token_used"


def test_mask_email():
    assert mask_email("camille.martin@ac-poitiers.fr") == "c******.m*****@ac-poitiers.fr"
    assert mask_email("a@b.fr") == "a*@b.fr"


def test_sessions_expire_when_idle_or_too_old():
    policy = SessionPolicy()
    assert policy.is_alive(T0, T0, T0 + timedelta(minutes=30) - S)
    assert not policy.is_alive(T0, T0, T0 + timedelta(minutes=30))
    late = T0 + timedelta(hours=12)
    assert not policy.is_alive(T0, late - timedelta(minutes=1), late)
    assert policy.needs_refresh(T0, T0 + timedelta(minutes=5)) and not policy.needs_refresh(
        T0, T0 + timedelta(minutes=4)
    )


def test_backoff_doubles_from_one_second_to_fifteen_minutes():
    assert [backoff_seconds(n) for n in range(0, 10)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16]
    assert backoff_seconds(15) == 900 and backoff_seconds(1000) == 900
    assert retry_after(5, T0, T0) == 1 and retry_after(5, T0, T0 + S) == 0
    assert retry_after(7, T0, T0 + timedelta(milliseconds=100)) == 4
    assert seconds_to_next_hour(T0 + timedelta(minutes=59, seconds=30)) == 30


@pytest.mark.parametrize(
    "request_kind,active,expected",
    [
        (MailRequestKind.REGISTRATION, False, Email.CONFIRMATION),
        (MailRequestKind.REGISTRATION, True, Email.ALREADY_ACTIVE),
        (MailRequestKind.RESET, True, Email.RESET),
        (MailRequestKind.RESET, False, Email.CONFIRMATION),
        (MailRequestKind.PASSWORD_CHANGED, True, Email.PASSWORD_CHANGED),
    ],
)
def test_which_email_answers_a_request(request_kind, active, expected):
    assert email_for(request_kind, listed=True, active=active) is expected
    assert email_for(request_kind, listed=False, active=active) is None


def test_short_windows_start_on_the_hour_and_say_how_long_is_left():
    from chalicelib.domain.throttling import seconds_to_window_end, window_start

    moment = datetime(2026, 11, 29, 9, 47, 30, tzinfo=UTC)
    assert window_start(moment, 10) == datetime(2026, 11, 29, 9, 40, tzinfo=UTC)
    assert seconds_to_window_end(moment, 10) == 150
    assert window_start(moment.replace(minute=0, second=0), 10) == moment.replace(minute=0, second=0)
    assert seconds_to_window_end(moment.replace(minute=59, second=59, microsecond=500_000), 10) == 1
