"""Least-privilege IAM policies for each Lambda function, built from the stack's ARNs.

Chalice's automatic policy cannot see PynamoDB's calls, so `autogen_policy` is off and each
function gets exactly what its entry in `infra/aws/functions.py` lists: DynamoDB actions on
its own tables and indexes, SQS actions on its own queues, SES actions from our identity,
reading its own secrets, and writing its own log group. `docs/data-model.md` lists the calls behind each grant; a
test replays a whole journey and checks that every call it makes is allowed, and that
nothing here is a wildcard without a reason written in `WILDCARDS`.
"""

from __future__ import annotations

from chalicelib.store.base import table_suffix
from infra.aws.functions import BY_HANDLER, pascal, table_logical_id

# Every wildcard allowed in a generated policy (a pattern of the whole resource), and why it
# cannot be narrower.
LOG_STREAMS = r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:/aws/lambda/espace-electeur-[a-z]+(-[a-z_]+)?:\*$"
WILDCARDS = {
    LOG_STREAMS: (
        "CloudWatch Logs names each log stream at run time; the ':*' suffix grants the streams "
        "of this one log group only."
    ),
}


def function_policy(handler: str, outputs: dict[str, str]) -> dict:
    """The policy document of one function, from the stack's outputs (logical id -> value)."""
    function = BY_HANDLER[handler]
    statements = []
    for model, grants in function.dynamodb.items():
        suffix = table_suffix(model)
        table_arn = outputs[f"{table_logical_id(model)}Arn"]
        actions = sorted({f"dynamodb:{g}" for g in grants if not g.startswith("index:")})
        indexes = [g.removeprefix("index:") for g in grants if g.startswith("index:")]
        if actions:
            statements.append(
                {"Sid": pascal(f"{suffix}-table"), "Effect": "Allow", "Action": actions, "Resource": [table_arn]}
            )
        if indexes:
            statements.append(
                {
                    "Sid": pascal(f"{suffix}-indexes"),
                    "Effect": "Allow",
                    "Action": ["dynamodb:Query"],
                    "Resource": [f"{table_arn}/index/{index}" for index in indexes],
                }
            )
    for queue, actions in function.sqs.items():
        statements.append(
            {
                "Sid": f"{queue.name}Queue",
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": [outputs[f"{queue.name}QueueArn"]],
            }
        )
    if function.ses:
        statements.append(
            {
                "Sid": "SendEmail",
                "Effect": "Allow",
                "Action": list(function.ses),
                "Resource": [outputs["MailIdentityArn"], outputs["MailConfigurationSetArn"]],
            }
        )
    if function.secrets:
        statements.append(
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [outputs[f"{secret}Arn"] for secret in function.secrets],
            }
        )
    log_group = outputs[f"{function.logical_id}LogGroupArn"]
    statements.append(
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [log_group if log_group.endswith(":*") else f"{log_group}:*"],
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}
