"""The AWS stack: generated from the models, linted, deployable, and least privilege."""

import json
import re
import shutil
import subprocess
from contextlib import contextmanager

import boto3
import botocore.client
import pytest

from chalicelib.store.base import table_suffix, table_variable
from chalicelib.store.tables import ALL_MODELS, ttl_attribute_name
from infra.aws import policies
from infra.aws.deploy import record_outputs, stack_outputs
from infra.aws.functions import BY_HANDLER, VOTE_TABLES
from infra.aws.stack import OUTPUT_VARIABLES, TEMPLATE_PATH, render
from tests.api.conftest import GOOD_PASSWORD, LISTED
from tests.support import ROOT


def committed_template() -> dict:
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def test_the_committed_template_is_the_generated_one():
    assert TEMPLATE_PATH.read_text(encoding="utf-8") == render(), "run: make template"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_each_table_in_the_template_agrees_with_its_model(model):
    tables = {
        r["Properties"]["TableName"]["Fn::Sub"]: r
        for r in committed_template()["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }
    table = tables[f"espace-electeur-${{Stage}}-{table_suffix(model)}"]["Properties"]
    schema = model._get_schema()
    assert table["KeySchema"] == [
        {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema["key_schema"]
    ]
    assert {(d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]} == {
        (d["AttributeName"], d["AttributeType"]) for d in schema["attribute_definitions"]
    }
    expected_indexes = {i["index_name"]: (i["key_schema"], i["projection"]) for i in schema["global_secondary_indexes"]}
    actual_indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in table.get("GlobalSecondaryIndexes", [])
    }
    assert actual_indexes == expected_indexes
    ttl = ttl_attribute_name(model)
    assert table.get("TimeToLiveSpecification") == ({"AttributeName": ttl, "Enabled": True} if ttl else None)
    if model not in VOTE_TABLES:  # the box has none: tests/infra/test_vote_tables.py
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert "StreamSpecification" not in table
    if model in VOTE_TABLES:  # tests/infra/test_vote_tables.py checks their key and protection
        return
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


def test_every_stage_variable_the_code_reads_comes_from_the_stack():
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    filled = set(OUTPUT_VARIABLES.values())
    for model in ALL_MODELS:
        assert table_variable(model) in filled
    for stage in ("dev", "prod"):
        assert filled <= set(config["stages"][stage]["environment_variables"])


def test_cfn_lint_passes_without_ignored_rules():
    cfn_lint = str(ROOT / ".venv" / "bin" / "cfn-lint") if (ROOT / ".venv/bin/cfn-lint").exists() else "cfn-lint"
    result = subprocess.run([cfn_lint, str(TEMPLATE_PATH)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def deployed_stack(aws):
    """The template deployed on moto's CloudFormation (which creates its tables and queues)."""
    cloudformation = boto3.client("cloudformation", region_name="eu-west-3")
    cloudformation.create_stack(
        StackName="espace-electeur-prod",
        TemplateBody=render(),
        Parameters=[
            {"ParameterKey": "Stage", "ParameterValue": "prod"},
            {"ParameterKey": "MailDomain", "ParameterValue": "elections-pro.example.gouv.fr"},
        ],
    )
    outputs = stack_outputs("espace-electeur-prod", "eu-west-3")
    # moto's CloudFormation does not create SES configuration sets; AWS names it like this.
    outputs.setdefault("MailConfigurationSetName", "espace-electeur-prod")
    outputs.setdefault(
        "MailConfigurationSetArn", "arn:aws:ses:eu-west-3:123456789012:configuration-set/espace-electeur-prod"
    )
    # Nor Secrets Manager secrets (AWS adds six random characters to the ARN).
    outputs.setdefault(
        "OriginSecretArn",
        "arn:aws:secretsmanager:eu-west-3:123456789012:secret:espace-electeur-prod-origin-verify-Ab12Cd",
    )
    outputs.setdefault(
        "VoterCodePepperArn",
        "arn:aws:secretsmanager:eu-west-3:123456789012:secret:espace-electeur-prod-voter-code-pepper-Ef34Gh",
    )
    return outputs


def test_record_outputs_writes_the_stage_and_its_policies(deployed_stack, tmp_path):
    config = tmp_path / ".chalice" / "config.json"
    config.parent.mkdir()
    shutil.copy(ROOT / ".chalice" / "config.json", config)
    stage = record_outputs("prod", deployed_stack, config)
    environment = stage["environment_variables"]
    assert environment["VOTERS_TABLE"] == "espace-electeur-prod-voters"
    assert environment["MAIL_QUEUE_NAME"] == "espace-electeur-prod-mail"
    assert environment["PORTAL_URL"].startswith("https://")  # what was there stays
    assert boto3.client("dynamodb", region_name="eu-west-3").describe_table(TableName=environment["CLAIMS_TABLE"])
    assert stage["autogen_policy"] is False
    for function in BY_HANDLER:
        policy_file = stage["lambda_functions"][function]["iam_policy_file"]
        document = json.loads((config.parent / policy_file).read_text())
        assert document["Statement"]
    written = json.loads(config.read_text())
    assert written["stages"]["prod"]["environment_variables"]["CLAIMS_TABLE"] == "espace-electeur-prod-claims"


def test_policies_have_no_wildcard_without_a_written_reason(deployed_stack):
    for function in BY_HANDLER:
        for statement in policies.function_policy(function, deployed_stack)["Statement"]:
            if statement["Effect"] == "Deny":  # a wider Deny takes more away, never grants
                continue
            assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
            for action in statement["Action"]:
                assert "*" not in action, (function, action)
            for resource in statement["Resource"]:
                if "*" in resource:
                    assert any(re.match(pattern, resource) for pattern in policies.WILDCARDS), (function, resource)
    mail = policies.function_policy("send_requested_email", deployed_stack)
    assert [s for s in mail["Statement"] if s["Sid"] == "SendEmail"][0]["Action"] == ["ses:SendRawEmail"]
    api = [s for s in policies.function_policy("api_handler", deployed_stack)["Statement"] if s["Effect"] == "Allow"]
    assert not any("ses:" in a for s in api for a in s["Action"])
    assert not any(a in ("dynamodb:Scan", "dynamodb:DeleteTable") for s in api for a in s["Action"])


@contextmanager
def recorded_calls(into: list):
    original = botocore.client.BaseClient._make_api_call

    def record(self, operation, params):
        into.append((self.meta.service_model.service_name, operation, params))
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = record
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original


def _grants(function: str) -> set:
    """(service, action, resource name) triples a function's policy allows."""
    allowed = set()
    for model, grants in BY_HANDLER[function].dynamodb.items():
        table = f"test-{table_suffix(model)}"
        for grant in grants:
            if grant.startswith("index:"):
                allowed.add(("dynamodb", "Query", f"{table}/index/{grant.removeprefix('index:')}"))
            else:
                allowed.add(("dynamodb", grant, table))
    for actions in BY_HANDLER[function].sqs.values():
        allowed.update(("sqs", action.removeprefix("sqs:"), "queue") for action in actions)
    allowed.update(("ses", action.removeprefix("ses:"), "identity") for action in BY_HANDLER[function].ses)
    return allowed


def _needed(calls) -> set:
    needed = set()
    for service, operation, params in calls:
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                for item in params["TransactItems"]:
                    ((kind, body),) = item.items()
                    needed.add(
                        (
                            "dynamodb",
                            {
                                "Update": "UpdateItem",
                                "Put": "PutItem",
                                "Delete": "DeleteItem",
                                "ConditionCheck": "ConditionCheckItem",
                            }[kind],
                            body["TableName"],
                        )
                    )
            elif operation in ("BatchGetItem", "BatchWriteItem"):
                needed.update(("dynamodb", operation, table) for table in params["RequestItems"])
            elif "IndexName" in params:
                needed.add(("dynamodb", operation, f"{params['TableName']}/index/{params['IndexName']}"))
            else:
                needed.add(("dynamodb", operation, params["TableName"]))
        elif service == "sqs":
            # The batch operations are authorised by their single-message actions.
            needed.add(("sqs", operation.removesuffix("Batch"), "queue"))
        elif service == "ses":
            needed.add(("ses", operation, "identity"))
    return needed


def test_a_whole_journey_stays_within_each_functions_policy(portal, monkeypatch):
    api_calls, worker_calls = [], []
    real_run_worker = type(portal).run_worker

    def run_worker_recorded(self):
        with recorded_calls(worker_calls):
            return real_run_worker(self)

    monkeypatch.setattr(type(portal), "run_worker", run_worker_recorded)
    with recorded_calls(api_calls):
        portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[-1].token
    with recorded_calls(api_calls):
        portal.post("/api/token-checks", {"token": token})
        portal.post(
            "/api/passwords", {"token": token, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD}
        )
        portal.sign_in(password="Mauvais2026")
        portal.sign_in()
        portal.authed("get", "/api/me")
        portal.authed("get", "/api/me/ballots")
        portal.authed("get", "/api/ballots/CSA-MEN/electoral-list?q=nom")
        portal.authed("post", "/api/ballots/CSA-MEN/claims", {"message": "Une erreur sur la liste ici."})
        portal.authed("get", "/api/me/claims")
        portal.post(
            "/api/public-claims",
            {
                "last_name": "A",
                "first_name": "B",
                "email": "b@ac-poitiers.fr",
                "workplace": "C",
                "message": "Je ne suis pas sur la liste.",
            },
        )
        portal.authed(
            "put",
            "/api/me/password",
            {"current_password": GOOD_PASSWORD, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"},
        )
        portal.authed("delete", "/api/sessions")
        portal.post("/api/password-resets", {"email": LISTED})
    portal.clock.advance(seconds=1)
    portal.run_worker()
    reset = portal.new_mail()[-1].token
    with recorded_calls(api_calls):
        portal.post(
            "/api/passwords", {"token": reset, "password": "Encore2026x", "password_confirmation": "Encore2026x"}
        )
    portal.run_worker()  # the "password changed" notice and the claim receipt
    assert _needed(api_calls) - _grants("api_handler") == set()
    assert _needed(worker_calls) - _grants("send_requested_email") == set()
    assert ("ses", "SendRawEmail", "identity") in _needed(worker_calls)
    assert not any(op == "DescribeTable" or op == "Scan" for _, op, _ in api_calls + worker_calls)


def test_configure_api_sets_french_gateway_responses_and_throttling(aws):
    from infra.aws.deploy import configure_api

    client = boto3.client("apigateway", region_name="eu-west-3")
    api = client.create_rest_api(name="espace-electeur")
    root = client.get_resources(restApiId=api["id"])["items"][0]["id"]
    client.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
    client.create_deployment(restApiId=api["id"], stageName="api")
    configure_api(api["id"], "eu-west-3")
    missing = client.get_gateway_response(restApiId=api["id"], responseType="MISSING_AUTHENTICATION_TOKEN")
    assert missing["statusCode"] == "404"
    body = json.loads(missing["responseTemplates"]["application/json"])
    assert body["error"]["code"] == "not_found" and "n'existe pas" in body["error"]["message"]
    throttled = client.get_gateway_response(restApiId=api["id"], responseType="THROTTLED")
    assert throttled["statusCode"] == "429"
    default_5xx = client.get_gateway_response(restApiId=api["id"], responseType="DEFAULT_5XX")
    failed = json.loads(default_5xx["responseTemplates"]["application/json"])
    assert failed["error"]["code"] == "service_unavailable" and failed["error"]["request_id"] == "$context.requestId"
    settings = client.get_stage(restApiId=api["id"], stageName="api")["methodSettings"]["*/*"]
    assert settings["throttlingRateLimit"] == 5000 and settings["throttlingBurstLimit"] == 10000


def test_the_edge_template_caches_only_the_versioned_assets():
    from infra.aws.edge import TEMPLATE_PATH as EDGE
    from infra.aws.edge import render as render_edge

    assert EDGE.read_text(encoding="utf-8") == render_edge(), "run: make template"
    config = json.loads(EDGE.read_text())["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # disabled
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == ["static/*"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    result = subprocess.run(
        ["cfn-lint", str(EDGE)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{__import__('os').environ['PATH']}"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_merge_template_pins_the_functions_and_configures_the_api():
    from infra.aws.deploy import STAGE_BURST_LIMIT, STAGE_RATE_LIMIT, gateway_response_bodies
    from infra.aws.stack import build_merge_template

    template = build_merge_template(gateway_response_bodies(), STAGE_RATE_LIMIT, STAGE_BURST_LIMIT)
    api = template["Resources"]["APIHandler"]["Properties"]
    assert api["Runtime"] == "python3.13" and api["Architectures"] == ["x86_64"]
    assert api["FunctionName"] == {"Fn::Sub": "espace-electeur-${Stage}"}
    worker = template["Resources"]["SendRequestedEmail"]["Properties"]
    assert worker["FunctionName"] == {"Fn::Sub": "espace-electeur-${Stage}-send_requested_email"}
    rest = template["Resources"]["RestAPI"]["Properties"]
    assert rest["MethodSettings"][0]["ThrottlingRateLimit"] == 5000
    missing = rest["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    assert json.loads(missing["ResponseTemplates"]["application/json"])["error"]["code"] == "not_found"
    assert "StatusCode" not in rest["GatewayResponses"]["DEFAULT_5XX"]  # keeps API Gateway's own 5xx status


def test_ses_and_cloudwatch_may_publish_to_their_encrypted_topics():
    """The AWS-managed SNS key lets no service use it: every bounce report and every alarm
    would be dropped by AWS without an error (issue 13, finding 7)."""
    resources = committed_template()["Resources"]
    assert "alias/aws/sns" not in TEMPLATE_PATH.read_text(encoding="utf-8")
    key = resources["NotificationsKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    for topic in ("AlarmTopic", "DeliveryEventsTopic"):
        assert resources[topic]["Properties"]["KmsMasterKeyId"] == {"Ref": "NotificationsKey"}
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    by_service = {s["Principal"].get("Service"): s for s in statements if "Service" in s["Principal"]}
    assert set(by_service) == {"ses.amazonaws.com", "cloudwatch.amazonaws.com"}
    for statement in by_service.values():
        assert statement["Effect"] == "Allow"
        assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    alarms = by_service["cloudwatch.amazonaws.com"]["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    assert alarms.endswith(":cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*")
    # Every alarm notifies the topic that CloudWatch may encrypt for; SES reports to the other.
    for resource in resources.values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            assert resource["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    destination = resources["MailEventDestination"]["Properties"]["EventDestination"]["SnsDestination"]
    assert destination == {"TopicARN": {"Ref": "DeliveryEventsTopic"}}
    # Only the account administers the key: no other principal, no wildcard principal.
    others = [s for s in statements if "Service" not in s["Principal"]]
    assert [s["Principal"] for s in others] == [
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    ]


def test_cloudfront_sends_the_origin_secret_and_the_api_function_reads_it():
    """The regional API refuses what does not come through CloudFront (issue 13, finding 6):
    CloudFront must send the secret the stack generates, and the function must know where it is."""
    from infra.aws.edge import TEMPLATE_PATH as EDGE
    from infra.aws.stack import ORIGIN_SECRET_NAME

    secret = committed_template()["Resources"]["OriginSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["Name"] == {"Fn::Sub": ORIGIN_SECRET_NAME}
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32  # generated, never written
    edge = json.loads(EDGE.read_text())["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    [api_origin] = edge["Origins"]
    assert api_origin["OriginCustomHeaders"] == [
        {
            "HeaderName": "X-Origin-Verify",
            "HeaderValue": {"Fn::Sub": f"{{{{resolve:secretsmanager:{ORIGIN_SECRET_NAME}:SecretString}}}}"},
        }
    ]
    # Every behaviour goes to that origin; the default one forwards CloudFront-Viewer-Address.
    assert {edge["DefaultCacheBehavior"]["TargetOriginId"]} | {b["TargetOriginId"] for b in edge["CacheBehaviors"]} == {
        api_origin["Id"]
    }
    assert edge["DefaultCacheBehavior"]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    # The function gets the setting: from the stack's outputs (make deploy) and in the config
    # (make package), and may read that one secret.
    assert OUTPUT_VARIABLES["OriginSecretName"] == "ORIGIN_SECRET_ID"
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in ("dev", "prod"):
        variable = config["stages"][stage]["environment_variables"]["ORIGIN_SECRET_ID"]
        assert variable == ORIGIN_SECRET_NAME.replace("${Stage}", stage)
    assert "ORIGIN_SECRET_ID" not in config["stages"]["local"]["environment_variables"]  # no check locally
    api = policies.function_policy("api_handler", {**_all_outputs(), "OriginSecretArn": "arn:secret"})
    assert {
        "Sid": "ReadSecrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": ["arn:secret", "arn:VoterCodePepperArn"],  # the origin secret, the voter codes' key
    } in api["Statement"]
    for worker in ("send_requested_email", "record_delivery_event"):
        assert not any(
            "secretsmanager" in a
            for s in policies.function_policy(worker, _all_outputs())["Statement"]
            for a in s["Action"]
        )


def _all_outputs() -> dict:
    return {key: f"arn:{key}" for key in committed_template()["Outputs"]}


def test_record_outputs_gives_the_api_function_the_origin_secret(deployed_stack, tmp_path):
    config = tmp_path / ".chalice" / "config.json"
    config.parent.mkdir()
    shutil.copy(ROOT / ".chalice" / "config.json", config)
    stage = record_outputs("prod", deployed_stack, config)
    assert stage["environment_variables"]["ORIGIN_SECRET_ID"] == "espace-electeur-prod-origin-verify"
    policy = json.loads((config.parent / "policy-prod-api_handler.json").read_text())
    [read] = [s for s in policy["Statement"] if s["Sid"] == "ReadSecrets"]
    assert read["Resource"] == [deployed_stack["OriginSecretArn"], deployed_stack["VoterCodePepperArn"]]
