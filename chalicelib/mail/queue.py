"""The queue of email requests: the request handler puts, the mail worker consumes."""

from __future__ import annotations

import json
from functools import cache

from chalicelib import settings
from chalicelib.domain.errors import ServiceBusy
from chalicelib.mail.clients import client
from chalicelib.transient import translate_transient


@cache
def _queue_url(queue_name: str) -> str:
    return client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]


def enqueue_mail_request(body: dict) -> None:
    """Put one request on the queue, or raise ServiceBusy once boto3's retries are spent."""
    with translate_transient():
        client("sqs").send_message(
            QueueUrl=_queue_url(settings.required("MAIL_QUEUE_NAME")), MessageBody=json.dumps(body)
        )


# SQS takes at most this many messages in one SendMessageBatch.
BATCH_SIZE = 10


def enqueue_mail_requests(bodies: list[dict]) -> None:
    """Put these requests on the queue, ten per SendMessageBatch; raise ServiceBusy once
    boto3's retries are spent or when SQS refuses an entry (the caller runs again: the
    requests that did go carry their own ids, and the worker sends each once)."""
    with translate_transient():
        for start in range(0, len(bodies), BATCH_SIZE):
            entries = [
                {"Id": str(n), "MessageBody": json.dumps(body)}
                for n, body in enumerate(bodies[start : start + BATCH_SIZE])
            ]
            answer = client("sqs").send_message_batch(
                QueueUrl=_queue_url(settings.required("MAIL_QUEUE_NAME")), Entries=entries
            )
            if answer.get("Failed"):
                raise ServiceBusy()


def delay_retry(receipt_handle: str, seconds: int) -> None:
    """Make a message that failed come back after `seconds` (SQS's own backoff)."""
    client("sqs").change_message_visibility(
        QueueUrl=_queue_url(settings.required("MAIL_QUEUE_NAME")),
        ReceiptHandle=receipt_handle,
        VisibilityTimeout=seconds,
    )


def forget_queue_urls() -> None:
    _queue_url.cache_clear()
