"""The SQS queues: email requests (API → mail worker), a campaign's walk and its emails, the
count's work items.

Each queue is named by an environment variable (`infra/aws/functions.py` lists them):
MAIL_QUEUE_NAME for the voters' own requests, CAMPAIGN_WALK_QUEUE_NAME for the pages of a
campaign's walk, CAMPAIGN_MAIL_QUEUE_NAME for the emails a campaign queued, COUNT_QUEUE_NAME for
the shards of a closed box that `bureau count` hands to the count's workers. Each has a
dead-letter queue, named `<name>-dlq` (`infra/aws/stack.py`), where a message goes after too
many failed receives.
"""

from __future__ import annotations

import json
from functools import cache

from chalicelib import settings
from chalicelib.domain.errors import ServiceBusy
from chalicelib.mail.clients import client
from chalicelib.transient import translate_transient

MAIL = "MAIL_QUEUE_NAME"
CAMPAIGN_WALK = "CAMPAIGN_WALK_QUEUE_NAME"
CAMPAIGN_MAIL = "CAMPAIGN_MAIL_QUEUE_NAME"
COUNT = "COUNT_QUEUE_NAME"


@cache
def _queue_url(queue_name: str) -> str:
    return client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]


def _url(queue: str) -> str:
    return _queue_url(settings.required(queue))


def enqueue(body: dict, *, queue: str = MAIL, delay_seconds: int = 0) -> None:
    """Put one message on the queue, or raise ServiceBusy once boto3's retries are spent."""
    extra = {"DelaySeconds": delay_seconds} if delay_seconds else {}
    with translate_transient():
        client("sqs").send_message(QueueUrl=_url(queue), MessageBody=json.dumps(body), **extra)


# SQS takes at most this many messages in one SendMessageBatch.
BATCH_SIZE = 10


def enqueue_batch(bodies: list[dict], *, queue: str = MAIL) -> None:
    """Put these messages on the queue, ten per SendMessageBatch; raise ServiceBusy once
    boto3's retries are spent or when SQS refuses an entry (the caller runs again: the
    messages that did go carry their own ids, and their consumer handles each once)."""
    with translate_transient():
        for start in range(0, len(bodies), BATCH_SIZE):
            entries = [
                {"Id": str(n), "MessageBody": json.dumps(body)}
                for n, body in enumerate(bodies[start : start + BATCH_SIZE])
            ]
            answer = client("sqs").send_message_batch(QueueUrl=_url(queue), Entries=entries)
            if answer.get("Failed"):
                raise ServiceBusy()


def delay_retry(receipt_handle: str, seconds: int, *, queue: str = MAIL) -> None:
    """Make a message that failed come back after `seconds` (SQS's own backoff)."""
    client("sqs").change_message_visibility(
        QueueUrl=_url(queue), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


@translate_transient()
def backlog(queue: str) -> int:
    """About how many messages wait in the queue, are being handled or come back later
    (delayed: throttled or parked emails), by SQS's approximation."""
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = client("sqs").get_queue_attributes(QueueUrl=_url(queue), AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


@translate_transient()
def dead_letters(queue: str, *, receives: int = 10) -> list[dict]:
    """The messages of the queue waiting in its dead-letter queue (their bodies), looked at
    without taking them: received with a visibility timeout of 0, so they stay there for the
    operator who replays them. SQS hands out a sample per receive; `receives` receives, with
    duplicates dropped, see every message of a small dead-letter queue, which is what one is."""
    url = _queue_url(f"{settings.required(queue)}-dlq")
    seen: dict[str, dict] = {}
    for _ in range(receives):
        found = (
            client("sqs")
            .receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0)
            .get("Messages", [])
        )
        if not found:
            break
        for message in found:
            try:
                seen[message["MessageId"]] = json.loads(message["Body"])
            except ValueError:
                seen[message["MessageId"]] = {}
    return list(seen.values())


def forget_queue_urls() -> None:
    _queue_url.cache_clear()
