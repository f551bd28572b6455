"""A small IAM evaluator for the generated policies, and the stack's values as AWS would give them.

Enough of IAM's rules to test what this project generates, not a general engine: statements
with Action or NotAction and Resource (IAM's `*` and `?` wildcards, actions without regard to
case), an explicit Deny over any Allow, and the condition operators the policies use
(StringEquals, StringNotEquals, StringLike, Null). Called without a request context, it answers
"could this ever be allowed?": a conditional Allow counts, a conditional Deny does not (it may
not apply). With a context, every condition is evaluated against it.

`every_policy` yields every policy document the generator writes (each function's, as
`deploy.py record-outputs` and `merge-template` write them, and each role of `stack.json`) with
the values CloudFormation would give the template's references, and `unauthorised` replays
recorded DynamoDB calls against a function's generated policy, the KMS use DynamoDB makes on the
caller's behalf included: the helper for a voting journey's replay.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from pathlib import Path

from infra.aws import policies
from infra.aws.functions import FUNCTIONS, VOTE_TABLES, table_key_logical_id, table_logical_id
from infra.aws.stack import build_template

REGION, ACCOUNT = "eu-west-3", "123456789012"
TRANSACTION_ITEMS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _statements(document: dict) -> list[dict]:
    statements = document["Statement"]
    return [statements] if isinstance(statements, dict) else statements


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _action_matches(statement: dict, action: str) -> bool:
    def any_of(patterns):
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _listed(patterns))

    return any_of(statement["Action"]) if "Action" in statement else not any_of(statement["NotAction"])


def _resource_matches(statement: dict, resource: str) -> bool:
    if "Resource" in statement:
        return any(fnmatch.fnmatchcase(resource, p) for p in _listed(statement["Resource"]))
    return not any(fnmatch.fnmatchcase(resource, p) for p in _listed(statement["NotResource"]))


def _condition_holds(condition: dict, context: dict) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            expected = _listed(expected)
            present = key in context
            value = context.get(key)
            if operator == "StringEquals":
                holds = present and value in expected
            elif operator == "StringLike":
                holds = present and any(fnmatch.fnmatchcase(value, p) for p in expected)
            elif operator == "StringNotEquals":  # a negated operator holds when the key is absent
                holds = not present or value not in expected
            elif operator == "Null":
                holds = (not present) == (expected == ["true"])
            else:
                raise NotImplementedError(operator)
            if not holds:
                return False
    return True


def decision(documents, action: str, resource: str, context: dict | None = None) -> str:
    """ "deny" (an explicit Deny applies), "allow", or "implicit" (nothing allows it)."""
    if isinstance(documents, dict):
        documents = [documents]
    allowed = False
    for document in documents:
        for statement in _statements(document):
            if not (_action_matches(statement, action) and _resource_matches(statement, resource)):
                continue
            conditional = "Condition" in statement
            if context is None:
                applies = statement["Effect"] == "Allow" or not conditional
            else:
                applies = not conditional or _condition_holds(statement["Condition"], context)
            if applies and statement["Effect"] == "Deny":
                return "deny"
            allowed = allowed or applies
    return "allow" if allowed else "implicit"


def table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def table_resources(arn: str) -> list[str]:
    """What a read of a table can name: the table, an index, a stream."""
    return [arn, f"{arn}/index/any-index", f"{arn}/stream/2026-11-29T09:00:00.000"]


def resolve(value, values: dict[str, str]):
    """A template's `Fn::Sub`, `Ref` and `Fn::GetAtt` replaced by what CloudFormation gives them."""
    if isinstance(value, list):
        return [resolve(v, values) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}]+)\}", lambda m: values[m[1]], value["Fn::Sub"])
    if set(value) == {"Ref"}:
        return values[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        return values[".".join(value["Fn::GetAtt"])]
    return {k: resolve(v, values) for k, v in value.items()}


def template_values(template: dict, table_name=None) -> dict[str, str]:
    """Each parameter, pseudo parameter, `Ref` and `Fn::GetAtt` of the template as the deployed
    prod stack has it; `table_name(suffix)` names the tables otherwise (the tests' `test-…`)."""
    values = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "Stage": "prod"}
    values |= {name: str(p.get("Default", f"{name.lower()}.example")) for name, p in template["Parameters"].items()}
    values["Stage"] = "prod"
    for logical, resource in template["Resources"].items():
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            name = resolve(properties["TableName"], values)
            if table_name:
                name = table_name(name.removeprefix("espace-electeur-prod-"))
            values[logical], values[f"{logical}.Arn"] = name, table_arn(name)
        elif kind == "AWS::KMS::Key":
            key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, logical))
            values[logical], values[f"{logical}.Arn"] = key_id, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
        elif kind == "AWS::SQS::Queue":
            name = resolve(properties["QueueName"], values)
            values[f"{logical}.QueueName"], values[f"{logical}.Arn"] = name, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
            values[logical] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        elif kind == "AWS::Logs::LogGroup":
            name = resolve(properties["LogGroupName"], values)
            values[f"{logical}.Arn"] = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"
        elif kind == "AWS::SecretsManager::Secret":
            values[logical] = (
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{resolve(properties['Name'], values)}-Ab12Cd"
            )
        elif kind == "AWS::IAM::Role":
            values[logical] = f"espace-electeur-prod-{logical}-AB12CD34"
            values[f"{logical}.Arn"] = f"arn:aws:iam::{ACCOUNT}:role/{values[logical]}"
        else:
            values[logical] = f"{logical}-id"
            values[f"{logical}.Arn"] = f"arn:aws:{kind.split('::')[1].lower()}:{REGION}:{ACCOUNT}:{logical}"
    return values


