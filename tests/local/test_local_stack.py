"""The local stack: moto over HTTP, serialised, provisioned like AWS, with its outbox and poller."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice import Chalice

from chalicelib import settings
from chalicelib.store.base import reset_connections
from chalicelib.store.tables import ALL_MODELS
from infra.local.aws import LocalAws
from infra.local.outbox import Outbox, describe
from infra.local.poller import SqsPoller
from infra.local.provision import provision
from tests.support import free_port, start_local_stack


@pytest.fixture(scope="module")
def local_aws():
    aws = LocalAws(port=free_port()).start()
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = aws.endpoint
    reset_connections(ALL_MODELS)
    try:
        yield aws, provision()
    finally:
        aws.stop()
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        reset_connections(ALL_MODELS)


def client(service):
    return boto3.client(service, region_name=settings.region())


def test_it_listens_on_loopback_only(local_aws):
    aws, _ = local_aws
    assert aws.server.server_address[0] == "127.0.0.1"


def test_provisioning_creates_tables_with_ttl_queues_and_sender(local_aws):
    _, created = local_aws
    dynamodb = client("dynamodb")
    assert sorted(created["tables"]) == sorted(m.Meta.table_name for m in ALL_MODELS)
    ttl = dynamodb.describe_time_to_live(TableName=os.environ["TOKENS_TABLE"])["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "expires_ttl"
    indexes = dynamodb.describe_table(TableName=os.environ["VOTERS_TABLE"])["Table"]["GlobalSecondaryIndexes"]
    assert [i["IndexName"] for i in indexes] == ["by-email"]
    sqs = client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=created["queue_url"], AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith("test-mail-dlq")
    assert created["sender"] in client("ses").list_identities()["Identities"]


def test_conditional_writes_have_exactly_one_winner_under_concurrency(local_aws):
    dynamodb = client("dynamodb")
    table = os.environ["RATE_LIMITS_TABLE"]
    winners, losers = [], []

    def claim(n):
        try:
            dynamodb.put_item(
                TableName=table,
                Item={"bucket": {"S": "race"}, "owner": {"S": str(n)}, "expires_ttl": {"N": "1"}},
                ConditionExpression="attribute_not_exists(#b)",
                ExpressionAttributeNames={"#b": "bucket"},
            )
            winners.append(n)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            losers.append(n)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(losers) == 19


def test_every_email_sent_is_printed_and_kept_unchanged(local_aws, tmp_path):
    aws, created = local_aws
    printed = []
    outbox = Outbox(tmp_path / "outbox", settings.region(), echo=printed.append)
    outbox.collect()  # skip what earlier tests sent
    message = EmailMessage()
    message["From"] = created["sender"]
    message["To"] = "camille.martin@ac-poitiers.fr"
    message["Subject"] = "Confirmez votre adresse"
    message.set_content("Bonjour,\nCliquez : http://127.0.0.1:8000/mot-de-passe#jeton=abc\n")
    message.add_alternative("<p>Bonjour</p>", subtype="html")
    raw = message.as_string()
    client("ses").send_raw_email(
        Source=created["sender"], Destinations=["camille.martin@ac-poitiers.fr"], RawMessage={"Data": raw}
    )
    files = outbox.collect()
    assert len(files) == 1 and files[0].suffix == ".eml"
    assert files[0].read_text(encoding="utf-8") == raw
    assert any("camille.martin@ac-poitiers.fr — Confirmez votre adresse" in line for line in printed)
    assert "   http://127.0.0.1:8000/mot-de-passe#jeton=abc" in printed


def test_the_poller_runs_sqs_handlers_as_lambda_would(local_aws):
    _, created = local_aws
    app = Chalice(app_name="poller-probe")
    received = []
    failing = {"on": False}

    @app.on_sqs_message(queue=os.environ["MAIL_QUEUE_NAME"], batch_size=5)
    def handle(event):
        if failing["on"]:
            raise RuntimeError("SES is down")
        received.extend(record.body for record in event)

    sqs = client("sqs")
    url = created["queue_url"]
    sqs.send_message(QueueUrl=url, MessageBody='{"email": "a@ac-poitiers.fr"}')
    poller = SqsPoller(app, wait_seconds=0)
    source = poller.sources()[0]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert poller.poll_once(source, url, arn) == 1
    assert received == ['{"email": "a@ac-poitiers.fr"}']
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )

    failing["on"] = True
    sqs.send_message(QueueUrl=url, MessageBody="again")
    with pytest.raises(RuntimeError):
        poller.poll_once(source, url, arn)
    hidden = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"
    ]
    assert hidden["ApproximateNumberOfMessagesNotVisible"] == "1"  # kept, to come back later
    sqs.purge_queue(QueueUrl=url)


@pytest.fixture(scope="module")
def running_portal(tmp_path_factory):
    """`python -m infra.local` as `make run` starts it, on free ports, with its own outbox."""
    outbox = tmp_path_factory.mktemp("outbox")
    process, base = start_local_stack(outbox, voters=40, output=subprocess.PIPE)
    stack = {"base": base, "outbox": outbox, "process": process}
    yield stack
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    stack["output"], _ = process.communicate(timeout=30)


def call(base, method, path, body=None, cookie=None):
    request = urllib.request.Request(
        f"{base}{path}", method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", f"session={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.slow
def test_make_run_serves_the_portal(running_portal):
    status, _, body = call(running_portal["base"], "GET", "/api/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


@pytest.mark.slow
def test_the_whole_account_journey_over_http_with_the_link_from_the_outbox(running_portal):
    base, outbox = running_portal["base"], running_portal["outbox"]
    address = "camille.martin@ac-poitiers.fr"  # a demo voter
    assert call(base, "POST", "/api/registrations", {"email": address})[0] == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
        time.sleep(0.3)
    [mail] = list(outbox.glob("*.eml"))
    text = describe(mail.read_text())["links"][0]
    token = re.search(r"#jeton=([A-Za-z0-9_-]{43})", text).group(1)
    status, _, body = call(base, "POST", "/api/token-checks", {"token": token})
    assert status == 200 and json.loads(body)["purpose"] == "registration"
    password = "Bravo2026ok"
    assert (
        call(base, "POST", "/api/passwords", {"token": token, "password": password, "password_confirmation": password})[
            0
        ]
        == 204
    )
    status, headers, body = call(base, "POST", "/api/sessions", {"email": address, "password": password})
    assert status == 200 and json.loads(body)["voter"]["first_name"] == "Camille"
    session = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    status, _, body = call(base, "GET", "/api/me", cookie=session)
    assert status == 200 and "Remise en main propre" in json.loads(body)["code_delivery"]
    assert call(base, "DELETE", "/api/sessions/current", cookie=session)[0] == 204
    assert call(base, "GET", "/api/me", cookie=session)[0] == 401


@pytest.mark.slow
def test_make_run_stops_on_ctrl_c(running_portal):
    process = running_portal["process"]
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert "électeurs créés      40" in output and "Stopped." in output
    assert process.returncode == 0
    # The secrets of the journey above never reached the terminal's log lines.
    assert "Bravo2026ok" not in output
