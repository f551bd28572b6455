"""Registration, reset requests, the mail worker, links and password creation, over the API."""

import json
from datetime import timedelta

import pytest

from chalicelib.services import outgoing_mail
from chalicelib.store.accounts import ACTIVE, PENDING, Account
from chalicelib.store.mail_log import MailLogEntry
from chalicelib.store.tokens import Token
from tests.api.conftest import GOOD_PASSWORD, LISTED, OTHER


def queued(portal):
    import boto3

    sqs = boto3.client("sqs", region_name="eu-west-3")
    return int(
        sqs.get_queue_attributes(QueueUrl=portal.queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
    )


@pytest.mark.parametrize("path", ["/api/registrations", "/api/password-resets"])
def test_every_address_gets_the_same_answer_and_the_same_path(portal, path):
    portal.register_and_activate(OTHER)
    answers = set()
    for address in [LISTED, OTHER, "inconnu@ac-poitiers.fr", "Camille.Nom3@AC-Poitiers.fr"]:
        response = portal.post(path, {"email": address})
        body = json.loads(response.body)
        # The address typed comes back (normalised) for the mailbox screen; the rest is the same.
        assert body["mailbox"].pop("email") == address.lower()
        answers.add((response.status_code, json.dumps(body, sort_keys=True)))
    assert len(answers) == 1
    status, body = answers.pop()
    body = json.loads(body)
    assert status == 202 and "dans quelques minutes" in body["message"]
    assert body["mailbox"] == {
        "professional": True,
        "academy": {
            "name": "Poitiers",
            "webmail": "https://webmail.ac-poitiers.fr/",
            "help": "https://www.ac-poitiers.fr/",
        },
        "hourly_budget": 3,
    }
    assert queued(portal) == 4  # each request took the same path: one message on the queue


def test_a_personal_address_is_accepted_and_said_not_to_look_professional(portal):
    response = portal.post("/api/registrations", {"email": "camille.nom@gmail.com"})
    assert response.status_code == 202
    assert response.json_body["mailbox"]["professional"] is False and response.json_body["mailbox"]["academy"] is None
    assert queued(portal) == 1


@pytest.mark.parametrize("address", ["", "camille", "camille@", "a b@ac-poitiers.fr"])
def test_a_malformed_address_is_refused_and_queues_nothing(portal, address):
    response = portal.post("/api/registrations", {"email": address})
    assert response.status_code == 400 and response.json_body["error"]["code"] == "invalid_email"
    assert queued(portal) == 0


def test_a_missing_email_field_is_named(portal):
    response = portal.post("/api/registrations", {"mail": LISTED})
    assert response.status_code == 400 and response.json_body["error"]["field"] == "email"


def test_a_queue_failure_is_a_clear_503_that_changes_nothing(portal, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    class BrokenSqs:
        def get_queue_url(self, **kwargs):
            return {"QueueUrl": portal.queue_url}

        def send_message(self, **kwargs):
            raise EndpointConnectionError(endpoint_url="https://sqs.eu-west-3.amazonaws.com")

    monkeypatch.setattr("chalicelib.mail.queue.client", lambda service: BrokenSqs())
    response = portal.post("/api/registrations", {"email": LISTED})
    assert response.status_code == 503 and response.json_body["error"]["code"] == "service_busy"
    assert response.headers["Retry-After"] == "30"
    assert queued(portal) == 0


def test_registration_sends_a_confirmation_link_valid_24_hours(portal):
    portal.post("/api/registrations", {"email": "Camille.Nom1@AC-Poitiers.fr"})
    assert portal.run_worker() == 1
    [mail] = portal.new_mail()
    assert mail.to == LISTED and "confirmez votre adresse" in mail.subject
    assert "valable 24 heures" in mail.text and mail.token
    assert Account.get("P00000001").status == PENDING
    check = portal.post("/api/token-checks", {"token": mail.token})
    assert check.status_code == 200
    assert check.json_body == {
        "purpose": "registration",
        "email": "c******.n***@ac-poitiers.fr",
        "expires_at": "2026-11-30T10:00:00+01:00",
    }


def test_an_unlisted_address_receives_nothing(portal):
    portal.post("/api/registrations", {"email": "inconnu@ac-poitiers.fr"})
    portal.post("/api/password-resets", {"email": "inconnu@ac-poitiers.fr"})
    assert portal.run_worker() == 2
    assert portal.new_mail() == []


def test_an_active_account_registering_gets_an_already_exists_email(portal):
    portal.register_and_activate()
    portal.new_mail()
    portal.clock.advance(seconds=1)
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    [mail] = portal.new_mail()
    assert "existe déjà" in mail.subject and "/connexion" in mail.text
    # Its link works: a stranger "registering" the voter's address only sends them a way back in.
    reset = portal.post(
        "/api/passwords", {"token": mail.token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    )
    assert reset.status_code == 200 and reset.json_body == {"signed_in": False}
    assert portal.sign_in(password="Nouveau2026").status_code == 200


def test_reset_for_an_active_account_is_a_one_hour_link(portal):
    portal.register_and_activate()
    portal.new_mail()
    portal.clock.advance(seconds=1)
    portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    [mail] = portal.new_mail()
    assert "nouveau mot de passe" in mail.subject and "valable 1 heure" in mail.text
    assert portal.post("/api/token-checks", {"token": mail.token}).json_body["purpose"] == "reset"


def test_reset_for_a_listed_voter_not_yet_active_sends_the_confirmation(portal):
    portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    [mail] = portal.new_mail()
    assert "confirmez votre adresse" in mail.subject
    assert portal.post("/api/token-checks", {"token": mail.token}).json_body["purpose"] == "registration"


def test_at_most_three_emails_per_address_per_hour(portal):
    for _ in range(5):
        portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    assert len(portal.new_mail()) == 3
    portal.clock.advance(minutes=61)
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    assert len(portal.new_mail()) == 1


def test_every_unexpired_link_works_until_one_is_used(portal):
    for _ in range(2):
        portal.post("/api/registrations", {"email": LISTED})
        portal.clock.advance(minutes=1)
    portal.run_worker()
    first, second = (m.token for m in portal.new_mail())
    assert portal.post("/api/token-checks", {"token": first}).status_code == 200  # the late first email works
    assert portal.post("/api/token-checks", {"token": second}).status_code == 200
    response = portal.post(
        "/api/passwords", {"token": first, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD}
    )
    assert response.status_code == 200
    for token in (first, second):
        answer = portal.post("/api/token-checks", {"token": token})
        assert answer.status_code == 410 and answer.json_body["error"]["code"] == "token_used"
    assert (
        portal.post(
            "/api/passwords", {"token": second, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD}
        ).status_code
        == 410
    )


def test_token_checks_change_nothing_and_name_each_failure(portal):
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    before = [t.attribute_values for t in Token.scan()], Account.get("P00000001").attribute_values
    for _ in range(3):
        assert portal.post("/api/token-checks", {"token": token}).status_code == 200
    assert ([t.attribute_values for t in Token.scan()], Account.get("P00000001").attribute_values) == before
    assert portal.post("/api/token-checks", {"token": "x" * 43}).json_body["error"]["code"] == "token_invalid"
    assert portal.post("/api/token-checks", {"token": "short"}).json_body["error"]["code"] == "token_invalid"
    portal.clock.advance(hours=24)
    expired = portal.post("/api/token-checks", {"token": token})
    assert expired.status_code == 410 and expired.json_body["error"]["code"] == "token_expired"
    assert "Recevez-en un nouveau" in expired.json_body["error"]["message"]
    assert expired.json_body["error"]["masked_email"] == "c******.n***@ac-poitiers.fr"


def test_a_refused_password_lists_every_violation_and_leaves_the_link_usable(portal):
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    response = portal.post("/api/passwords", {"token": token, "password": "abc", "password_confirmation": "abd"})
    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "password_policy"
    assert error["violations"] == ["too_short", "missing_uppercase", "missing_digit", "confirmation_mismatch"]
    response = portal.post("/api/passwords", {"token": token, "password": LISTED, "password_confirmation": LISTED})
    assert "same_as_email" in response.json_body["error"]["violations"]
    assert (
        portal.post(
            "/api/passwords", {"token": token, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD}
        ).status_code
        == 200
    )
    account = Account.get("P00000001")
    assert account.status == ACTIVE and account.password_hash.startswith("$argon2id$")


def test_a_reset_ends_every_session_does_not_sign_in_and_sends_a_notice(portal):
    portal.register_and_activate()
    portal.sign_in()
    old_session = portal.cookies["session"]
    assert portal.authed("get", "/api/me").status_code == 200
    portal.new_mail()
    portal.clock.advance(minutes=1)
    portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    response = portal.post(
        "/api/passwords", {"token": token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    )
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.json_body == {"signed_in": False}
    assert portal.authed("get", "/api/me", session=old_session).status_code == 401
    portal.run_worker()
    [notice] = portal.new_mail()
    assert "a été changé" in notice.subject and notice.token is None
    assert portal.sign_in(password=GOOD_PASSWORD).status_code == 401
    assert portal.sign_in(password="Nouveau2026").status_code == 200


def test_the_password_changed_notice_is_outside_the_hourly_budget(portal):
    portal.register_and_activate()  # the confirmation: 1 of the 3 emails this hour
    portal.clock.advance(seconds=1)
    for _ in range(3):
        portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    mails = portal.new_mail()
    assert len(mails) == 2  # two resets: the budget is spent, the third request sent nothing
    response = portal.post(
        "/api/passwords", {"token": mails[-1].token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    )
    assert response.status_code == 200
    portal.run_worker()
    assert [m.subject for m in portal.new_mail()] == [
        "Élections professionnelles : votre mot de passe électeur a été changé"
    ]


def test_a_failed_send_is_retried_without_a_second_email(portal, monkeypatch):
    from chalicelib.services import outgoing_mail as service

    real_send = service.send_raw_email
    failures = {"left": 2}

    def flaky_send(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("SES throttled")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(service, "send_raw_email", flaky_send)
    portal.post("/api/registrations", {"email": LISTED})
    body = _receive_body(portal)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            service.handle_mail_request(body, now=portal.clock.now)
    outcome = service.handle_mail_request(body, now=portal.clock.now)
    assert outcome.reason == "sent"
    assert service.handle_mail_request(body, now=portal.clock.now).reason == "already_sent"
    mails = portal.new_mail()
    assert len(mails) == 1
    # Each attempt's link stays stored: SES might have delivered one it seemed to refuse. Only the
    # delivered secret exists anywhere, and it works.
    assert len(list(Token.scan())) == 3
    assert portal.post("/api/token-checks", {"token": mails[0].token}).status_code == 200
    [entry] = MailLogEntry.scan()
    assert (entry.status, entry.attempt) == ("sent", 3)


def test_the_worker_pushes_a_failed_message_back_with_backoff(portal, monkeypatch):
    import boto3

    from chalicelib.services import outgoing_mail as service
    from chalicelib.workers import mail as worker

    monkeypatch.setattr(service, "send_raw_email", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("SES down")))
    delays = []
    monkeypatch.setattr(worker, "delay_retry", lambda receipt, seconds: delays.append(seconds))
    portal.post("/api/registrations", {"email": LISTED})
    with pytest.raises(RuntimeError):
        portal.run_worker()
    assert delays == [30]
    assert [worker.retry_delay(n) for n in (1, 2, 3, 6, 10)] == [30, 60, 120, 900, 900]
    sqs = boto3.client("sqs", region_name="eu-west-3")
    hidden = sqs.get_queue_attributes(
        QueueUrl=portal.queue_url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )
    assert hidden["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"  # not lost


def _receive_body(portal) -> dict:
    import boto3

    sqs = boto3.client("sqs", region_name="eu-west-3")
    [message] = sqs.receive_message(QueueUrl=portal.queue_url, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=portal.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return json.loads(message["Body"])


def test_a_message_delivered_twice_sends_one_email(portal):
    portal.post("/api/registrations", {"email": LISTED})
    body = _receive_body(portal)
    first = outgoing_mail.handle_mail_request(body, now=portal.clock.now)
    second = outgoing_mail.handle_mail_request(body, now=portal.clock.now + timedelta(seconds=5))
    assert (first.reason, second.reason) == ("sent", "already_sent")
    assert len(portal.new_mail()) == 1


def test_the_policy_endpoint_lists_the_rules_the_server_enforces(portal):
    response = portal.client.http.get("/api/password-policy")
    assert response.status_code == 200
    assert [r["code"] for r in response.json_body["rules"]][:2] == ["too_short", "too_long"]
    assert response.json_body["rules"][0]["label"] == "Au moins 8 caractères"


def test_an_expired_link_is_renewed_to_the_same_address_in_one_request(portal):
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    portal.clock.advance(hours=25)
    expired = portal.post("/api/token-checks", {"token": token}).json_body["error"]
    assert expired["code"] == "token_expired"
    renewed = portal.post("/api/link-renewals", {"token": token})
    assert renewed.status_code == 202 and expired["masked_email"] in renewed.json_body["message"]
    assert LISTED not in json.dumps(renewed.json_body)  # only the masked address
    portal.run_worker()
    [mail] = portal.new_mail()
    assert mail.to == LISTED and mail.token and mail.token != token
    created = portal.post(
        "/api/passwords", {"token": mail.token, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD}
    )
    assert created.status_code == 200 and created.json_body == {"signed_in": True}
    assert "session=" in created.headers["Set-Cookie"] and "HttpOnly" in created.headers["Set-Cookie"]
    assert portal.post("/api/link-renewals", {"token": token}).json_body["error"]["code"] == "token_used"
    assert portal.post("/api/link-renewals", {"token": "x" * 43}).json_body["error"]["code"] == "token_invalid"
    assert queued(portal) == 0


def test_sign_in_without_a_password_says_what_to_do_and_is_not_a_failed_attempt(portal):
    portal.register_and_activate()
    for _ in range(8):
        response = portal.post("/api/sessions", {"email": LISTED, "password": ""})
        assert response.status_code == 400 and response.json_body["error"]["code"] == "password_missing"
        assert "recevoir un lien" in response.json_body["error"]["message"].lower()
    assert portal.sign_in().status_code == 200  # eight empty submissions locked nothing
