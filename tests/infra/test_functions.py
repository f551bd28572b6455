"""The function registry (infra/aws/functions.py) is the one description of each function:
what Chalice deploys, what the stack and the local stack create, and the docs agree with it."""

import json
import os

import boto3
import pytest

from infra.aws.functions import API_HANDLER, DOCS_PATH, FUNCTIONS, QUEUES, pascal, render_docs
from infra.aws.stack import OUTPUT_VARIABLES, build_template
from tests.support import ROOT


def test_the_config_of_each_stage_has_the_registrys_functions():
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in ("dev", "prod"):
        expected = {function.handler: function.chalice_config(stage) for function in FUNCTIONS}
        assert config["stages"][stage]["lambda_functions"] == expected, (
            f"stage {stage}: .chalice/config.json and infra/aws/functions.py disagree")


def test_every_handler_of_the_app_is_in_the_registry_with_its_queue():
    from app import app

    triggered = {function.handler: os.environ[function.trigger.variable] for function in FUNCTIONS if function.trigger}
    assert {source.name: source.queue for source in app.event_sources} == triggered
    assert {function.handler for function in FUNCTIONS if not function.trigger} == {API_HANDLER}


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
    for queue, url in zip(QUEUES, (created["queue_url"], created["delivery_events_queue_url"]), strict=True):
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


@pytest.mark.parametrize("text, expected", [("mail-log", "MailLog"), ("send_requested_email", "SendRequestedEmail"),
                                            ("voters-indexes", "VotersIndexes")])
def test_one_rule_names_logical_ids(text, expected):
    assert pascal(text) == expected


def test_the_functions_page_is_the_generated_one():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_docs(), "run: make template"
