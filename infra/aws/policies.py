"""Least-privilege IAM policies for each Lambda function of the registry, built from
the stack's ARNs.

Chalice's automatic policy cannot see PynamoDB's calls, so `autogen_policy` is off and each
function gets exactly what its entry in `infra/aws/functions.py` lists: DynamoDB actions on
its own tables and indexes, SQS actions on its own queues, SES actions from our identity,
reading its own secrets, and writing its own log group. `docs/data-model.md` lists the calls behind each grant; a
test replays a whole journey and checks that every call it makes is allowed, and that
nothing here is a wildcard without a reason written in `WILDCARDS`.

The sign-in list and the ballot box (`functions.VOTE_TABLES`) add two things. An entry's
`denies` become explicit Deny statements, which no Allow of this or any other policy of the
role overrides. And each has its own KMS key, which DynamoDB uses on the caller's behalf:
"When you access an encrypted DynamoDB table, DynamoDB needs to decrypt the table key [...]
DynamoDB sends a Decrypt request to AWS KMS [...] The user is the principal in your AWS
account who is accessing the table" (AWS KMS Developer Guide, "How Amazon DynamoDB uses AWS
KMS", services-dynamodb.html; the plaintext table key is then cached for five minutes). So
every role that reads *or writes* such a table needs `kms:Decrypt` on its key, a put as much
as a query: KMS cannot tell a write from a read, the separation lies in the DynamoDB actions
and the Deny statements. The grant is only through DynamoDB (`kms:ViaService`) and only for
that table (`kms:EncryptionContext:aws:dynamodb:tableName`, DynamoDB's encryption context in
every KMS call), so the role cannot decrypt anything with the key itself. Nothing else is
needed by the callers: DynamoDB generates the table key (GenerateDataKey) and re-encrypts under
its own grants, which it creates (CreateGrant) for the principal that creates the table, here
CloudFormation acting with the deployer's credentials.
"""

from __future__ import annotations

from chalicelib.store.base import table_suffix
from infra.aws.functions import BY_HANDLER, READS, VOTE_TABLES, pascal, table_key_logical_id, table_logical_id

# Every wildcard allowed in a generated policy's Allow statements (a pattern of the whole
# resource), and why it cannot be narrower. Deny statements may use wildcards freely: a wider
# Deny takes away more, never grants.
LOG_STREAMS = r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:/aws/lambda/espace-electeur-[a-z]+(-[a-z_]+)?:\*$"
WILDCARDS = {
    LOG_STREAMS: (
        "CloudWatch Logs names each log stream at run time; the ':*' suffix grants the streams "
        "of this one log group only."
    ),
}
# The stack output that names DynamoDB's endpoint in the stack's region, for kms:ViaService.
VIA_DYNAMODB = "DynamoDbViaService"


class SeparationError(ValueError):
    """A registry entry breaks the separation of the sign-in list and the ballot box."""


def _reads(grants: tuple[str, ...]) -> set[str]:
    return {g for g in grants if g in READS or g.startswith("index:")}


def check_separation(entry) -> None:
    """Refuse an entry that may read both vote tables, that reads one without denying reads of
    the other, or whose grants on a table go beyond what its Deny leaves."""
    read = [model for model in VOTE_TABLES if _reads(entry.dynamodb.get(model, ()))]
    name = entry.handler
    if len(read) > 1:
        raise SeparationError(f"{name} may read both the sign-in list and the ballot box")
    for model in read:
        for other in VOTE_TABLES:
            if other is not model and (other not in entry.denies or set(entry.denies[other].but) & set(READS)):
                raise SeparationError(
                    f"{name} reads {table_suffix(model)}: it must be denied reading {table_suffix(other)}"
                )
    for model, deny in entry.denies.items():
        beyond = [g for g in entry.dynamodb.get(model, ()) if g not in deny.but]
        if beyond:
            raise SeparationError(f"{name} is granted {beyond} on {table_suffix(model)}, which it is denied")


