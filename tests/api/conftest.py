"""A portal on moto with a small election loaded, a controllable clock, and helpers to run
the mail worker on what is queued and to read what SES received."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from chalice.test import Client
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from app import app
from chalicelib import clock, settings
from chalicelib.api.auth import COOKIE
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_import import import_voters
from infra.local.poller import SqsPoller
from infra.local.provision import create_queues, verify_sender
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

JETON = re.compile(r"#jeton=([A-Za-z0-9_-]{43})")
LISTED = "camille.nom1@ac-poitiers.fr"
OTHER = "camille.nom2@ac-poitiers.fr"
GOOD_PASSWORD = "Bonjour2026"


@dataclass
class Clock:
    now: datetime

    def advance(self, **delta) -> None:
        self.now = self.now + timedelta(**delta)


@dataclass
class Mail:
    to: str
    subject: str
    text: str

    @property
    def token(self) -> str | None:
        found = JETON.search(self.text)
        return found.group(1) if found else None


@dataclass
class Portal:
    client: Client
    clock: Clock
    queue_url: str
    seen_mail: int = 0
    cookies: dict = field(default_factory=dict)

    def post(self, path, body, headers=None, content_type="application/json"):
        return self.client.http.post(
            path, body=json.dumps(body).encode(), headers={"Content-Type": content_type, **(headers or {})}
        )

    def poll_mail_queue(self) -> int:
        """One receive of the mail queue handed to the worker, as Lambda's event source mapping
        does; returns how many messages were handled (the worker's error, if it raised)."""
        poller = SqsPoller(app, wait_seconds=0)
        source = next(s for s in poller.sources() if s.name == "send_requested_email")
        arn = poller.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return poller.poll_once(source, self.queue_url, arn)

    def run_worker(self) -> int:
        """Deliver every queued message to the mail worker, as Lambda would; return how many."""
        handled = 0
        while count := self.poll_mail_queue():
            handled += count
        return handled

    def new_mail(self) -> list[Mail]:
        sent = ses_backends[DEFAULT_ACCOUNT_ID][settings.region()].sent_messages[self.seen_mail :]
        self.seen_mail += len(sent)
        mails = []
        for raw in sent:
            message = email.message_from_string(raw.raw_data, policy=email.policy.default)
            mails.append(Mail(str(message["To"]), str(message["Subject"]), message.get_body(("plain",)).get_content()))
        return mails

    def register_and_activate(self, address=LISTED, password=GOOD_PASSWORD) -> None:
        self.post("/api/registrations", {"email": address})
        self.run_worker()
        token = self.new_mail()[-1].token
        response = self.post(
            "/api/passwords", {"token": token, "password": password, "password_confirmation": password}
        )
        assert response.status_code == 200 and json.loads(response.body) == {"signed_in": True}, response.body

    def sign_in(self, address=LISTED, password=GOOD_PASSWORD):
        response = self.post("/api/sessions", {"email": address, "password": password})
        if response.status_code == 200:
            self.cookies["session"] = session_cookie(response)
        return response

    def authed(self, method, path, body=None, session=None):
        cookie = {"Cookie": f"{COOKIE}={session or self.cookies['session']}"}
        if body is None:
            return getattr(self.client.http, method)(path, headers=cookie)
        return getattr(self.client.http, method)(
            path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json", **cookie}
        )


def session_cookie(response) -> str:
    header = response.headers["Set-Cookie"]
    return header.split(";", 1)[0].split("=", 1)[1]


@pytest.fixture
def portal(aws, tmp_path, monkeypatch, chalice_project):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    import_voters(write_voters(tmp_path / "v.csv", [voter(1), voter(2), voter(3)]), now=NOW)
    queue_url = create_queues(os.environ["MAIL_QUEUE_NAME"])
    verify_sender(os.environ["MAIL_SENDER"])
    moment = Clock(NOW)
    monkeypatch.setattr(clock, "utc_now", lambda: moment.now)
    with Client(app, **chalice_project) as client:
        yield Portal(client=client, clock=moment, queue_url=queue_url)
