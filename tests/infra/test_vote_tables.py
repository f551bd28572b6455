"""The sign-in list and the ballot box, apart (issue 16): no role of the generated stack may read
both; the API may only put into the box; the count may never touch the sign-in list; each table
has its own KMS key, deletion protection and no stream."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.store.ballot_box import BallotBoxEntry
from chalicelib.store.base import table_suffix
from chalicelib.store.sign_in import SignInEntry
from chalicelib.store.voters import Voter
from infra.aws import policies
from infra.aws.functions import BY_HANDLER, COUNT_QUEUE, READS, VOTE_TABLES, Deny, Function, table_key_logical_id
from infra.aws.stack import build_template
from tests.infra.iam import (
    decision,
    every_policy,
    stack_outputs,
    table_resources,
    unauthorised,
)
from tests.infra.test_aws_stack import committed_template, deployed_stack, recorded_calls  # noqa: F401

BOX, SIGN_IN = (table_suffix(m) for m in (BallotBoxEntry, SignInEntry))
# Everything but a put: reads, changes of what is there, changes of the table itself.
NOT_A_PUT = READS + (
    "ConditionCheckItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "PartiQLInsert",
    "PartiQLUpdate",
    "PartiQLDelete",
    "DescribeTable",
    "UpdateTable",
    "DeleteTable",
    "UpdateTimeToLive",
    "CreateBackup",
    "RestoreTableToPointInTime",
    "ListStreams",
)
# Whatever a later mistake might add to a role: every action on everything.
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _arns() -> dict[str, str]:
    outputs = stack_outputs()
    return {BOX: outputs["BallotBoxTableArn"], SIGN_IN: outputs["SignInTableArn"]}


def _may_read(document: dict, table: str) -> bool:
    arn = _arns()[table]
    return any(decision(document, f"dynamodb:{a}", r) == "allow" for a in READS for r in table_resources(arn))


def test_no_policy_of_the_stack_may_read_both_the_sign_in_list_and_the_ballot_box(tmp_path):
    found = list(every_policy(tmp_path))
    assert {where for where, _ in found} >= {
        "record-outputs api_handler",
        "merge-template api_handler",
        "record-outputs count_box_shard",
        "merge-template count_box_shard",
    }
    for where, document in found:
        assert not (_may_read(document, BOX) and _may_read(document, SIGN_IN)), where
    # The check sees a policy that reads both (it is not vacuous).
    both = {
        "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": [_arns()[BOX]]},
            {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [_arns()[SIGN_IN]]},
        ]
    }
    assert _may_read(both, BOX) and _may_read(both, SIGN_IN)


def test_who_reads_which_vote_table(tmp_path):
    readers = {
        table: sorted(where.split()[-1] for where, document in every_policy(tmp_path) if _may_read(document, table))
        for table in (BOX, SIGN_IN)
    }
    assert readers == {BOX: ["count_box_shard", "count_box_shard"], SIGN_IN: ["api_handler", "api_handler"]}


def test_the_api_may_only_put_into_the_box_whatever_else_it_is_granted():
    outputs = stack_outputs()
    api = policies.function_policy("api_handler", outputs)
    box = outputs["BallotBoxTableArn"]
    for document in (api, [api, EVERYTHING]):
        for action in NOT_A_PUT:
            for resource in table_resources(box):
                assert decision(document, f"dynamodb:{action}", resource) == "deny", (action, resource)
        # A put that would hand back the ballot it replaced is a read.
        for returned in ("ALL_OLD", "UPDATED_OLD", "ALL_NEW"):
            assert decision(document, "dynamodb:PutItem", box, {"dynamodb:ReturnValues": returned}) == "deny"
    # The cast's put: inside TransactWriteItems, or alone, returning nothing.
    for context in ({"dynamodb:EnclosingOperation": "TransactWriteItems"}, {}, {"dynamodb:ReturnValues": "NONE"}):
        assert decision(api, "dynamodb:PutItem", box, context) == "allow"
    # The box's key: only through DynamoDB, for the box only (a put needs it as a read does).
    key = outputs["BallotBoxTableKeyArn"]
    through_dynamodb = {
        "kms:ViaService": "dynamodb.eu-west-3.amazonaws.com",
        "kms:EncryptionContext:aws:dynamodb:tableName": outputs["BallotBoxTable"],
    }
    assert decision(api, "kms:Decrypt", key, through_dynamodb) == "allow"
    assert decision(api, "kms:Decrypt", key, {}) == "implicit"  # no direct use of the key
    other_table = {**through_dynamodb, "kms:EncryptionContext:aws:dynamodb:tableName": "espace-electeur-prod-voters"}
    assert decision(api, "kms:Decrypt", key, other_table) == "implicit"
    for action in ("kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"):
        assert decision(api, action, key, through_dynamodb) == "implicit"


def test_the_api_keeps_what_the_cast_and_the_voters_page_need_of_the_sign_in_list():
    outputs = stack_outputs()
    api = policies.function_policy("api_handler", outputs)
    sign_in = outputs["SignInTableArn"]
    for action in ("PutItem", "GetItem", "BatchGetItem"):
        assert decision(api, f"dynamodb:{action}", sign_in) == "allow"
    for action in ("Query", "Scan", "UpdateItem", "DeleteItem", "BatchWriteItem"):
        assert decision(api, f"dynamodb:{action}", sign_in) == "implicit"


def test_the_count_worker_reads_the_box_and_is_denied_everything_on_the_sign_in_list():
    outputs = stack_outputs()
    count = policies.function_policy("count_box_shard", outputs)
    box, sign_in = outputs["BallotBoxTableArn"], outputs["SignInTableArn"]
    for document in (count, [count, EVERYTHING]):
        for action in NOT_A_PUT + ("PutItem", "*"):
            for resource in table_resources(sign_in):
                assert decision(document, f"dynamodb:{action}", resource) == "deny", (action, resource)
        for action in ("kms:Decrypt", "kms:CreateGrant", "kms:ReEncryptFrom"):
            assert decision(document, action, outputs["SignInTableKeyArn"]) == "deny"
    assert decision(count, "dynamodb:Query", box) == "allow"
    for action in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "Scan", "DeleteTable"):
        assert decision(count, f"dynamodb:{action}", box) == "implicit"
    through_dynamodb = {
        "kms:ViaService": "dynamodb.eu-west-3.amazonaws.com",
        "kms:EncryptionContext:aws:dynamodb:tableName": outputs["BallotBoxTable"],
    }
    assert decision(count, "kms:Decrypt", outputs["BallotBoxTableKeyArn"], through_dynamodb) == "allow"


def test_the_count_is_a_function_of_the_registry_on_its_own_queue_and_the_stack_adds_no_role():
    count = BY_HANDLER["count_box_shard"]
    assert count.trigger is COUNT_QUEUE and set(count.sqs) == {COUNT_QUEUE}
    # A message comes back only once a worker may no longer be working on it.
    assert COUNT_QUEUE.visibility_timeout >= 6 * count.timeout
    template = committed_template()
    assert [
        r
        for r in template["Resources"].values()
        if r["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
    ] == []


@pytest.mark.parametrize("model", VOTE_TABLES, ids=lambda m: m.__name__)
def test_each_vote_table_has_its_own_key_deletion_protection_and_no_stream(model):
    resources = committed_template()["Resources"]
    [(logical, table)] = [
        (k, r)
        for k, r in resources.items()
        if r["Type"] == "AWS::DynamoDB::Table"
        and r["Properties"]["TableName"] == {"Fn::Sub": f"espace-electeur-${{Stage}}-{table_suffix(model)}"}
    ]
    properties = table["Properties"]
    key_id = table_key_logical_id(model)
    assert properties["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert properties["DeletionProtectionEnabled"] is True  # in every stage
    assert "StreamSpecification" not in properties and "KinesisStreamSpecification" not in properties
    assert "ContributorInsightsSpecification" not in properties  # it would log the most used keys
    # The box keeps no per-second history, which would order its ballots by arrival.
    history = model is not BallotBoxEntry
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": history}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    key = resources[key_id]
    assert key["Type"] == "AWS::KMS::Key"
    # A deleted key would leave a retained table unreadable: kept as the table is.
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True and key["Properties"]["PendingWindowInDays"] == 30
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert [(s["Effect"], s["Principal"]) for s in statements] == [
        ("Allow", {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}),
        ("Allow", {"Service": "dynamodb.amazonaws.com"}),
    ]
    # DynamoDB only looks at the key; no "every principal of the account through DynamoDB".
    assert statements[1]["Action"] == ["kms:Describe*", "kms:Get*", "kms:List*"]
    # Each table its own key, used by no other table.
    users = [
        r["Properties"]["TableName"]
        for r in resources.values()
        if r["Type"] == "AWS::DynamoDB::Table"
        and "KMSMasterKeyId" in r["Properties"]["SSESpecification"]
        and r["Properties"]["SSESpecification"]["KMSMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    ]
    assert users == [properties["TableName"]]
    assert logical == f"{key_id.removesuffix('Key')}"


def test_no_table_of_the_stack_has_a_stream():
    for resource in build_template()["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            assert "StreamSpecification" not in resource["Properties"]


def _entry(name: str, **grants) -> Function:
    return Function(name, name.capitalize(), memory=128, timeout=3, **grants)


def test_the_registry_refuses_an_entry_that_breaks_the_separation():
    names = ("Both", "Nodeny", "Leaky", "Cast", "Indexread", "Other")
    outputs = stack_outputs() | {f"{n}LogGroupArn": f"arn:aws:logs:eu-west-3:1:log-group:{n}:*" for n in names}
    both = _entry("both", dynamodb={BallotBoxEntry: ("Query",), SignInEntry: ("GetItem",)})
    without_deny = _entry("nodeny", dynamodb={BallotBoxEntry: ("Query",)})
    deny_leaves_a_read = _entry(
        "leaky", dynamodb={BallotBoxEntry: ("Query",)}, denies={SignInEntry: Deny(but=("GetItem",))}
    )
    beyond_its_deny = Function(
        "cast",
        "Cast",
        memory=128,
        timeout=3,
        dynamodb={BallotBoxEntry: ("PutItem", "GetItem")},
        denies={BallotBoxEntry: Deny(but=("PutItem",))},
    )
    index_read = _entry("indexread", dynamodb={SignInEntry: ("index:by-voter",)}, denies={BallotBoxEntry: Deny()})
    for entry in (both, without_deny, deny_leaves_a_read, beyond_its_deny):
        with pytest.raises(policies.SeparationError):
            policies.role_policy(entry, outputs)
    assert policies.role_policy(index_read, outputs)["Statement"]  # denied the box: fine
    # A function on neither table needs no Deny.
    assert policies.role_policy(_entry("other", dynamodb={Voter: ("GetItem",)}), outputs)["Statement"]


def test_record_outputs_writes_the_separation_into_the_api_policy(deployed_stack, tmp_path):  # noqa: F811
    from infra.aws.deploy import record_outputs
    from tests.support import ROOT

    config = tmp_path / "config.json"
    config.write_text((ROOT / ".chalice" / "config.json").read_text())
    record_outputs("prod", deployed_stack, config)
    api = json.loads((tmp_path / "policy-prod-api_handler.json").read_text())
    box, sign_in = deployed_stack["BallotBoxTableArn"], deployed_stack["SignInTableArn"]
    assert decision(api, "dynamodb:Query", box) == decision(api, "dynamodb:Scan", f"{box}/index/x") == "deny"
    assert decision(api, "dynamodb:PutItem", box, {}) == "allow"
    assert decision(api, "dynamodb:GetItem", sign_in) == "allow"


def test_a_cast_at_the_dynamodb_level_replays_within_the_api_policy_and_a_box_read_does_not(aws):
    """The calls a cast makes (one transaction of two conditional puts; the voter's émargements
    read back), replayed against the generated policy; a read of the box is refused."""
    client = boto3.client("dynamodb", region_name="eu-west-3")
    cast, snoop = [], []
    with recorded_calls(cast):
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": f"test-{SIGN_IN}",
                        "Item": {
                            "list": {"S": "CSA-MEN#07"},
                            "voter_id": {"S": "P1"},
                            "ballot_id": {"S": "CSA-MEN"},
                            "voted_at": {"S": "x"},
                        },
                        "ConditionExpression": "attribute_not_exists(voter_id)",
                    }
                },
                {
                    "Put": {
                        "TableName": f"test-{BOX}",
                        "Item": {"box": {"S": "CSA-MEN#07"}, "nonce": {"S": "07" * 32}, "ballot": {"S": "{}"}},
                        "ConditionExpression": "attribute_not_exists(nonce)",
                    }
                },
            ]
        )
        client.batch_get_item(
            RequestItems={f"test-{SIGN_IN}": {"Keys": [{"list": {"S": "CSA-MEN#07"}, "voter_id": {"S": "P1"}}]}}
        )
    assert unauthorised(cast, "api_handler") == set()
    with recorded_calls(snoop):
        client.query(
            TableName=f"test-{BOX}",
            KeyConditionExpression="box = :b",
            ExpressionAttributeValues={":b": {"S": "CSA-MEN#07"}},
        )
        client.put_item(
            TableName=f"test-{BOX}",
            Item={"box": {"S": "CSA-MEN#07"}, "nonce": {"S": "07" * 32}, "ballot": {"S": "{}"}},
            ReturnValues="ALL_OLD",
        )
    assert {action for action, _ in unauthorised(snoop, "api_handler")} == {"dynamodb:Query", "dynamodb:PutItem"}
    assert unauthorised(cast, "send_requested_email")  # no other function writes the vote


def test_a_voting_journey_through_the_api_stays_within_the_generated_policies(portal):
    """The booth as a voter walks it (the code typed, the scrutins listed, a vote cast, the
    list again, a second cast refused), every AWS call recorded and replayed against the API's
    generated policy, denies and key grants included; the « vous avez voté » email against the
    mail worker's grants. Nothing of the journey reads the box."""
    from chalicelib.domain.voter_codes import code_hash, normalised
    from chalicelib.store.voter_codes import issue_first_code
    from chalicelib.wiring import voter_code_pepper
    from tests.api.test_casting import CODE, VOTER, three_options
    from tests.conftest import NOW
    from tests.infra.test_aws_stack import _grants, _needed
    from tests.voting_support import seal_for_tests

    three_options()
    election = seal_for_tests(["CSA-MEN", "CSA-ACA"], now=NOW)
    portal.register_and_activate()
    assert portal.sign_in().status_code == 200
    issue_first_code(VOTER, code_hash(normalised(CODE), voter_code_pepper()), now=NOW)
    portal.run_worker()
    api, mail = [], []
    with recorded_calls(api):
        statuses = [
            portal.authed("post", "/api/me/voter-code", {"code": CODE}).status_code,
            portal.authed("get", "/api/me/votes").status_code,
            portal.authed("post", "/api/ballots/CSA-MEN/votes", {"ballot": election.ballot("CSA-MEN", 1)}).status_code,
            portal.authed("get", "/api/me/votes").status_code,
            portal.authed("post", "/api/ballots/CSA-MEN/votes", {"ballot": election.ballot("CSA-MEN", 2)}).status_code,
        ]
    assert statuses == [204, 200, 201, 200, 409]
    with recorded_calls(mail):
        assert portal.run_worker() >= 1
    assert unauthorised(api, "api_handler") == set()
    assert {(s, a) for s, a, _ in _needed(api) if s != "dynamodb"} <= {("sqs", "SendMessage")}
    assert {n for n in _needed(api) if n[0] == "sqs"} <= _grants("api_handler")
    tables = {n[2] for n in _needed(api) if n[0] == "dynamodb"}
    assert f"test-{BOX}" in tables and f"test-{SIGN_IN}" in tables
    assert {n for n in _needed(api) if n[2] == f"test-{BOX}"} == {("dynamodb", "PutItem", f"test-{BOX}")}
    assert unauthorised(mail, "send_requested_email") == set()
    assert {n for n in _needed(mail) if n[0] != "dynamodb"} <= _grants("send_requested_email")
