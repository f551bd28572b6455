"""Run the app's SQS-triggered functions locally, as Lambda's event source mapping would.

For each `@app.on_sqs_message` handler, poll its queue, hand a batch to the same handler
entry point Lambda calls, delete the messages if it returned, and leave them if it raised:
they come back after the visibility timeout and, after too many receives, go to the
dead-letter queue, exactly as in AWS.
"""

from __future__ import annotations

import logging
import threading
import uuid

import boto3
from chalice.app import SQSEventConfig

from chalicelib import settings

log = logging.getLogger("espace_electeur.local.poller")


class LambdaContext:
    """The fields of Lambda's context object that handlers may read."""

    def __init__(self, function_name: str):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def sqs_event(messages: list[dict], queue_arn: str) -> dict:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody"),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": settings.region(),
            }
            for m in messages
        ]
    }


class SqsPoller:
    def __init__(self, app, wait_seconds: int = 1):
        self.app = app
        self.wait_seconds = wait_seconds
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.sqs = boto3.client("sqs", region_name=settings.region())

    def sources(self) -> list[SQSEventConfig]:
        return [s for s in self.app.event_sources if isinstance(s, SQSEventConfig)]

    def start(self) -> SqsPoller:
        for source in self.sources():
            thread = threading.Thread(target=self._poll, args=(source,), name=f"sqs-{source.name}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.wait_seconds + 5)

    def _poll(self, source: SQSEventConfig) -> None:
        queue_url = self.sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        while not self.stopping.is_set():
            try:
                self.poll_once(source, queue_url, queue_arn)
            except Exception:  # keep polling, as the event source mapping does
                log.exception("local SQS poller: handler %s failed", source.name)

    def poll_once(self, source: SQSEventConfig, queue_url: str, queue_arn: str) -> int:
        """Deliver one batch; return how many messages were handled and deleted."""
        messages = self.sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        handler = self.app.handler_map[source.name]
        handler(sqs_event(messages, queue_arn), LambdaContext(source.name))
        self.sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        return len(messages)
