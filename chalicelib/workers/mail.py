"""The mail worker: one SQS message (an email request) per invocation.

A failure (SES throttling or outage, DynamoDB throttling) re-raises, so the message returns
to the queue; before that, its visibility is pushed back with exponential backoff. After five
receives SQS moves it to the dead-letter queue, which the deploy alarms on.
"""

from __future__ import annotations

import json
import logging

from chalice import Blueprint

from chalicelib import clock, settings
from chalicelib.logs import log_event
from chalicelib.mail.queue import delay_retry
from chalicelib.services.outgoing_mail import handle_mail_request

LOGGER = "espace_electeur.mail"

mail_worker = Blueprint(__name__)

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 900


def retry_delay(receive_count: int) -> int:
    return min(FIRST_RETRY_SECONDS * 2 ** max(receive_count - 1, 0), MAX_RETRY_SECONDS)


# At most this many emails are being sent at once: about 5 invocations of ~0.2 s each keep
# within SES's default production rate (14 emails/s); raise it with the account's quota.
@mail_worker.on_sqs_message(
    queue=settings.required("MAIL_QUEUE_NAME"),
    batch_size=1,
    maximum_concurrency=settings.integer("MAIL_WORKER_CONCURRENCY", 5),
)
def send_requested_email(event):
    for record in event:
        body = json.loads(record.body)
        try:
            outcome = handle_mail_request(body, now=clock.utc_now())
        except Exception:
            receive_count = int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", "1"))
            log_event(
                "mail_failed",
                logger=LOGGER,
                level=logging.ERROR,
                exc_info=True,
                request_id=body.get("request_id"),
                receive=receive_count,
            )
            try:
                delay_retry(record.receipt_handle, retry_delay(receive_count))
            except Exception:
                log_event("mail_retry_delay_failed", logger=LOGGER, level=logging.ERROR, exc_info=True)
            raise
        log_event("mail_request", logger=LOGGER, request_id=body.get("request_id"), outcome=outcome.reason)