def stack_outputs(table_name=None) -> dict[str, str]:
    """The outputs of the generated stack as `describe-stacks` gives them, once deployed."""
    template = build_template()
    values = template_values(template, table_name)
    return {key: resolve(output["Value"], values) for key, output in template["Outputs"].items()}


def every_policy(tmp_path: Path):
    """(where, document) for every policy the generator writes, with its references resolved."""
    from infra.aws.deploy import merge_policies

    outputs = stack_outputs()
    for function in FUNCTIONS:
        yield f"record-outputs {function.handler}", policies.function_policy(function.handler, outputs)
    merge_policies("prod", config_dir=tmp_path)
    template = build_template()
    values = template_values(template)
    for function in FUNCTIONS:
        written = json.loads((tmp_path / function.chalice_config("prod")["iam_policy_file"]).read_text())
        yield f"merge-template {function.handler}", resolve(written, values)
    committed = json.loads(Path(__file__).parents[2].joinpath("infra/aws/stack.json").read_text(encoding="utf-8"))
    for logical, resource in committed["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                yield f"stack.json {logical}", resolve(policy["PolicyDocument"], values)
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            yield f"stack.json {logical}", resolve(resource["Properties"]["PolicyDocument"], values)


def _requests(calls):
    """(action, resource, context) for each DynamoDB request of recorded (service, operation,
    params) calls, each item of a transaction or a batch authorised by its own action."""
    for service, operation, params in calls:
        if service != "dynamodb":
            continue
        if operation in ("TransactWriteItems", "TransactGetItems"):
            enclosing = {"dynamodb:EnclosingOperation": operation}
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                action = "GetItem" if kind == "Get" else TRANSACTION_ITEMS[kind]
                yield f"dynamodb:{action}", table_arn(body["TableName"]), enclosing
        elif operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                yield f"dynamodb:{operation}", table_arn(table), {}
        else:
            resource = table_arn(params["TableName"])
            if "IndexName" in params:
                resource = f"{resource}/index/{params['IndexName']}"
            context = {"dynamodb:ReturnValues": params["ReturnValues"]} if "ReturnValues" in params else {}
            yield f"dynamodb:{operation}", resource, context


def unauthorised(calls, handler: str) -> set[tuple[str, str]]:
    """The DynamoDB requests among recorded calls (tests/infra/test_aws_stack.py's
    `recorded_calls`) that the function's generated policy would refuse, with the kms:Decrypt
    DynamoDB asks on the caller's behalf for the tables that have their own key. Table names
    are the tests' (`test-<suffix>`)."""
    outputs = stack_outputs(table_name=lambda suffix: f"test-{suffix}")
    document = policies.function_policy(handler, outputs)
    keyed = {outputs[table_logical_id(m)]: outputs[f"{table_key_logical_id(m)}Arn"] for m in VOTE_TABLES}
    refused = set()
    for action, resource, context in _requests(calls):
        if decision(document, action, resource, context) != "allow":
            refused.add((action, resource))
        table = resource.split(":table/")[1].split("/")[0]
        if table in keyed:
            kms = {
                "kms:ViaService": outputs[policies.VIA_DYNAMODB],
                "kms:EncryptionContext:aws:dynamodb:tableName": table,
            }
            if decision(document, "kms:Decrypt", keyed[table], kms) != "allow":
                refused.add(("kms:Decrypt", keyed[table]))
    return refused
