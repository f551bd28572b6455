"""The cast under DynamoDB and SQS faults: the émargement and the ballot are written together or
not at all; a cast AWS refused is a 503 with a request id, never a false success, and the vote
can be cast again; a cast whose answer was lost after AWS wrote it is recorded once, and the
voter's retry answers `already_voted` for this very ballot; the « vous avez voté » email failing
loses no vote."""

from __future__ import annotations

import json

import pytest

from chalicelib.store.ballot_box import BallotPoint
from tests.api.test_casting import VOTER, booth, cast, error_of, sign_ins  # noqa: F401
from tests.faults.conftest import assert_service_busy, on_table
from tests.voting_support import box_of

DYNAMODB_FAULTS = ["throughput", "throttling", "unavailable", "connection", "timeout"]


def points_of(scrutin: str) -> list[BallotPoint]:
    return [p for n in range(256) for p in BallotPoint.query(f"{scrutin}#a#{n:02x}")]


def assert_nothing_cast(scrutin: str = "CSA-MEN") -> None:
    assert sign_ins(scrutin) == [] and box_of(scrutin) == [] and points_of(scrutin) == []


def assert_cast_once(scrutin: str = "CSA-MEN", options: int = 3) -> None:
    [entry] = sign_ins(scrutin)
    assert entry.voter_id == VOTER
    assert len(box_of(scrutin)) == 1 and len(points_of(scrutin)) == options


@pytest.mark.parametrize("kind", DYNAMODB_FAULTS)
def test_a_cast_dynamodb_refuses_writes_nothing_and_can_be_cast_again(booth, faults, kind):  # noqa: F811
    ballot = booth.election.ballot("CSA-MEN", 1)
    refused = faults.fail("dynamodb", "TransactWriteItems", kind, times=None)
    assert_service_busy(cast(booth, "CSA-MEN", ballot))
    assert refused.hits >= 2  # botocore tried again before giving up
    faults.clear()
    assert_nothing_cast()
    assert cast(booth, "CSA-MEN", ballot).status_code == 201
    assert_cast_once()


def test_a_cast_cancelled_by_concurrent_transactions_is_tried_again_then_recorded_once(booth, faults):  # noqa: F811
    conflicts = faults.fail("dynamodb", "TransactWriteItems", "conflict", times=2)
    assert cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 2)).status_code == 201
    assert conflicts.hits == 2
    assert_cast_once()


@pytest.mark.parametrize("times", [2, None])
def test_a_cast_whose_transaction_was_throttled_is_tried_again_or_a_503(booth, faults, times):  # noqa: F811
    """DynamoDB reports a throttled transaction as a cancellation (reason ThrottlingError)."""
    ballot = booth.election.ballot("CSA-MEN", 1)
    faults.fail("dynamodb", "TransactWriteItems", "cancelled_throttled", times=times)
    response = cast(booth, "CSA-MEN", ballot)
    if times is None:
        assert_service_busy(response)
        assert_nothing_cast()
    else:
        assert response.status_code == 201
        assert_cast_once()


def test_a_cast_that_keeps_conflicting_is_a_503_and_nothing_is_written(booth, faults):  # noqa: F811
    ballot = booth.election.ballot("CSA-MEN", 0)
    faults.fail("dynamodb", "TransactWriteItems", "conflict", times=None)
    assert_service_busy(cast(booth, "CSA-MEN", ballot))
    faults.clear()
    assert_nothing_cast()
    assert cast(booth, "CSA-MEN", ballot).status_code == 201


def test_a_cast_whose_answer_was_lost_is_recorded_once_and_says_so(booth, faults):  # noqa: F811
    """AWS wrote the transaction, its answer never came back; botocore sends it again and its
    conditions (no émargement yet, this nonce and these points new) now fail: the voter hears
    that their vote is recorded, and that it is this ballot. (On AWS the retry carries the same
    ClientRequestToken, which botocore fills in once, so DynamoDB may instead answer it as the
    success it was, and the voter gets the receipt: either answer is true, neither duplicates.)"""
    ballot = booth.election.ballot("CSA-MEN", 1)
    lost = faults.fail("dynamodb", "TransactWriteItems", "answer_lost", times=1)
    response = cast(booth, "CSA-MEN", ballot)
    assert lost.hits == 1
    assert response.status_code == 409 and error_of(response)["code"] == "already_voted", response.body
    assert error_of(response)["this_ballot"] is True
    assert_cast_once()


def test_a_cast_whose_every_answer_was_lost_is_a_503_and_the_retry_finds_it_recorded(booth, faults):  # noqa: F811
    ballot = booth.election.ballot("CSA-MEN", 2)
    faults.fail("dynamodb", "TransactWriteItems", "answer_lost", times=None)
    assert_service_busy(cast(booth, "CSA-MEN", ballot))  # never a success it cannot vouch for
    faults.clear()
    assert_cast_once()  # the first attempt was written, and only it
    again = cast(booth, "CSA-MEN", json.loads(json.dumps(ballot)))
    assert again.status_code == 409 and error_of(again)["code"] == "already_voted"
    assert error_of(again)["this_ballot"] is True and "définitif" in error_of(again)["message"]
    assert_cast_once()


@pytest.mark.parametrize("table", ["sessions", "accounts", "voters"])
def test_a_read_refused_before_the_cast_writes_nothing(booth, faults, table):  # noqa: F811
    faults.fail("dynamodb", "*", "throughput", times=None, when=on_table(table))
    assert_service_busy(cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1)))
    faults.clear()
    assert_nothing_cast()


def test_the_voted_email_failing_loses_no_vote(booth, faults):  # noqa: F811
    faults.fail("sqs", "SendMessage", "unavailable", times=None)
    response = cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1))
    assert response.status_code == 201 and json.loads(response.body)["receipt"]
    assert_cast_once()
