"""The sending budget under attack (issue 13, findings 1 and 4): strangers cannot spend a
voter's own requests, a request that waited in the queue still counts, and concurrent workers
never send more than the budget.

The test client gives every HTTP request the same address, so the strangers' clients are
played at the service layer: `registration.request_email(..., client=...)` is exactly what
the API handler calls with the caller's address.
"""

import threading

from chalicelib.domain.mail_policy import ADDRESS_HOURLY_CEILING, HOURLY_BUDGET, MailRequestKind
from chalicelib.services import outgoing_mail, registration
from tests.api.conftest import LISTED

VOTER, STRANGER = "198.51.100.7", "203.0.113.66"


def ask(portal, kind, client, address=LISTED):
    registration.request_email(kind, address, now=portal.clock.now, client=client)


def test_a_stranger_cannot_spend_the_voters_own_reset(portal):
    portal.register_and_activate()
    portal.new_mail()
    portal.clock.advance(seconds=1)
    for _ in range(5):
        ask(portal, MailRequestKind.REGISTRATION, STRANGER)
    portal.run_worker()
    strangers = portal.new_mail()
    # Three "already exists" emails, each with a working reset link; the stranger's other two sent nothing.
    assert len(strangers) == HOURLY_BUDGET and all(mail.token for mail in strangers)
    ask(portal, MailRequestKind.RESET, VOTER)
    portal.run_worker()
    [own] = portal.new_mail()
    assert "nouveau mot de passe" in own.subject and own.token
    created = portal.post(
        "/api/passwords", {"token": own.token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    )
    assert created.status_code == 200


def test_many_clients_together_stop_at_the_address_ceiling(portal):
    for number in range(2 * ADDRESS_HOURLY_CEILING):
        ask(portal, MailRequestKind.REGISTRATION, f"192.0.2.{number}")
    portal.run_worker()
    assert len(portal.new_mail()) == ADDRESS_HOURLY_CEILING


def test_a_request_that_waited_in_the_queue_counts_in_the_hour_it_arrived(portal):
    for _ in range(8):
        ask(portal, MailRequestKind.RESET, VOTER)
    portal.clock.advance(hours=2)  # the worker was down; the requests waited two hours
    portal.run_worker()
    assert len(portal.new_mail()) == HOURLY_BUDGET  # it was 8 of 8 before


def test_concurrent_workers_never_send_more_than_the_budget(portal, serialised_aws):
    bodies = []
    for number in range(5):
        bodies.append(
            {
                "request": "reset",
                "email": LISTED,
                "request_id": f"00000000-0000-0000-0000-00000000000{number}",
                "requested_at": portal.clock.now.strftime("%Y-%m-%dT%H:%M:%S.%f+0000"),
                "client": VOTER,
            }
        )
    outcomes = []

    def deliver(body):
        outcomes.append(outgoing_mail.handle_mail_request(body, now=portal.clock.now).reason)

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["over_budget"] * 2 + ["sent"] * 3  # it was 5 of 5 before
    assert len(portal.new_mail()) == HOURLY_BUDGET


def test_the_budget_frees_up_the_next_hour(portal):
    for _ in range(HOURLY_BUDGET + 1):
        ask(portal, MailRequestKind.RESET, VOTER)
    portal.run_worker()
    assert len(portal.new_mail()) == HOURLY_BUDGET
    portal.clock.advance(hours=1)
    ask(portal, MailRequestKind.RESET, VOTER)
    portal.run_worker()
    assert len(portal.new_mail()) == 1


def test_one_client_cannot_flood_the_mail_queue(portal):
    """Finding 2: 200 of 200 requests from one client were queued in 2.3 s."""
    from tests.api.test_registration_and_links import queued

    answers = [portal.post("/api/registrations", {"email": f"x{n}@ac-poitiers.fr"}).status_code for n in range(40)]
    assert answers.count(202) == registration.REQUESTS_PER_CLIENT and set(answers) == {202, 429}
    assert queued(portal) == registration.REQUESTS_PER_CLIENT
    refused = portal.post("/api/password-resets", {"email": LISTED})
    assert refused.status_code == 429 and refused.json_body["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    portal.clock.advance(minutes=registration.REQUEST_WINDOW_MINUTES)
    assert portal.post("/api/password-resets", {"email": LISTED}).status_code == 202


def test_the_client_limit_answers_the_same_for_every_address(portal):
    for n in range(registration.REQUESTS_PER_CLIENT):
        portal.post("/api/registrations", {"email": f"x{n}@ac-poitiers.fr"})
    known = portal.post("/api/registrations", {"email": LISTED})
    unknown = portal.post("/api/registrations", {"email": "personne@ac-poitiers.fr"})
    assert (known.status_code, known.json_body) == (unknown.status_code, unknown.json_body)
