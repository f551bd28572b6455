"""Password creation and sign-in under DynamoDB and SQS faults.

A password is stored whole or not at all (one transaction); a refused attempt leaves the
link valid and says to try again; a used link never works again; every 5xx carries a request
id.
"""

import logging

import pytest

from chalicelib.store.accounts import ACTIVE, PENDING, Account
from chalicelib.store.sessions import Session
from chalicelib.store.tokens import Token
from tests.api.conftest import GOOD_PASSWORD, LISTED
from tests.faults.conftest import assert_service_busy, deliver_once, on_table

VOTER = "P00000001"
DYNAMODB_FAULTS = ["throughput", "throttling", "unavailable", "connection", "timeout"]


def confirmation_token(portal) -> str:
    portal.post("/api/registrations", {"email": LISTED})
    assert deliver_once(portal) == "ok"
    return portal.new_mail()[-1].token


def create_password(portal, token, password=GOOD_PASSWORD):
    return portal.post("/api/passwords", {"token": token, "password": password, "password_confirmation": password})


def assert_untouched(token_count=1):
    account = Account.get(VOTER, consistent_read=True)
    assert account.status == PENDING and account.password_hash is None
    tokens = list(Token.scan())
    assert len(tokens) == token_count and all(t.used_at is None for t in tokens)


def assert_link_used_for_good(portal, token):
    for path, body in (
        ("/api/token-checks", {"token": token}),
        ("/api/passwords", {"token": token, "password": "Autre2026x", "password_confirmation": "Autre2026x"}),
    ):
        response = portal.post(path, body)
        assert (response.status_code, response.json_body["error"]["code"]) == (410, "token_used")


@pytest.mark.parametrize("kind", DYNAMODB_FAULTS)
def test_a_refused_transaction_changes_nothing_and_the_same_link_then_works_once(portal, faults, kind):
    token = confirmation_token(portal)
    refused = faults.fail("dynamodb", "TransactWriteItems", kind, times=None)
    assert_service_busy(create_password(portal, token))
    assert refused.hits == 4  # PynamoDB's attempts
    faults.clear()
    assert_untouched()

    faults.clear()
    assert create_password(portal, token).status_code == 200
    assert Account.get(VOTER).status == ACTIVE
    assert_link_used_for_good(portal, token)
    assert portal.sign_in().status_code == 200


def test_a_transaction_cancelled_by_a_concurrent_one_is_tried_again(portal, faults):
    token = confirmation_token(portal)
    conflicts = faults.fail("dynamodb", "TransactWriteItems", "conflict", times=2)
    assert create_password(portal, token).status_code == 200
    assert conflicts.hits == 2  # tried again twice, then committed
    assert_link_used_for_good(portal, token)


def test_a_transaction_that_keeps_conflicting_is_refused_and_the_link_still_works(portal, faults):
    token = confirmation_token(portal)
    conflicts = faults.fail("dynamodb", "TransactWriteItems", "conflict", times=None)
    assert_service_busy(create_password(portal, token))
    assert conflicts.hits == 3
    faults.clear()
    assert_untouched()
    assert create_password(portal, token).status_code == 200


@pytest.mark.parametrize("operation,table", [("GetItem", "tokens"), ("GetItem", "accounts"), ("GetItem", "voters")])
def test_reads_refused_before_the_transaction_change_nothing(portal, faults, operation, table):
    token = confirmation_token(portal)
    faults.fail("dynamodb", operation, "throughput", times=None, when=on_table(table))
    assert_service_busy(create_password(portal, token))
    faults.clear()
    assert_untouched()


def test_after_a_reset_the_password_stands_even_if_the_notice_cannot_be_queued(portal, faults, caplog):
    portal.register_and_activate()
    portal.clock.advance(minutes=5)
    portal.post("/api/password-resets", {"email": LISTED})
    assert deliver_once(portal) == "ok"
    token = portal.new_mail()[-1].token
    faults.fail("sqs", "SendMessage", "unavailable", times=None)
    faults.fail("dynamodb", "DeleteItem", "throughput", times=None, when=on_table("sessions"))
    assert create_password(portal, token, "Nouveau2026x").status_code == 200
    assert '"step": "notify_password_changed"' in caplog.text
    faults.clear()
    assert portal.sign_in(password="Nouveau2026x").status_code == 200
    assert portal.sign_in(password=GOOD_PASSWORD).status_code == 401
    assert_link_used_for_good(portal, token)


def test_an_unexpected_error_is_a_500_with_a_request_id_found_in_the_log(portal, faults, caplog):
    token = confirmation_token(portal)
    bug = faults.fail("dynamodb", "GetItem", "invalid", times=None, when=on_table("tokens"))
    with caplog.at_level(logging.INFO):
        response = create_password(portal, token)
    faults.clear()
    error = response.json_body["error"]
    assert response.status_code == 500 and error["code"] == "internal_error"
    assert error["request_id"] in error["message"] and error["request_id"] in caplog.text
    assert bug.hits == 1  # a client error is not retried
    assert_untouched()


@pytest.mark.parametrize("kind", DYNAMODB_FAULTS)
def test_sign_in_refused_by_dynamodb_opens_no_session_and_then_works(portal, faults, kind):
    portal.register_and_activate()  # which opens the first session
    opened = [s.session_hash for s in Session.scan()]
    faults.fail("dynamodb", "PutItem", kind, times=None, when=on_table("sessions"))
    assert_service_busy(portal.sign_in())
    faults.clear()
    assert [s.session_hash for s in Session.scan()] == opened
    assert portal.sign_in().status_code == 200
    assert portal.authed("get", "/api/me").status_code == 200


@pytest.mark.parametrize("operation", ["BatchGetItem", "Query"])
def test_sign_in_absorbs_throttling_for_a_moment(portal, faults, operation):
    portal.register_and_activate()
    throttled = faults.fail("dynamodb", operation, "throughput", times=2)
    assert portal.sign_in().status_code == 200
    assert throttled.hits == 2


def test_a_signed_in_voter_sees_a_clear_answer_while_dynamodb_is_throttled(portal, faults):
    portal.register_and_activate()
    portal.sign_in()
    faults.fail("dynamodb", "*", "throughput", times=None)
    for path in ("/api/me", "/api/me/ballots", "/api/me/claims"):
        assert_service_busy(portal.authed("get", path))
    faults.clear()
    assert portal.authed("get", "/api/me").status_code == 200
