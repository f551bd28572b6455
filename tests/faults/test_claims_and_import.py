"""Claims and the electoral-list import under faults, and claims submitted concurrently."""

import io
import itertools
import threading

import pytest

from chalicelib.admin import cli
from chalicelib.services import claims as claim_service
from chalicelib.services.voter_import import ImportInterrupted, import_voters
from chalicelib.store.claims import Claim
from chalicelib.store.electoral_list import ElectoralListEntry
from chalicelib.store.voters import Voter
from tests.api.conftest import LISTED
from tests.api.test_espace import espace, public  # noqa: F401  (a signed-in voter, claims open on CSA-ACA)
from tests.conftest import NOW
from tests.faults.conftest import assert_service_busy, deliver_once, on_table
from tests.services.helpers import voter, write_voters

MESSAGE = "Ma collègue Léa Nguyen, Lycée Jean Macé, n'apparaît pas sur la liste."


def claims():
    return list(Claim.scan())


@pytest.mark.parametrize("kind", ["throughput", "throttling", "connection"])
def test_a_claim_refused_by_dynamodb_is_not_stored_and_then_filed_once(espace, faults, kind):
    faults.fail("dynamodb", "PutItem", kind, times=None, when=on_table("claims"))
    assert_service_busy(espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": MESSAGE}))
    faults.clear()
    assert claims() == []
    assert espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": MESSAGE}).status_code == 201
    assert espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": MESSAGE}).status_code == 200
    assert len(claims()) == 1


def test_a_public_claim_whose_receipt_cannot_be_queued_gets_one_receipt_on_retry(portal, faults):
    faults.fail("sqs", "SendMessage", "unavailable", times=None)
    assert_service_busy(public(portal, email=LISTED))
    faults.clear()
    assert public(portal, email=LISTED).status_code == 202
    assert public(portal, email=LISTED).status_code == 202  # the same claim once more, by impatience
    while deliver_once(portal) == "ok":
        pass
    [receipt] = portal.new_mail()
    assert receipt.to == LISTED and "REC-" in receipt.subject
    assert len(claims()) == 1


def test_one_claim_submitted_twice_at_once_is_stored_once(espace, serialised_aws):
    voter_item = Voter.get("P00000001")
    results = []

    def submit():
        results.append(claim_service.file_ballot_claim(voter_item, "CSA-ACA", MESSAGE, now=espace.clock.now))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(new for _, new in results) == [False, True]
    assert len({claim.reference for claim, _ in results}) == 1 and len(claims()) == 1


def test_one_public_claim_submitted_twice_at_once_is_acknowledged_once(portal, serialised_aws):
    fields = {
        "last_name": "Nguyen",
        "first_name": "Léa",
        "email": LISTED,  # a receipt goes only to a listed address
        "workplace": "Lycée Jean Macé, Niort",
        "message": "Je ne trouve pas mon nom sur la liste du CSA.",
    }
    threads = [
        threading.Thread(
            target=claim_service.file_public_claim,
            args=(dict(fields),),
            kwargs={"client": f"10.0.0.{n}", "now": portal.clock.now},
        )
        for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    portal.run_worker()
    assert len(portal.new_mail()) == 1 and len(claims()) == 1


def snapshot():
    voters = sorted((v.voter_id, repr(v.attribute_values)) for v in Voter.scan())
    lists = sorted((e.ballot_id, e.sort_key, repr(e.attribute_values)) for e in ElectoralListEntry.scan())
    return voters, lists


@pytest.mark.parametrize("kind", ["throughput", "throttling", "connection"])
def test_an_import_interrupted_by_dynamodb_ends_in_the_same_state_when_run_again(portal, faults, tmp_path, kind):
    path = write_voters(tmp_path / "v.csv", [voter(n) for n in range(1, 301)])
    accepted = itertools.count()
    # A chunk of 100 new voters is 16 BatchWriteItem calls (4 marking them in flight, 8 for
    # their 200 list entries, 4 for them): the first two chunks get through (two workers, 32
    # calls), the third is cut short after marking half its voters.
    faults.fail("dynamodb", "BatchWriteItem", kind, times=None, when=lambda body: next(accepted) >= 34)
    with pytest.raises(ImportInterrupted) as interrupted:
        import_voters(path, now=NOW, workers=2)
    assert interrupted.value.code == "store_busy" and 0 < interrupted.value.written
    written_whole = [v for v in Voter.scan() if v.fingerprint]  # not merely marked in flight
    assert 3 < len(written_whole) < 300  # some written, not all

    faults.clear()
    report = import_voters(path, now=NOW)
    assert report.created + report.updated + report.unchanged == 300 and report.unchanged > 0
    complete = snapshot()
    assert len(complete[0]) == 300 and len(complete[1]) == 600  # two ballots each
    again = import_voters(path, now=NOW)
    assert (again.unchanged, again.items_written) == (300, 0) and snapshot() == complete


def test_the_cli_says_how_to_resume_an_interrupted_import(portal, faults, tmp_path, test_stage_config):
    path = write_voters(tmp_path / "v.csv", [voter(n) for n in range(1, 201)])
    faults.fail("dynamodb", "BatchWriteItem", "throughput", times=None)
    out = io.StringIO()
    status = cli.main(["--stage", "test", "import-voters", str(path)], out=out, config_path=test_stage_config)
    assert status == 2
    assert "Import interrompu (store_busy)" in out.getvalue() and "Relancez la même commande" in out.getvalue()
    faults.clear()
    assert (
        cli.main(["--stage", "test", "import-voters", str(path)], out=io.StringIO(), config_path=test_stage_config) == 0
    )
    assert len(list(Voter.scan())) == 200
