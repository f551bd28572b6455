"""The count fanned out over its Lambda workers: `bureau count` sends one message per shard to the
count queue, the worker (`count_box_shard`, the very handler Lambda calls) counts each, and the
reduction gives the tally the key holders recompute, whatever the order in which the shards are
handled and however often; a forged ballot, messages lost to the dead-letter queue or workers
that never run stop the count and say why; the worker counts nothing of a bureau not closed, and
stays within its role (the box, never the sign-in list)."""

from __future__ import annotations

import functools
import json
import os

import boto3
import pytest

from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto.tally import CountError
from chalicelib.services import counting
from chalicelib.services.counting import CountQueue, count_bureau
from chalicelib.store.bureaus import BureauItem
from infra.aws.functions import COUNT_QUEUE
from tests.admin.test_bureau_ceremony import admin, bureau, keyholder  # noqa: F401
from tests.admin.test_bureau_close import closed, forge_a_ballot, sealed  # noqa: F401
from tests.admin.test_bureau_seal import decrypt, ready  # noqa: F401
from tests.conftest import NOW
from tests.infra.iam import unauthorised
from tests.infra.test_aws_stack import recorded_calls


class Workers:
    """The count queue and its worker, as Lambda's event source mapping runs them: each receive
    of up to ten messages is handed to the handler one message at a time (batch size 1), in the
    order `shuffle` gives, each `twice` times."""

    def __init__(self, shuffle=lambda messages: messages, twice=lambda n: False):
        from app import app
        from infra.local.poller import sqs_event
        from infra.local.provision import create_queues

        self.handler = app.handler_map["count_box_shard"]
        self.sqs_event = sqs_event
        self.url = create_queues(os.environ["COUNT_QUEUE_NAME"], COUNT_QUEUE)
        self.dead_letters_url = self.url + "-dlq"
        self.sqs = boto3.client("sqs", region_name="eu-west-3")
        self.shuffle, self.twice = shuffle, twice
        self.handled, self.calls = 0, []

    def drain(self, _seconds=None) -> None:
        """Every message waiting handled (CountQueue's sleep between two readings)."""
        while messages := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages"):
            for message in self.shuffle(messages):
                for _ in range(2 if self.twice(self.handled) else 1):
                    with recorded_calls(self.calls):
                        self.handler(self.sqs_event([message], "arn:aws:sqs:eu-west-3:1:test-count"), None)
                self.handled += 1
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def waiting(self) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_the_workers_count_every_shard_in_any_order_and_twice_and_stay_within_their_role(admin, closed):
    bureau, folder, keys, _ = closed
    workers = Workers(shuffle=lambda messages: list(reversed(messages)), twice=lambda n: n % 5 == 0)
    report = count_bureau(bureau, folder, now=NOW, runner=CountQueue(poll_seconds=0, sleep=workers.drain))
    assert report.items == report.counted_now == 128 and workers.handled == 128
    assert report.scrutins == [("CSA-MEN", 7), ("CAPN-CE", 3)]
    # The key holders' tool sums ballots/ itself and refuses a tally.json that differs: it agrees.
    for member in ("adm-2", "del-1", "del-3"):
        status, output = decrypt(folder, keys, member)
        assert status == 0, output
    # Run again: nothing is sent, the same tally.
    again = count_bureau(bureau, folder, now=NOW, runner=CountQueue(poll_seconds=0, sleep=workers.drain))
    assert again.counted_now == 0 and again.tally_sha256 == report.tally_sha256 and workers.waiting() == 0
    # What the worker asked of AWS, its role allows: the box read, the bureau's items, nothing else.
    assert unauthorised(workers.calls, "count_box_shard") == set()
    tables = {params.get("TableName") for service, _, params in workers.calls if service == "dynamodb"}
    assert tables == {"test-ballot-box", "test-bureaus"}


def test_an_interrupted_fan_out_resumes_to_the_same_tally_with_the_local_pool(admin, closed):
    bureau, folder, keys, _ = closed
    workers = Workers()

    def interrupted(_seconds):
        for _ in range(3):  # three receives of ten, then the operator's machine is gone
            message = workers.sqs.receive_message(QueueUrl=workers.url, MaxNumberOfMessages=10)["Messages"]
            for m in message:
                workers.handler(workers.sqs_event([m], "arn"), None)
                workers.sqs.delete_message(QueueUrl=workers.url, ReceiptHandle=m["ReceiptHandle"])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        count_bureau(bureau, folder, now=NOW, runner=CountQueue(poll_seconds=0, sleep=interrupted))
    assert not (folder / files.TALLY).exists()
    status, output = admin("bureau", "count", bureau, str(folder), "--workers", "1", "--json")
    assert status == 0, output
    assert json.loads(output)["counted_now"] == 128 - 30
    for member in ("adm-1", "del-2", "del-4"):
        assert decrypt(folder, keys, member)[0] == 0