def _deny_statements(model, deny, outputs: dict[str, str]) -> list[dict]:
    name = pascal(table_suffix(model))
    table_arn = outputs[f"{table_logical_id(model)}Arn"]
    everything = [table_arn, f"{table_arn}/*"]  # the table, its indexes, streams, backups, exports
    if not deny.but:
        statements = [{"Sid": f"No{name}Table", "Effect": "Deny", "Action": ["dynamodb:*"], "Resource": everything}]
        if model in VOTE_TABLES:
            key = outputs[f"{table_key_logical_id(model)}Arn"]
            statements.append({"Sid": f"No{name}TableKey", "Effect": "Deny", "Action": ["kms:*"], "Resource": [key]})
        return statements
    kept = sorted(f"dynamodb:{action}" for action in deny.but)
    only = "Only" + "".join(action.removesuffix("Item") for action in sorted(deny.but))
    return [
        {"Sid": f"{name}Table{only}", "Effect": "Deny", "NotAction": kept, "Resource": everything},
        {
            # A put or update that returns the item it replaced is a read.
            "Sid": f"{name}TableReturnsNothing",
            "Effect": "Deny",
            "Action": kept,
            "Resource": [table_arn],
            "Condition": {
                "Null": {"dynamodb:ReturnValues": "false"},
                "StringNotEquals": {"dynamodb:ReturnValues": "NONE"},
            },
        },
    ]


def role_policy(entry, outputs: dict[str, str]) -> dict:
    """The policy document of an entry of the registry (a `Function`), from the stack's outputs
    (logical id -> value)."""
    check_separation(entry)
    statements = []
    for model, grants in entry.dynamodb.items():
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
        if model in VOTE_TABLES:
            statements.append(
                {
                    "Sid": pascal(f"{suffix}-table-key"),
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt"],
                    "Resource": [outputs[f"{table_key_logical_id(model)}Arn"]],
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": outputs[VIA_DYNAMODB],
                            "kms:EncryptionContext:aws:dynamodb:tableName": outputs[table_logical_id(model)],
                        }
                    },
                }
            )
    for model, deny in entry.denies.items():
        statements += _deny_statements(model, deny, outputs)
    for queue, actions in entry.sqs.items():
        statements.append(
            {
                "Sid": f"{queue.name}Queue",
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": [outputs[f"{queue.name}QueueArn"]],
            }
        )
    if entry.ses:
        statements.append(
            {
                "Sid": "SendEmail",
                "Effect": "Allow",
                "Action": list(entry.ses),
                "Resource": [outputs["MailIdentityArn"], outputs["MailConfigurationSetArn"]],
            }
        )
    if entry.secrets:
        statements.append(
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [outputs[f"{secret}Arn"] for secret in entry.secrets],
            }
        )
    if entry.log_group_output:
        log_group = outputs[entry.log_group_output]
        statements.append(
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group if log_group.endswith(":*") else f"{log_group}:*"],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def function_policy(handler: str, outputs: dict[str, str]) -> dict:
    """The policy document of one function, from the stack's outputs (logical id -> value)."""
    return role_policy(BY_HANDLER[handler], outputs)


def template_references(template_outputs: dict) -> dict[str, str]:
    """Each output of a template as the `Fn::Sub` text that names it inside that template
    (`${Table.Arn}`, `${Table}`), for a policy that lives in a template, before any ARN exists."""
    references = {}
    for key, output in template_outputs.items():
        value = output["Value"]
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            references[key] = f"${{{logical}.{attribute}}}"
        elif "Ref" in value:
            references[key] = f"${{{value['Ref']}}}"
        elif "Fn::Sub" in value:
            references[key] = value["Fn::Sub"]
    return references


def in_template(document):
    """A policy built from `template_references`, with every text that names something of the
    template (resources and condition values alike) wrapped in `Fn::Sub`."""
    if isinstance(document, dict):
        return {key: in_template(value) for key, value in document.items()}
    if isinstance(document, list):
        return [in_template(value) for value in document]
    if isinstance(document, str) and "${" in document:
        return {"Fn::Sub": document}
    return document
