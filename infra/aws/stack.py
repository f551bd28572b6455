"""The CloudFormation stack of what `chalice deploy` does not create, generated from the code.

Tables come from the PynamoDB models themselves (keys, attribute types, indexes and their
projections, TTL attribute), and the functions' log groups and alarms from the registry in
`infra/aws/functions.py`, so the template cannot drift from either: `make template` rewrites
`infra/aws/stack.json` (and `docs/functions.md`), and a test fails when either is stale.

One stack per stage (`aws cloudformation deploy --parameter-overrides Stage=prod …`):
DynamoDB tables (on demand, point-in-time recovery, encryption, TTL, deletion protection in
prod; the sign-in list and the ballot box each under its own KMS key and protected in every
stage), the role of the count's workers, SQS queues with their dead-letter queues, SES
(domain identity with DKIM, a custom MAIL FROM domain, a configuration set whose bounces and
complaints go through SNS to a queue), CloudWatch alarms, the KMS key of the SNS topics that
SES and CloudWatch publish to, the secret CloudFront proves itself with, and the functions' log groups with their
retention.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from chalicelib.store.base import table_suffix, table_variable
from chalicelib.store.tables import ALL_MODELS, ttl_attribute_name
from infra.aws import policies
from infra.aws.functions import (
    APP,
    DOCS_PATH,
    FUNCTIONS,
    QUEUES,
    VOTE_TABLES,
    WITHOUT_HISTORY,
    render_docs,
    table_key_logical_id,
    table_logical_id,
)

TEMPLATE_PATH = Path(__file__).with_name("stack.json")
# Stack output -> the environment variable of `.chalice/config.json` it fills (deploy.py).
OUTPUT_VARIABLES = {
    **{table_logical_id(model): table_variable(model) for model in ALL_MODELS},
    **{f"{queue.name}QueueName": queue.variable for queue in QUEUES},
    "MailConfigurationSetName": "MAIL_CONFIGURATION_SET",
    "OriginSecretName": "ORIGIN_SECRET_ID",
    "VoterCodePepperName": "VOTER_CODE_PEPPER_ID",
    "ServerSigningKeyName": "SERVER_SIGNING_KEY_ID",
}
# The secret CloudFront sends as X-Origin-Verify (chalicelib/api/origin.py); the edge stack
# reads it by this name.
ORIGIN_SECRET_NAME = f"{APP}-${{Stage}}-origin-verify"
# The key of the voter codes' HMAC (chalicelib/domain/voter_codes.py).
VOTER_CODE_PEPPER_NAME = f"{APP}-${{Stage}}-voter-code-pepper"
# The server's signing key (`chalicelib.wiring.server_signing_seed`): the seal names it, the close is signed with it.
SERVER_SIGNING_KEY_NAME = f"{APP}-${{Stage}}-server-signing-key"


def _sub(text: str) -> dict:
    return {"Fn::Sub": text}


def _account_administers_the_key() -> dict:
    """A KMS key policy's first statement: the account's IAM policies decide who uses the key."""
    return {
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": _sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
        "Action": "kms:*",
        "Resource": "*",
    }


def table_resource(model) -> dict:
    schema = model._get_schema()
    definitions = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    properties = {
        "TableName": _sub(f"{APP}-${{Stage}}-{table_suffix(model)}"),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in sorted(definitions.items())],
        "KeySchema": [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema["key_schema"]],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": ["IsProd", True, False]},
        "Tags": [{"Key": "application", "Value": APP}, {"Key": "stage", "Value": {"Ref": "Stage"}}],
    }
    if schema["global_secondary_indexes"]:
        properties["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["index_name"],
                "KeySchema": [
                    {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in index["key_schema"]
                ],
                "Projection": dict(index["projection"]),
            }
            for index in schema["global_secondary_indexes"]
        ]
    ttl = ttl_attribute_name(model)
    if ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
    if model in VOTE_TABLES:
        # Its own key: reading it takes kms:Decrypt on that key as well as the DynamoDB action,
        # which only the roles that use the table have (policies.py); protected in every stage,
        # and no StreamSpecification ever (a stream would be a second, ordered copy to read).
        properties["SSESpecification"] = {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Fn::GetAtt": [table_key_logical_id(model), "Arn"]},
        }
        properties["DeletionProtectionEnabled"] = True
    if model in WITHOUT_HISTORY:
        properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": False}
    return {
        "Type": "AWS::DynamoDB::Table",
        # Voters, accounts and votes outlive a mistaken stack deletion or replacement.
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def _alarm(
    description: str,
    namespace: str,
    metric: str,
    dimensions: list,
    statistic: str,
    threshold: float,
    period: int = 60,
    periods: int = 1,
    comparison: str = "GreaterThanThreshold",
) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": dimensions,
            "Statistic": statistic,
            "Period": period,
            "EvaluationPeriods": periods,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _throttle_alarm(suffix: str, logical: str) -> dict:
    """Read and write throttle events of a table (and its indexes), summed."""

    def metric(identifier: str, name: str) -> dict:
        return {
            "Id": identifier,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/DynamoDB",
                    "MetricName": name,
                    "Dimensions": [{"Name": "TableName", "Value": {"Ref": logical}}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
        }

    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": f"DynamoDB throttles requests on {suffix}: see docs/runbook.md#dynamodb-throttling",
            "Metrics": [
                metric("reads", "ReadThrottleEvents"),
                metric("writes", "WriteThrottleEvents"),
                {"Id": "throttles", "Expression": "reads + writes", "Label": "throttle events", "ReturnData": True},
            ],
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _output(key: str, value: dict, description: str = "") -> dict:
    """An output; those filling an environment variable say which (OUTPUT_VARIABLES is the data)."""
    return {
        key: {
            "Description": f"environment {OUTPUT_VARIABLES[key]}" if key in OUTPUT_VARIABLES else description,
            "Value": value,
        }
    }


def tables() -> tuple[dict, dict]:
    """The resources and outputs of the DynamoDB tables, one per model."""
    resources, outputs = {}, {}
    for model in ALL_MODELS:
        logical = table_logical_id(model)
        resources[logical] = table_resource(model)
        outputs |= _output(logical, {"Ref": logical})
        outputs |= _output(f"{logical}Arn", {"Fn::GetAtt": [logical, "Arn"]}, f"ARN of {table_variable(model)}")
    return resources, outputs


def table_keys() -> tuple[dict, dict]:
    """The customer managed KMS key of each table of `VOTE_TABLES`.

    The key policy is the account's (which lets IAM policies grant the key, as every key of
    this stack) plus DynamoDB's own read-only look at the key, as AWS's example key policy for
    DynamoDB has it ("How Amazon DynamoDB uses AWS KMS", services-dynamodb.html). It does not
    let "every principal of the account, through DynamoDB" use the key, as the AWS managed key
    `aws/dynamodb` does: reading the table takes a `kms:Decrypt` granted by the role's own
    policy, which only the roles that use the table have, so a role that may read every table
    (`ReadOnlyAccess`, an auditor's) still reads neither of these. DynamoDB creates the grants
    it needs for itself (CreateGrant, on behalf of whoever creates the table: CloudFormation
    with the deployer's credentials, who administers the account's keys).

    The keys are retained like the tables: a deleted key would make a retained table unreadable.
    """
    resources, outputs = {}, {}
    for model in VOTE_TABLES:
        key = table_key_logical_id(model)
        resources[key] = {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": _sub(f"{APP}-${{Stage}}: the {table_suffix(model)} table"),
                "EnableKeyRotation": True,
                "PendingWindowInDays": 30,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        _account_administers_the_key(),
                        {
                            "Sid": "DynamoDbDescribesTheKey",
                            "Effect": "Allow",
                            "Principal": {"Service": "dynamodb.amazonaws.com"},
                            "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                            "Resource": "*",
                        },
                    ],
                },
            },
        }
        resources[f"{key}Alias"] = {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": _sub(f"alias/{APP}-${{Stage}}-{table_suffix(model)}"),
                "TargetKeyId": {"Ref": key},
            },
        }
        outputs |= _output(f"{key}Arn", {"Fn::GetAtt": [key, "Arn"]}, f"ARN of the KMS key of {table_variable(model)}")
    outputs |= _output(
        policies.VIA_DYNAMODB,
        _sub("dynamodb.${AWS::Region}.amazonaws.com"),
        "DynamoDB in this region, as kms:ViaService names it",
    )
    return resources, outputs


def queues() -> tuple[dict, dict]:
    """Each queue of `functions.QUEUES` with its dead-letter queue."""
    resources, outputs = {}, {}
    for queue in QUEUES:
        resources[f"{queue.name}DeadLetterQueue"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": _sub(f"{APP}-${{Stage}}-{queue.suffix}-dlq"),
                "MessageRetentionPeriod": queue.dead_letter_retention_seconds,
                "SqsManagedSseEnabled": True,
            },
        }
        resources[f"{queue.name}Queue"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": _sub(f"{APP}-${{Stage}}-{queue.suffix}"),
                "VisibilityTimeout": queue.visibility_timeout,
                "MessageRetentionPeriod": queue.retention_seconds,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [f"{queue.name}DeadLetterQueue", "Arn"]},
                    "maxReceiveCount": queue.max_receives,
                },
            },
        }
        outputs |= _output(f"{queue.name}QueueName", {"Fn::GetAtt": [f"{queue.name}Queue", "QueueName"]})
        outputs |= _output(
            f"{queue.name}QueueArn", {"Fn::GetAtt": [f"{queue.name}Queue", "Arn"]}, f"ARN of {queue.variable}"
        )
    return resources, outputs


def mail() -> tuple[dict, dict]:
    """SES: the domain identity (DKIM, MAIL FROM) and a configuration set reporting bounces,
    complaints and deliveries through SNS to the delivery events queue."""
    resources = {
        "MailIdentity": {
            "Type": "AWS::SES::EmailIdentity",
            "Properties": {
                "EmailIdentity": {"Ref": "MailDomain"},
                "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},
                "DkimAttributes": {"SigningEnabled": True},
                "MailFromAttributes": {
                    "MailFromDomain": _sub("${MailFromSubdomain}.${MailDomain}"),
                    "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
                },
                "ConfigurationSetAttributes": {"ConfigurationSetName": {"Ref": "MailConfigurationSet"}},
                "FeedbackAttributes": {"EmailForwardingEnabled": False},
            },
        },
        "MailConfigurationSet": {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {
                "Name": _sub(f"{APP}-${{Stage}}"),
                "ReputationOptions": {"ReputationMetricsEnabled": True},
                "SendingOptions": {"SendingEnabled": True},
                "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
            },
        },
        "DeliveryEventsTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "TopicName": _sub(f"{APP}-${{Stage}}-delivery-events"),
                "KmsMasterKeyId": {"Ref": "NotificationsKey"},
            },
        },
        "MailEventDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "MailConfigurationSet"},
                "EventDestination": {
                    "Name": "delivery-events",
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint", "delivery", "reject"],
                    "SnsDestination": {"TopicARN": {"Ref": "DeliveryEventsTopic"}},
                },
            },
        },
        "DeliveryEventsSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "Protocol": "sqs",
                "TopicArn": {"Ref": "DeliveryEventsTopic"},
                "Endpoint": {"Fn::GetAtt": ["DeliveryEventsQueue", "Arn"]},
                "RawMessageDelivery": True,
            },
        },
        "DeliveryEventsQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "DeliveryEventsQueue"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": ["DeliveryEventsQueue", "Arn"]},
                            "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "DeliveryEventsTopic"}}},
                        }
                    ],
                },
            },
        },
    }
    outputs = {
        **_output("MailConfigurationSetName", {"Ref": "MailConfigurationSet"}),
        **_output(
            "MailIdentityArn",
            _sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailDomain}"),
            "ARN of the SES identity",
        ),
        **_output(
            "MailConfigurationSetArn",
            _sub(
                "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${MailConfigurationSet}"
            ),
            "ARN of the SES configuration set",
        ),
    }
    return resources, outputs


def notifications_key() -> tuple[dict, dict]:
    """The key of the two SNS topics (SES's delivery reports, the alarms).

    Not the AWS-managed `alias/aws/sns`: its policy cannot be changed and lets no AWS service
    use it, so SES could not publish a bounce nor CloudWatch an alarm (AWS drops them without
    an error). Not "no encryption" either: the delivery reports carry voters' addresses and the
    subject of their emails, personal data at rest in SNS; the alarms carry nothing secret, but
    one key for both costs the same and keeps every topic encrypted. The key policy lets the
    account administer the key, and SES and CloudWatch, acting for this account only
    (`aws:SourceAccount`; CloudWatch also for this region's alarms only), encrypt with it.
    """
    account = {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    publish = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = {
        "NotificationsKey": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": _sub(f"{APP}-${{Stage}}: SNS topics of the delivery reports and the alarms"),
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        _account_administers_the_key(),
                        {
                            "Sid": "SesPublishesDeliveryReports",
                            "Effect": "Allow",
                            "Principal": {"Service": "ses.amazonaws.com"},
                            "Action": publish,
                            "Resource": "*",
                            "Condition": {"StringEquals": account},
                        },
                        {
                            "Sid": "CloudWatchPublishesAlarms",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": publish,
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": account,
                                "ArnLike": {
                                    "aws:SourceArn": _sub(
                                        "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"
                                    )
                                },
                            },
                        },
                    ],
                },
            },
        },
        "NotificationsKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": _sub(f"alias/{APP}-${{Stage}}-notifications"),
                "TargetKeyId": {"Ref": "NotificationsKey"},
            },
        },
    }
    return resources, {}


def _generated_secret(logical_id: str, name: str, description: str, variable: str) -> tuple[dict, dict]:
    """A secret CloudFormation generates when the stack is created (never written in a file,
    a parameter or a log), with its name and ARN as outputs."""
    resources = {
        logical_id: {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": _sub(name),
                "Description": description,
                "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True},
            },
        }
    }
    outputs = {
        **_output(f"{logical_id}Name", _sub(name)),
        **_output(f"{logical_id}Arn", {"Ref": logical_id}, f"ARN of {variable}"),
    }
    return resources, outputs


def origin_secret() -> tuple[dict, dict]:
    """The value only CloudFront and the API function know: the edge stack puts it into
    CloudFront's origin header, the API function reads it (GetSecretValue, on this secret
    only) and refuses every request without it."""
    return _generated_secret(
        "OriginSecret",
        ORIGIN_SECRET_NAME,
        "X-Origin-Verify: CloudFront's proof to the API (docs/threat-model.md)",
        "ORIGIN_SECRET_ID",
    )


def alarms() -> tuple[dict, dict]:
    """The alarm topic and every alarm, each naming its runbook section."""
    resources = {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "TopicName": _sub(f"{APP}-${{Stage}}-alarms"),
                "KmsMasterKeyId": {"Ref": "NotificationsKey"},
            },
        },
        "AlarmSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {"Protocol": "email", "TopicArn": {"Ref": "AlarmTopic"}, "Endpoint": {"Ref": "AlarmEmail"}},
        },
        "ApiServerErrorAlarm": _alarm(
            "More than 1 % of API requests end in 5xx: see docs/runbook.md#api-5xx",
            "AWS/ApiGateway",
            "5XXError",
            [{"Name": "ApiName", "Value": APP}],
            "Average",
            0.01,
            periods=3,
        ),
        "BounceRateAlarm": _alarm(
            "SES bounce rate above 5 % (SES reviews the account at 10 %): see docs/runbook.md#bounces",
            "AWS/SES",
            "Reputation.BounceRate",
            [],
            "Maximum",
            0.05,
            period=300,
        ),
        "ComplaintRateAlarm": _alarm(
            "SES complaint rate above 0.1 % (SES reviews the account at 0.5 %): see docs/runbook.md#bounces",
            "AWS/SES",
            "Reputation.ComplaintRate",
            [],
            "Maximum",
            0.001,
            period=300,
        ),
    }
    for model in ALL_MODELS:
        logical = table_logical_id(model)
        resources[f"{logical}ThrottleAlarm"] = _throttle_alarm(table_suffix(model), logical)
    for queue in QUEUES:
        dead_letter_queue = {"Fn::GetAtt": [f"{queue.name}DeadLetterQueue", "QueueName"]}
        resources[f"{queue.name}DeadLetterAlarm"] = _alarm(
            f"Messages are in the {queue.suffix} dead-letter queue: see docs/runbook.md#dead-letter-queues",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            [{"Name": "QueueName", "Value": dead_letter_queue}],
            "Maximum",
            0,
        )
    for function in FUNCTIONS:
        dimensions = [{"Name": "FunctionName", "Value": _sub(function.function_name)}]
        resources[f"{function.logical_id}ErrorAlarm"] = _alarm(
            f"The {function.logical_id} function fails: see docs/runbook.md#lambda-errors",
            "AWS/Lambda",
            "Errors",
            dimensions,
            "Sum",
            5,
        )
        resources[f"{function.logical_id}ThrottleAlarm"] = _alarm(
            f"The {function.logical_id} function is throttled: see docs/runbook.md#lambda-throttles",
            "AWS/Lambda",
            "Throttles",
            dimensions,
            "Sum",
            0,
        )
    return resources, {}


def logs() -> tuple[dict, dict]:
    """Each function's log group, created here so that its retention is ours, not "never expire"."""
    resources, outputs = {}, {}
    for function in FUNCTIONS:
        resources[f"{function.logical_id}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": _sub(f"/aws/lambda/{function.function_name}"),
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        }
        outputs |= _output(
            f"{function.logical_id}LogGroupArn",
            {"Fn::GetAtt": [f"{function.logical_id}LogGroup", "Arn"]},
            "ARN of the function's log group",
        )
    return resources, outputs


def voter_code_pepper() -> tuple[dict, dict]:
    """The voter codes' HMAC key: the database keeps HMACs only, so a copy of the voter codes
    table alone tests no code. The admin CLI that generates codes and the functions that
    check them read it, nothing else."""
    return _generated_secret(
        "VoterCodePepper",
        VOTER_CODE_PEPPER_NAME,
        "Key of the voter codes' HMAC-SHA256 (docs/voting.md)",
        "VOTER_CODE_PEPPER_ID",
    )


def server_signing_key() -> tuple[dict, dict]:
    """What the server's Ed25519 signing key is derived from. The seal names its public key
    before the vote, and the close is signed with it (docs/voting.md); only the bureau's CLI
    reads it, no function is granted it. Kept with the stack: a key that changed between the
    seal and the close could no longer sign that election's close."""
    resources, outputs = _generated_secret(
        "ServerSigningKey",
        SERVER_SIGNING_KEY_NAME,
        "Seed of the server's signing key for the seal and the close (docs/voting.md)",
        "SERVER_SIGNING_KEY_ID",
    )
    resources["ServerSigningKey"]["DeletionPolicy"] = resources["ServerSigningKey"]["UpdateReplacePolicy"] = "Retain"
    return resources, outputs


def build_template() -> dict:
    resources: dict = {}
    outputs: dict = {}
    sections = (
        tables,
        table_keys,
        queues,
        notifications_key,
        mail,
        origin_secret,
        voter_code_pepper,
        server_signing_key,
        alarms,
        logs,
    )
    for section in sections:
        section_resources, section_outputs = section()
        resources |= section_resources
        outputs |= section_outputs
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Espace électeur: tables, queues, SES, alarms and logs of one stage "
        "(generated by infra/aws/stack.py)",
        "Parameters": {
            "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "Description": "the Chalice stage"},
            "MailDomain": {
                "Type": "String",
                "Description": "domain the emails come from, e.g. elections-pro.example.gouv.fr",
            },
            "MailFromSubdomain": {"Type": "String", "Default": "bounce", "Description": "custom MAIL FROM subdomain"},
            "AlarmEmail": {"Type": "String", "Default": "", "Description": "who receives the alarms (empty: none)"},
            "LogRetentionDays": {
                "Type": "Number",
                "Default": 400,
                "AllowedValues": [30, 90, 180, 365, 400, 545, 731],
                "Description": "how long function logs are kept",
            },
        },
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
        },
        "Resources": resources,
        "Outputs": outputs,
    }


