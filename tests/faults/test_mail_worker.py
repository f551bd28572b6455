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
    [token] = tokens_of(VOTER)  # a failed attempt's link was removed, never left valid
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
    assert len(mails) == 2 and len(tokens_of(VOTER)) == 2
    for mail in mails:  # a late first email still works until one link is used
        assert portal.post("/api/token-checks", {"token": mail.token}).status_code == 200
