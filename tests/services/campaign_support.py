"""A campaign's world on moto: an election loaded, every queue, the two campaign workers
driven as Lambda's event source mapping would, and the emails SES received."""

from __future__ import annotations

import email
import email.policy
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import settings
from tests.api.conftest import Mail


@dataclass
class CampaignWorld:
    now: datetime
    seen: int = 0
    handled: dict = field(default_factory=dict)

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)

    def _poller(self):
        from app import app
        from infra.local.poller import SqsPoller

        return SqsPoller(app, wait_seconds=0)

    def poll(self, handler: str) -> int:
        """One receive of the handler's queue delivered to it; how many messages it handled."""
        poller = self._poller()
        source = next(s for s in poller.sources() if s.name == handler)
        url = poller.sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
        arn = poller.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        count = poller.poll_once(source, url, arn)
        self.handled[handler] = self.handled.get(handler, 0) + count
        return count

    def walk(self, pages: int | None = None) -> int:
        """Walk pages (all that are queued, or at most `pages` receives)."""
        done = 0
        while (pages is None or done < pages) and self.poll("walk_campaign"):
            done += 1
        return done

    def send(self) -> int:
        handled = 0
        while count := self.poll("send_campaign_email"):
            handled += count
        return handled

    def run(self) -> None:
        """Everything queued, walked and sent, as AWS would, until both queues are empty."""
        while self.walk() + self.send():
            pass

    def sent(self) -> list[Mail]:
        messages = ses_backends[DEFAULT_ACCOUNT_ID][settings.region()].sent_messages[self.seen :]
        self.seen += len(messages)
        found = []
        for raw in messages:
            message = email.message_from_string(raw.raw_data, policy=email.policy.default)
            found.append(Mail(str(message["To"]), str(message["Subject"]), message.get_body(("plain",)).get_content()))
        return found

    def queue_depth(self, variable: str) -> int:
        import boto3

        sqs = boto3.client("sqs", region_name=settings.region())
        url = sqs.get_queue_url(QueueName=os.environ[variable])["QueueUrl"]
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())
