"""The function registry (infra/aws/functions.py) is the one description of each function:
what Chalice deploys, what the stack and the local stack create, and the docs agree with it."""

import json
import os

import boto3
import pytest

from chalicelib.store.claims import Claim
from chalicelib.store.voters import Voter
from infra.aws import functions, policies
from infra.aws.functions import API_HANDLER, DOCS_PATH, FUNCTIONS, QUEUES, Function, pascal, render_docs
from infra.aws.stack import OUTPUT_VARIABLES, build_merge_template, build_template
from tests.support import ROOT


def test_the_config_of_each_stage_has_the_registrys_functions():
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in ("dev", "prod"):
        expected = {function.handler: function.chalice_config(stage) for function in FUNCTIONS}
        assert config["stages"][stage]["lambda_functions"] == expected, (
            f"stage {stage}: .chalice/config.json and infra/aws/functions.py disagree"
        )


def test_every_handler_of_the_app_is_in_the_registry_with_its_queue():
    from app import app

    triggered = {function.handler: os.environ[function.trigger.variable] for function in FUNCTIONS if function.trigger}
    assert {source.name: source.queue for source in app.event_sources} == triggered
    # Chalice deploys one function for all the routes, one per event handler and per pure Lambda.
    deployed = {API_HANDLER} | {source.name for source in app.event_sources}
    deployed |= {function.name for function in app.pure_lambda_functions}
    assert {function.handler for function in FUNCTIONS} == deployed


def test_every_function_has_its_log_group_and_alarms_in_the_stack():
    resources = build_template()["Resources"]
    for function in FUNCTIONS:
        group = resources[f"{function.logical_id}LogGroup"]["Properties"]["LogGroupName"]["Fn::Sub"]
        assert group == f"/aws/lambda/{function.function_name}"
        for alarm in ("ErrorAlarm", "ThrottleAlarm"):
            dimensions = resources[f"{function.logical_id}{alarm}"]["Properties"]["Dimensions"]
            assert dimensions == [{"Name": "FunctionName", "Value": {"Fn::Sub": function.function_name}}]


def test_each_queue_hides_a_message_six_times_as_long_as_its_consumer_may_run():
    for queue in QUEUES:
        consumers = [function for function in FUNCTIONS if function.trigger == queue]
        assert consumers, queue.name
        assert queue.visibility_timeout >= 6 * max(function.timeout for function in consumers)


def test_the_local_queues_have_the_settings_of_the_aws_ones(aws):
    from infra.local.provision import provision

    created = provision()
    resources = build_template()["Resources"]
    sqs = boto3.client("sqs", region_name="eu-west-3")
    assert set(created["queues"]) == {queue.variable for queue in QUEUES}
    for queue in QUEUES:
        url = created["queues"][queue.variable]
        local = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        stack = resources[f"{queue.name}Queue"]["Properties"]
        assert int(local["VisibilityTimeout"]) == stack["VisibilityTimeout"]
        assert int(local["MessageRetentionPeriod"]) == stack["MessageRetentionPeriod"]
        assert int(json.loads(local["RedrivePolicy"])["maxReceiveCount"]) == stack["RedrivePolicy"]["maxReceiveCount"]
        assert local["QueueArn"].endswith(os.environ[queue.variable])


def test_each_output_variable_names_an_output_of_the_stack():
    outputs = build_template()["Outputs"]
    assert set(OUTPUT_VARIABLES) <= set(outputs)
    for key, variable in OUTPUT_VARIABLES.items():
        assert variable in outputs[key]["Description"]


@pytest.mark.parametrize(
    "text, expected",
    [("mail-log", "MailLog"), ("send_requested_email", "SendRequestedEmail"), ("voters-indexes", "VotersIndexes")],
)
def test_one_rule_names_logical_ids(text, expected):
    assert pascal(text) == expected


def test_the_functions_page_is_the_generated_one():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_docs(), "run: make template"


@pytest.fixture
def cast_vote():
    """A function of the kind voting will add: its own role, writing two tables, reading neither."""
    function = Function(
        "cast_vote",
        "CastVote",
        memory=512,
        timeout=10,
        reserved_concurrency=50,
        dynamodb={Voter: ("UpdateItem",), Claim: ("PutItem",)},
    )
    FUNCTIONS.append(function)
    functions.BY_HANDLER[function.handler] = function
    yield function
    FUNCTIONS.remove(function)
    del functions.BY_HANDLER[function.handler]


def test_a_new_function_is_one_entry_of_the_registry(cast_vote):
    template = build_template()
    resources, outputs = template["Resources"], template["Outputs"]
    assert {"CastVoteLogGroup", "CastVoteErrorAlarm", "CastVoteThrottleAlarm"} <= set(resources)
    references = {key: f"arn:{key}" for key in outputs}
    statements = policies.function_policy("cast_vote", references)["Statement"]
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in statements] == [
        ("VotersTable", ["dynamodb:UpdateItem"], ["arn:VotersTableArn"]),
        ("ClaimsTable", ["dynamodb:PutItem"], ["arn:ClaimsTableArn"]),
        ("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:CastVoteLogGroupArn:*"]),
    ]
    merged = build_merge_template({}, 1, 1)["Resources"]["CastVote"]
    assert merged["Properties"]["FunctionName"] == {"Fn::Sub": "espace-electeur-${Stage}-cast_vote"}
    assert merged["DependsOn"] == ["CastVoteLogGroup"]
    assert cast_vote.chalice_config("prod") == {
        "lambda_memory_size": 512,
        "lambda_timeout": 10,
        "reserved_concurrency": 50,
        "iam_policy_file": "policy-prod-cast_vote.json",
    }


def test_record_outputs_writes_the_registrys_functions_into_the_stage(tmp_path):
    from infra.aws.deploy import record_outputs

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    del config["stages"]["prod"]["lambda_functions"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    stage = record_outputs("prod", {key: f"arn:{key}" for key in build_template()["Outputs"]}, path)
    assert stage["lambda_functions"] == {function.handler: function.chalice_config("prod") for function in FUNCTIONS}
