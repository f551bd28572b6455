"""Create on the local AWS what CloudFormation creates in a real account.

The same names as the stage's configuration: the tables (with TTL), the mail and delivery
events queues with their dead-letter queues, and the verified SES sender identity.
"""

from __future__ import annotations

import json
from email.utils import parseaddr

import boto3

from chalicelib import settings
from chalicelib.store.tables import create_tables

MAX_RECEIVES_BEFORE_DEAD_LETTER = 5


def create_queues(queue_name: str) -> str:
    """The queue and its dead-letter queue; returns the queue's URL."""
    sqs = boto3.client("sqs", region_name=settings.region())
    dead_letter_url = sqs.create_queue(QueueName=f"{queue_name}-dlq")["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs.create_queue(
        QueueName=queue_name,
        Attributes={
            "VisibilityTimeout": "60",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(MAX_RECEIVES_BEFORE_DEAD_LETTER)}
            ),
        },
    )["QueueUrl"]


def verify_sender(sender: str) -> str:
    address = parseaddr(sender)[1]
    boto3.client("ses", region_name=settings.region()).verify_email_identity(EmailAddress=address)
    return address


def provision() -> dict:
    configured = settings.Settings.from_environment()
    return {
        "tables": create_tables(),
        "queue_url": create_queues(configured.mail_queue_name),
        "delivery_events_queue_url": create_queues(settings.required("DELIVERY_EVENTS_QUEUE_NAME")),
        "sender": verify_sender(configured.mail_sender),
    }
