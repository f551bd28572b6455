"""A campaign's two workers: the walk (one page per message) and its emails.

Both run in AWS, triggered by their own queues, so a campaign does not depend on the
administrator's computer. The campaign's emails have their own queue and function, with a
bounded concurrency and pace (`domain.campaigns.SendingPlan`): the voters' own requests
keep their queue and worker, and SES's rate is never exceeded by the campaign alone.
"""

from __future__ import annotations

import json
import logging
import time

from chalice import Blueprint

from chalicelib import clock, settings
from chalicelib.domain.errors import ServiceBusy
from chalicelib.logs import log_event
from chalicelib.wiring import sending_plan

LOGGER = "espace_electeur.campaigns"

campaign_workers = Blueprint(__name__)

# The sending plan that sizes the email worker: read when the functions are packaged, as
# Chalice writes the event source's maximum concurrency into the template.
PLAN = sending_plan()
BATCH_SIZE = 10


@campaign_workers.on_sqs_message(queue=settings.required("CAMPAIGN_WALK_QUEUE_NAME"), batch_size=1)
def walk_campaign(event):
    from chalicelib.services.campaign_walk import walk_page

    for record in event:
        message = json.loads(record.body)
        outcome = walk_page(message, now=clock.utc_now(), plan=PLAN)
        log_event(
            "campaign_page",
            logger=LOGGER,
            campaign=message.get("campaign_id"),
            unit=message.get("unit"),
            page=message.get("page"),
            outcome=outcome,
        )


class _Pace:
    """Keeps this container's sends `PLAN.seconds_between_sends` apart, across its batches
    (all workers together: the campaign rate); only real sends wait."""

    def __init__(self):
        self.last: float | None = None

    def wait(self) -> None:
        interval = PLAN.seconds_between_sends
        if self.last is not None:
            pause = interval - (time.monotonic() - self.last)
            if pause > 0:
                time.sleep(pause)
        self.last = time.monotonic()


PACE = _Pace()


@campaign_workers.on_sqs_message(
    queue=settings.required("CAMPAIGN_MAIL_QUEUE_NAME"),
    batch_size=BATCH_SIZE,
    maximum_concurrency=PLAN.workers,
)
def send_campaign_email(event):
    """Each message on its own: one that cannot be handled now is put back, delayed, and the
    others of the batch still go (a raise would return the whole batch)."""
    from chalicelib.services.campaign_mail import RETRY_SECONDS, Deferred, defer
    from chalicelib.services.campaign_mail import send_campaign_email as send
    from chalicelib.store.campaign_deliveries import CountPending

    for record in event:
        body = json.loads(record.body)
        try:
            outcome = send(body, now=clock.utc_now(), pace=PACE.wait)
        except Deferred as deferred:
            defer(deferred.body or body, deferred.seconds)
            outcome = deferred.reason
        except CountPending as pending:
            # The entry is settled; its counter is added when this comes back.
            body = {k: v for k, v in body.items() if k != "sent"}
            defer({**body, "count": pending.counter_name}, RETRY_SECONDS)
            outcome = "count_later"
        except ServiceBusy:
            # DynamoDB said "not now": nothing was settled; the request comes back later.
            log_event("campaign_mail_busy", logger=LOGGER, level=logging.WARNING, campaign=body.get("campaign_id"))
            defer(body, RETRY_SECONDS)
            outcome = "busy"
        log_event("campaign_mail", logger=LOGGER, campaign=body.get("campaign_id"), outcome=outcome)