# Lambda has refused to create python3.11 functions since July 2026; our code and its
# wheels (pure Python, and argon2's abi3 build) run unchanged on 3.13.
LAMBDA_RUNTIME = "python3.13"


def build_merge_template(gateway_responses: dict, rate_limit: int, burst_limit: int) -> dict:
    """What `chalice package --merge-template` adds to (and changes in) Chalice's template:
    this stack, the functions' names, runtime and architecture pinned, and the API's own
    answers and throttling."""
    template = build_template()
    for function in FUNCTIONS:
        template["Resources"][function.chalice_logical_id] = {
            "Properties": {
                "FunctionName": _sub(function.function_name),
                "Runtime": LAMBDA_RUNTIME,
                "Architectures": ["x86_64"],  # the wheels Chalice packages are built for it
            },
            "DependsOn": [f"{function.logical_id}LogGroup"],
        }
    template["Resources"]["RestAPI"] = {
        "Properties": {
            "MethodSettings": [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": rate_limit,
                    "ThrottlingBurstLimit": burst_limit,
                }
            ],
            "GatewayResponses": {
                response_type: {
                    **({"StatusCode": status} if status else {}),
                    "ResponseTemplates": {"application/json": body},
                    "ResponseParameters": {
                        "Headers": {"Cache-Control": "'no-store'", "X-Content-Type-Options": "'nosniff'"}
                    },
                }
                for response_type, (status, body) in gateway_responses.items()
            },
        }
    }
    return template


def render() -> str:
    return json.dumps(build_template(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    for path, text in ((TEMPLATE_PATH, render()), (DOCS_PATH, render_docs())):
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
