"""The registration request and the mail worker under SQS, SES and DynamoDB faults.

Whatever fails, a listed voter ends with exactly one email whose link works, and a request
that could not be queued is refused clearly, so that the voter asks again.
"""

import pytest

from chalicelib.store.mail_log import SENT, MailLogEntry
from chalicelib.store.tokens import Token
from tests.api.conftest import LISTED
from tests.faults.conftest import assert_service_busy, deliver_once, on_table

VOTER = "P00000001"


def tokens_of(voter_id):
    return [t for t in Token.scan() if t.voter_id == voter_id]


def assert_one_working_confirmation(portal):
    [mail] = portal.new_mail()
    assert mail.to == LISTED and mail.token
    assert portal.post("/api/token-checks", {"token": mail.token}).status_code == 200
    [entry] = MailLogEntry.query(LISTED)
    assert entry.status == SENT
    assert deliver_once(portal) == "empty"  # nothing left to send twice
    return entry


@pytest.mark.parametrize("kind", ["unavailable", "throttling", "connection"])
def test_a_request_that_cannot_be_queued_is_refused_and_asking_again_works(portal, faults, kind):
    refused = faults.fail("sqs", "SendMessage", kind, times=None)
    assert_service_busy(portal.post("/api/registrations", {"email": LISTED}))
    assert refused.hits == 5  # the call and botocore's 4 retries, then our answer
    assert deliver_once(portal) == "empty"

    faults.clear()
    assert portal.post("/api/registrations", {"email": LISTED}).status_code == 202
    assert deliver_once(portal) == "ok"
    assert_one_working_confirmation(portal)


def test_ses_throttling_for_a_moment_is_absorbed_by_the_retries(portal, faults):
    portal.post("/api/registrations", {"email": LISTED})
    throttled = faults.fail("ses", "SendRawEmail", "throttling", times=2)
    assert deliver_once(portal) == "ok"
    assert throttled.hits == 2  # two throttled, the third accepted
    assert assert_one_working_confirmation(portal).attempt == 1


@pytest.mark.parametrize("kind", ["unavailable", "throttling", "connection"])
def test_an_ses_outage_delays_the_email_which_is_then_sent_once(portal, faults, kind):
    portal.post("/api/registrations", {"email": LISTED})
    faults.fail("ses", "SendRawEmail", kind, times=None)
    for _ in range(2):  # two deliveries fail: the message stays queued
        assert deliver_once(portal) in ("ClientError", "EndpointConnectionError")
    assert portal.new_mail() == []

    faults.clear()
    assert deliver_once(portal) == "ok"
    assert assert_one_working_confirmation(portal).attempt == 3


@pytest.mark.parametrize(
    "operation,table",
    [
        ("Query", "mail-log"),
        ("PutItem", "mail-log"),
        ("PutItem", "accounts"),
        ("PutItem", "tokens"),
        ("GetItem", "accounts"),
    ],
)
@pytest.mark.parametrize("kind", ["throughput", "throttling"])
def test_dynamodb_throttling_in_the_worker_delays_the_email_which_is_then_sent_once(
    portal, faults, operation, table, kind
):
    portal.post("/api/registrations", {"email": LISTED})
    refused = faults.fail("dynamodb", operation, kind, times=None, when=on_table(table))
    assert deliver_once(portal) != "ok"
    assert refused.hits == 4  # PynamoDB's attempts
    assert portal.new_mail() == []

    faults.clear()
    assert deliver_once(portal) == "ok"
    assert_one_working_confirmation(portal)


def test_once_ses_has_accepted_the_email_a_failing_log_write_does_not_send_it_again(portal, faults, caplog):
    portal.post("/api/registrations", {"email": LISTED})
    faults.fail("dynamodb", "UpdateItem", "throughput", times=None, when=on_table("mail-log"))
    assert deliver_once(portal) == "ok"  # consumed: SES has the email
    [mail] = portal.new_mail()
    assert portal.post("/api/token-checks", {"token": mail.token}).status_code == 200
    assert deliver_once(portal) == "empty"
    assert '"step": "record_sent"' in caplog.text


def test_a_voter_who_asks_twice_during_an_ses_outage_gets_one_email_per_request_and_both_links_work(portal, faults):
    faults.fail("ses", "SendRawEmail", "unavailable", times=None)
    portal.post("/api/registrations", {"email": LISTED})
    portal.post("/api/registrations", {"email": LISTED})
    assert {deliver_once(portal), deliver_once(portal)} == {"ClientError"}
    faults.clear()
    while deliver_once(portal) == "ok":
        pass
    mails = portal.new_mail()
    assert len(mails) == 2  # (the failed attempts' links stay stored, unusable: no one has them)
    for mail in mails:  # a late first email still works until one link is used
        assert portal.post("/api/token-checks", {"token": mail.token}).status_code == 200


def test_a_retry_after_ses_accepted_the_email_keeps_the_delivered_link_working(portal, faults, monkeypatch):
    """Finding 10: SES accepted the email but the call failed (a timeout after acceptance); the
    retry deleted that attempt's link, so the email the voter had received no longer worked."""
    from botocore.exceptions import ReadTimeoutError

    from chalicelib.services import outgoing_mail

    real_send = outgoing_mail.send_raw_email
    calls = {"n": 0}

    def accepted_then_timed_out(*args, **kwargs):
        calls["n"] += 1
        real_send(*args, **kwargs)  # SES has the email
        if calls["n"] == 1:
            raise ReadTimeoutError(endpoint_url="https://email.eu-west-3.amazonaws.com")

    monkeypatch.setattr(outgoing_mail, "send_raw_email", accepted_then_timed_out)
    portal.post("/api/registrations", {"email": LISTED})
    assert deliver_once(portal) != "ok"  # the worker saw a failure: the message comes again
    assert deliver_once(portal) == "ok"
    first, second = portal.new_mail()
    assert first.token != second.token
    for mail in (first, second):  # both links work until one is used
        assert portal.post("/api/token-checks", {"token": mail.token}).status_code == 200
    created = portal.post(
        "/api/passwords", {"token": first.token, "password": "Bonjour2026", "password_confirmation": "Bonjour2026"}
    )
    assert created.status_code == 200
    assert portal.post("/api/token-checks", {"token": second.token}).json_body["error"]["code"] == "token_used"