def test_a_ballot_forged_into_the_box_stops_the_fanned_out_count_which_names_it(admin, closed):
    bureau, folder, _, _ = closed
    entry = forge_a_ballot()
    workers = Workers()
    with pytest.raises(CountError) as stopped:
        count_bureau(bureau, folder, now=NOW, runner=CountQueue(poll_seconds=0, sleep=workers.drain))
    shard = int(entry.box.rsplit("#", 1)[1])
    assert "CSA-MEN: ballot" in stopped.value.what and "bit_proof" in stopped.value.what
    assert f"(shard {shard}, counted by a worker)" in stopped.value.what
    # Dropped, not retried: a second reading gives the same answer.
    assert workers.waiting() == 0 and not (folder / files.TALLY).exists()


def test_messages_gone_to_the_dead_letter_queue_stop_the_count(admin, closed):
    bureau, folder, _, _ = closed
    workers = Workers()

    def failing(_seconds):  # the workers fail three times on a message; SQS moves it aside
        [message] = workers.sqs.receive_message(QueueUrl=workers.url, MaxNumberOfMessages=1)["Messages"]
        workers.sqs.send_message(QueueUrl=workers.dead_letters_url, MessageBody=message["Body"])
        workers.sqs.delete_message(QueueUrl=workers.url, ReceiptHandle=message["ReceiptHandle"])

    # Another bureau's count, at the same time, lost a message: not this count's business.
    other = {"bureau_id": "another-bureau", "scrutin": "CSA-MEN", "shard": 1}
    workers.sqs.send_message(QueueUrl=workers.dead_letters_url, MessageBody=json.dumps(other))
    with pytest.raises(CountError) as stopped:
        count_bureau(bureau, folder, now=NOW, runner=CountQueue(poll_seconds=0, sleep=failing))
    assert "1 work item(s) failed three times" in stopped.value.what
    # Looked at, not taken: both stay for the operator to replay.
    attributes = workers.sqs.get_queue_attributes(
        QueueUrl=workers.dead_letters_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "2"


def test_workers_that_never_run_stop_the_count_after_the_stall_time(admin, closed):
    bureau, folder, _, _ = closed
    Workers()
    moments = iter(range(0, 10_000, 100))
    runner = CountQueue(poll_seconds=0, sleep=lambda s: None, clock=lambda: next(moments))
    with pytest.raises(CountError) as stopped:
        count_bureau(bureau, folder, now=NOW, runner=runner)
    assert "no shard counted for 2400 s, 128 still to count" in stopped.value.what


def test_the_worker_counts_nothing_of_a_bureau_not_closed_nor_a_message_that_names_no_shard(admin, sealed):
    bureau, _, _, _ = sealed
    workers = Workers()
    bodies = [
        {"bureau_id": bureau, "scrutin": "CSA-MEN", "shard": 3},  # sealed, still open: refused
        {"bureau_id": bureau, "scrutin": "CSA-MEN", "shard": 64},
        {"bureau_id": bureau, "scrutin": "CSA-MEN", "shard": True},
        {"scrutin": "CSA-MEN", "shard": 1},
        "not a count item",
    ]
    for body in bodies:
        workers.sqs.send_message(QueueUrl=workers.url, MessageBody=json.dumps(body))
    workers.sqs.send_message(QueueUrl=workers.url, MessageBody="{not json")
    workers.drain()
    assert workers.handled == 6 and workers.waiting() == 0
    assert [i.part for i in BureauItem.query(bureau, BureauItem.part.startswith("count"))] == []
    assert counting.count_queued_item(bodies[0], now=NOW) == "refused"
    assert counting.count_queued_item(bodies[1], now=NOW) == "rejected"


def test_bureau_count_sends_the_shards_to_the_workers_by_default(admin, closed, monkeypatch):
    bureau, folder, keys, _ = closed
    workers = Workers()
    monkeypatch.setattr(counting, "CountQueue", functools.partial(CountQueue, poll_seconds=0, sleep=workers.drain))
    status, output = admin("bureau", "count", bureau, str(folder))
    assert status == 0 and "chaque bulletin a été revérifié" in output, output
    assert workers.handled == 128
    assert decrypt(folder, keys, "adm-1")[0] == 0
