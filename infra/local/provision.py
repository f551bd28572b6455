"""Create on the local AWS what CloudFormation creates in a real account.

The same names as the stage's configuration: the tables (with TTL), every queue with its
dead-letter queue, and the verified SES sender identity. The
queues' settings (visibility timeout, receives before the dead-letter queue) are those of
the AWS stack: both read them from `infra/aws/functions.py`.
"""

from __future__ import annotations

import json
import secrets
from email.utils import parseaddr

import boto3

from chalicelib import settings
from chalicelib.store.tables import create_tables
from infra.aws.functions import MAIL_QUEUE, QUEUES, QueueSpec


def create_queues(queue_name: str, spec: QueueSpec = MAIL_QUEUE) -> str:
    """The queue (by default with the mail queue's settings) and its dead-letter queue;
    returns the queue's URL."""
    sqs = boto3.client("sqs", region_name=settings.region())
    dead_letter_url = sqs.create_queue(
        QueueName=f"{queue_name}-dlq", Attributes={"MessageRetentionPeriod": str(spec.dead_letter_retention_seconds)}
    )["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"]
    dead_letter_arn = attributes["QueueArn"]
    return sqs.create_queue(
        QueueName=queue_name,
        Attributes={
            "VisibilityTimeout": str(spec.visibility_timeout),
            "MessageRetentionPeriod": str(spec.retention_seconds),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(spec.max_receives)}
            ),
        },
    )["QueueUrl"]


def verify_sender(sender: str) -> str:
    address = parseaddr(sender)[1]
    boto3.client("ses", region_name=settings.region()).verify_email_identity(EmailAddress=address)
    return address


def create_all_queues() -> dict[str, str]:
    """Every queue of the stage (`functions.QUEUES`), by its variable; returns their URLs."""
    return {spec.variable: create_queues(settings.required(spec.variable), spec) for spec in QUEUES}


def create_secret(variable: str) -> str:
    """A secret of the local stack, random, made at each start (the local AWS forgets
    everything when it stops), as CloudFormation generates it: the voter codes' pepper, the
    server's signing key. Already there, it is kept: the codes given so far stay checkable,
    and a sealed bureau's close is signed with the key its seal named."""
    name = settings.required(variable)
    client = boto3.client("secretsmanager", region_name=settings.region())
    try:
        client.create_secret(Name=name, SecretString=secrets.token_urlsafe(48))
    except client.exceptions.ResourceExistsException:
        pass
    return name


def provision() -> dict:
    configured = settings.Settings.from_environment()
    return {
        "tables": create_tables(),
        "queues": create_all_queues(),
        "sender": verify_sender(configured.mail_sender),
        "secrets": [create_secret("VOTER_CODE_PEPPER_ID"), create_secret("SERVER_SIGNING_KEY_ID")],
    }
