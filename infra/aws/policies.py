"""Least-privilege IAM policies for each Lambda function, built from the stack's ARNs.

Chalice's automatic policy cannot see PynamoDB's calls, so `autogen_policy` is off and each
function gets exactly the DynamoDB actions it uses, on its own tables and indexes, the SQS
actions on its own queue, and (for the mail worker) `ses:SendRawEmail` from its own identity.
`docs/data-model.md` lists the calls behind each line; a test replays a whole journey and
checks that every call it makes is allowed here, and that nothing here is a wildcard
without a reason written in `WILDCARDS`.
"""

from __future__ import annotations

# table suffix -> actions, per function ("index:<name>" entries grant Query on that index).
DYNAMODB = {
    "api_handler": {
        "voters": ["GetItem", "index:by-email"],
        "electoral-list": ["Query"],
        "ballots": ["GetItem", "BatchGetItem"],
        "accounts": ["GetItem", "UpdateItem"],
        "tokens": ["GetItem", "UpdateItem"],
        "sessions": ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "index:by-voter"],
        "rate-limits": ["BatchGetItem", "PutItem", "UpdateItem", "DeleteItem"],
        "claims": ["GetItem", "PutItem", "index:by-voter"],
    },
    "send_requested_email": {
        "voters": ["GetItem", "index:by-email"],
        "accounts": ["GetItem", "PutItem"],
        "mail-log": ["Query", "PutItem", "UpdateItem"],
        "tokens": ["PutItem", "DeleteItem"],
        "claims": ["GetItem"],
    },
    "record_delivery_event": {
        "deliverability": ["UpdateItem"],
    },
}
SQS = {
    "api_handler": ("Mail", ["sqs:SendMessage", "sqs:GetQueueUrl"]),
    "send_requested_email": ("Mail", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                      "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl"]),
    "record_delivery_event": ("DeliveryEvents", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
}
LOG_GROUPS = {"api_handler": "Api", "send_requested_email": "MailWorker", "record_delivery_event": "DeliveryEventsWorker"}

# Every wildcard allowed in a generated policy (a pattern of the whole resource), and why it
# cannot be narrower.
WILDCARDS = {
    r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:/aws/lambda/espace-electeur-[a-z]+(-[a-z_]+)?:\*$":
        "CloudWatch Logs names each log stream at run time; the ':*' suffix grants the streams "
        "of this one log group only.",
}


def _table_logical(suffix: str) -> str:
    return "".join(part.capitalize() for part in suffix.split("-")) + "Table"


def function_policy(function: str, outputs: dict[str, str]) -> dict:
    """The policy document of one function, from the stack's outputs (logical id -> value)."""
    statements = []
    for suffix, grants in DYNAMODB[function].items():
        table_arn = outputs[f"{_table_logical(suffix)}Arn"]
        actions = sorted({f"dynamodb:{g}" for g in grants if not g.startswith("index:")})
        indexes = [g.removeprefix("index:") for g in grants if g.startswith("index:")]
        if actions:
            statements.append({"Sid": _sid(f"{suffix}-table"), "Effect": "Allow", "Action": actions, "Resource": [table_arn]})
        if indexes:
            statements.append({"Sid": _sid(f"{suffix}-indexes"), "Effect": "Allow", "Action": ["dynamodb:Query"],
                               "Resource": [f"{table_arn}/index/{index}" for index in indexes]})
    queue, actions = SQS[function]
    statements.append({"Sid": "Queue", "Effect": "Allow", "Action": actions, "Resource": [outputs[f"{queue}QueueArn"]]})
    if function == "send_requested_email":
        statements.append({"Sid": "SendEmail", "Effect": "Allow", "Action": ["ses:SendRawEmail"],
                           "Resource": [outputs["MailIdentityArn"], outputs["MailConfigurationSetArn"]]})
    log_group = outputs[f"{LOG_GROUPS[function]}LogGroupArn"]
    statements.append({"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": [log_group if log_group.endswith(":*") else f"{log_group}:*"]})
    return {"Version": "2012-10-17", "Statement": statements}


def _sid(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("-"))
