"""POST /api/ballots/{id}/votes: one final vote per voter and scrutin, the émargement and the
ballot written together or not at all, every check in order, and the receipt."""

from __future__ import annotations

import copy
import json
import logging
import threading
from datetime import timedelta

import pytest

from chalicelib.crypto import ballots as ev1
from chalicelib.domain.voter_codes import code_hash, normalised
from chalicelib.store import sign_in
from chalicelib.store.ballots import BallotItem, CandidateListAttribute
from chalicelib.store.voter_codes import issue_first_code
from chalicelib.wiring import voter_code_pepper
from tests.conftest import NOW
from tests.crypto.test_ev1 import NEGATIVE
from tests.voting_support import box_of, seal_for_tests

CODE = "7K3M-9QRT-2WXA"
VOTER = "P00000001"


def three_options(ballot_id="CSA-MEN"):
    """A second candidate list, so that the scrutin has three options as VOTING.md's vector."""
    item = BallotItem.get(ballot_id)
    second = CandidateListAttribute(
        list_id=f"{ballot_id}-UNSA", name="UNSA Éducation", acronym="UNSA", statement_url="https://example.org/unsa.pdf"
    )
    item.update(actions=[BallotItem.candidate_lists.set([*item.candidate_lists, second])])


@pytest.fixture
def booth(portal):
    """Voter 1 signed in with their code typed, on two sealed scrutins open since NOW."""
    three_options()
    portal.election = seal_for_tests(["CSA-MEN", "CSA-ACA"], now=NOW)
    portal.register_and_activate()
    assert portal.sign_in().status_code == 200
    issue_first_code(VOTER, code_hash(normalised(CODE), voter_code_pepper()), now=NOW)
    assert portal.authed("post", "/api/me/voter-code", {"code": CODE}).status_code == 204
    portal.run_worker()
    portal.new_mail()
    return portal


def cast(portal, scrutin, ballot, session=None):
    return portal.authed("post", f"/api/ballots/{scrutin}/votes", {"ballot": ballot}, session=session)


def error_of(response):
    return json.loads(response.body)["error"]


def sign_ins(scrutin):
    return list(sign_in.entries(scrutin))


def test_a_vote_is_recorded_once_with_its_receipt_and_the_ballot_reaches_the_box_alone(booth):
    ballot = booth.election.ballot("CSA-MEN", 1)
    response = cast(booth, "CSA-MEN", ballot)
    assert response.status_code == 201, response.body
    body = json.loads(response.body)
    checked = ev1.verify(
        ballot, public_key=booth.election.public_key, phi=booth.election.phi, scrutin="CSA-MEN", options=3
    )
    rho = ev1.receipt(checked, booth.election.phi)
    assert body == {
        "receipt": rho.hex(),
        "short_receipt": ev1.short_receipt(rho),
        "voted_at": "2026-11-29T10:00:00+01:00",
        "election": booth.election.phi.hex(),
    }
    [entry] = sign_ins("CSA-MEN")
    assert (entry.voter_id, entry.voted_at) == (VOTER, NOW)
    [stored] = box_of("CSA-MEN")
    assert set(stored.attribute_values) == {"box", "nonce", "ballot"}  # no voter, no time, no request
    assert json.loads(stored.ballot) == ballot and stored.nonce == ballot["nonce"]
    assert booth.election.decrypt(stored.ballot) == [0, 1, 0]
    assert sign_ins("CSA-ACA") == [] and box_of("CSA-ACA") == []


def test_the_vote_is_final_a_second_cast_is_already_voted_and_changes_nothing(booth):
    assert cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1)).status_code == 201
    again = cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 0))
    assert again.status_code == 409 and error_of(again)["code"] == "already_voted"
    assert "définitif" in error_of(again)["message"]
    [stored] = box_of("CSA-MEN")
    assert booth.election.decrypt(stored.ballot) == [0, 1, 0] and len(sign_ins("CSA-MEN")) == 1


def test_the_voter_is_told_by_email_without_the_receipt(booth):
    receipt = json.loads(cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1)).body)
    booth.run_worker()
    [mail] = booth.new_mail()
    assert mail.subject == "Élections professionnelles : vous avez voté au scrutin Scrutin CSA-MEN"
    assert "29/11/2026 à 10h00" in mail.text and "définitif" in mail.text
    assert receipt["receipt"] not in mail.text and receipt["short_receipt"] not in mail.text
    assert receipt["receipt"][:10] not in mail.text.replace("-", "")


@pytest.mark.parametrize(
    "extra",
    [
        lambda b: b.update(voter=VOTER),
        lambda b: b["choices"][0].update(sent_at="10:00"),
        lambda b: b["proofs"][1].update(id=1),
        lambda b: b["sum_proof"].update(n=2),
    ],
)
def test_a_field_the_protocol_does_not_define_is_refused_so_the_box_holds_the_ballot_as_cast(booth, extra):
    ballot = booth.election.ballot("CSA-MEN", 0)
    extra(ballot)
    response = cast(booth, "CSA-MEN", ballot)
    assert response.status_code == 400 and error_of(response)["reason"] == "unknown_field"
    assert sign_ins("CSA-MEN") == [] and box_of("CSA-MEN") == []


def test_the_box_holds_each_ballot_as_cast_byte_for_byte_in_the_protocols_encoding(booth):
    ballot = booth.election.ballot("CSA-MEN", 2)
    assert cast(booth, "CSA-MEN", ballot).status_code == 201
    [stored] = box_of("CSA-MEN")
    assert stored.ballot == json.dumps(ballot, separators=(",", ":"))


def _one_randomness_for_every_option(ballot_id, election, choice, r=12345):
    """A ballot built with the same r for each option: valid proofs, the same a_i throughout."""

    class Same(ev1.SystemRandom):
        def scalar(self):
            return r

    return ev1.encrypt(public_key=election.public_key, phi=election.phi, scrutin=ballot_id, options=3,
                       choice=choice, rng=Same())  # fmt: skip


def test_a_ballot_whose_ciphertexts_share_their_randomness_is_refused(booth):
    ballot = _one_randomness_for_every_option("CSA-MEN", booth.election, 1)
    assert len({c["a"] for c in ballot["choices"]}) == 1
    response = cast(booth, "CSA-MEN", ballot)
    assert response.status_code == 400 and error_of(response)["reason"] == "repeated_a"
    assert sign_ins("CSA-MEN") == [] and box_of("CSA-MEN") == []


def test_two_voters_sharing_randomness_cannot_put_a_repeated_point_in_the_box(booth):
    """The count rejects a record where any a_i repeats: the box never takes the second."""

    class SharedFirst(ev1.SystemRandom):
        """The first option's r agreed between two voters; every other draw their own."""

        def __init__(self):
            self.draws = 0

        def scalar(self):
            self.draws += 1
            return 4242 if self.draws == 1 else super().scalar()

    first = booth.election.ballot("CSA-MEN", 1, rng=SharedFirst())
    assert cast(booth, "CSA-MEN", first).status_code == 201
    second = booth.election.ballot("CSA-MEN", 2, rng=SharedFirst())
    assert second["choices"][0]["a"] == first["choices"][0]["a"] and second["nonce"] != first["nonce"]
    booth.register_and_activate("camille.nom2@ac-poitiers.fr")
    booth.sign_in("camille.nom2@ac-poitiers.fr")
    issue_first_code("P00000002", code_hash(normalised("AAAA-BBBB-CCCC"), voter_code_pepper()), now=NOW)
    assert booth.authed("post", "/api/me/voter-code", {"code": "AAAA-BBBB-CCCC"}).status_code == 204
    refused = cast(booth, "CSA-MEN", second)
    assert refused.status_code == 400 and error_of(refused)["reason"] == "duplicate_point"
    assert [e.voter_id for e in sign_ins("CSA-MEN")] == [VOTER] and len(box_of("CSA-MEN")) == 1
    fresh = booth.election.ballot("CSA-MEN", 2)
    assert cast(booth, "CSA-MEN", fresh).status_code == 201  # the second voter may still vote


def test_the_same_ballot_sent_again_after_a_lost_answer_is_already_voted_and_says_it_is_this_one(booth):
    ballot = booth.election.ballot("CSA-MEN", 1)
    assert cast(booth, "CSA-MEN", ballot).status_code == 201
    again = cast(booth, "CSA-MEN", copy.deepcopy(ballot))
    assert again.status_code == 409 and error_of(again)["code"] == "already_voted"
    assert error_of(again)["this_ballot"] is True
    other = cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 0))
    assert other.status_code == 409 and error_of(other)["this_ballot"] is False
    assert len(box_of("CSA-MEN")) == 1 and len(sign_ins("CSA-MEN")) == 1


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_each_tampered_ballot_is_refused_and_writes_nothing(booth, case):
    ballot = booth.election.ballot("CSA-MEN", 1)
    NEGATIVE[case](ballot)
    response = cast(booth, "CSA-MEN", ballot)
    assert response.status_code == 400, case
    assert error_of(response)["code"] == "invalid_ballot" and error_of(response)["reason"]
    assert sign_ins("CSA-MEN") == [] and box_of("CSA-MEN") == []
    assert cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1)).status_code == 201  # still free to vote


@pytest.mark.parametrize("body", [{}, {"ballot": "x"}, {"ballot": [1]}, {"ballot": None}])
def test_a_body_without_a_ballot_object_is_invalid_request(booth, body):
    response = booth.authed("post", "/api/ballots/CSA-MEN/votes", body)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_request"
    assert sign_ins("CSA-MEN") == []


def test_a_ballot_replayed_by_another_voter_is_refused(booth):
    ballot = booth.election.ballot("CSA-MEN", 1)
    assert cast(booth, "CSA-MEN", ballot).status_code == 201
    booth.register_and_activate("camille.nom2@ac-poitiers.fr")
    booth.sign_in("camille.nom2@ac-poitiers.fr")
    issue_first_code("P00000002", code_hash(normalised("AAAA-BBBB-CCCC"), voter_code_pepper()), now=NOW)
    assert booth.authed("post", "/api/me/voter-code", {"code": "AAAA-BBBB-CCCC"}).status_code == 204
    copied = cast(booth, "CSA-MEN", copy.deepcopy(ballot))
    assert copied.status_code == 400 and error_of(copied)["reason"] == "duplicate_nonce"
    assert [e.voter_id for e in sign_ins("CSA-MEN")] == [VOTER] and len(box_of("CSA-MEN")) == 1


def test_without_the_voter_code_in_this_session_nothing_is_cast(booth):
    booth.sign_in()  # a new session: the code is typed once per session
    response = cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1))
    assert response.status_code == 401 and error_of(response)["code"] == "voter_code_required"
    assert sign_ins("CSA-MEN") == []


@pytest.mark.parametrize("body", [{}, {"ballot": "x"}])
def test_without_the_code_even_a_malformed_body_is_told_to_type_the_code_first(booth, body):
    booth.sign_in()
    response = booth.authed("post", "/api/ballots/CSA-MEN/votes", body)
    assert response.status_code == 401 and error_of(response)["code"] == "voter_code_required"


def test_it_needs_a_session(booth):
    response = booth.post("/api/ballots/CSA-MEN/votes", {"ballot": booth.election.ballot("CSA-MEN", 1)})
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(("scrutin", "status", "code"), [("CSA-XYZ", 403, "not_on_list"), ("..%2FCSA-MEN", 404, None)])
def test_a_scrutin_the_voter_is_not_on_is_refused(booth, scrutin, status, code):
    response = cast(booth, scrutin, booth.election.ballot("CSA-MEN", 1))
    assert response.status_code == status, response.body
    if code:
        assert error_of(response)["code"] == code
    assert sign_ins("CSA-MEN") == [] and box_of("CSA-MEN") == []
    response = cast(booth, "CSA-OTHER", booth.election.ballot("CSA-MEN", 1))
    assert response.status_code == 403 and error_of(response)["code"] == "not_on_list"


CLOSE = NOW + timedelta(days=7, hours=7)  # 6 December, 17:00 in Paris


@pytest.mark.parametrize(
    ("typed_at", "cast_at", "status"),
    [
        (NOW - timedelta(hours=1), NOW - timedelta(seconds=1), 403),  # one second before the opening
        (NOW - timedelta(hours=1), NOW, 201),  # the opening, to the second
        (CLOSE - timedelta(minutes=5), CLOSE - timedelta(seconds=1), 201),  # the last second
        (CLOSE, CLOSE + timedelta(minutes=1), 403),  # code typed at the close: too late
        (CLOSE - timedelta(minutes=1), CLOSE + timedelta(minutes=28), 201),  # in the booth before: the grace
        (CLOSE - timedelta(minutes=1), CLOSE + timedelta(minutes=30), 403),  # the grace is over
    ],
)
def test_voting_opens_and_closes_by_the_servers_clock_with_the_grace(portal, typed_at, cast_at, status):
    portal.election = seal_for_tests(["CSA-MEN"], now=NOW)
    portal.clock.now = NOW - timedelta(days=1)
    portal.register_and_activate()
    issue_first_code(VOTER, code_hash(normalised(CODE), voter_code_pepper()), now=NOW)
    portal.clock.now = typed_at
    portal.sign_in()
    assert portal.authed("post", "/api/me/voter-code", {"code": CODE}).status_code == 204
    while portal.clock.now + timedelta(minutes=10) < cast_at:  # the voter is active in the booth meanwhile
        portal.clock.now += timedelta(minutes=10)
        assert portal.authed("get", "/api/me").status_code == 200
    portal.clock.now = cast_at
    response = cast(portal, "CSA-MEN", portal.election.ballot("CSA-MEN", 1))
    assert response.status_code == status, response.body
    if status == 403:
        assert error_of(response)["code"] == "voting_closed" and sign_ins("CSA-MEN") == []


def test_no_vote_before_the_bureau_seals(portal):
    sealed = seal_for_tests(["CSA-ACA"], now=NOW)  # CSA-MEN is not sealed
    portal.register_and_activate()
    portal.sign_in()
    issue_first_code(VOTER, code_hash(normalised(CODE), voter_code_pepper()), now=NOW)
    portal.authed("post", "/api/me/voter-code", {"code": CODE})
    response = cast(portal, "CSA-MEN", sealed.ballot("CSA-ACA", 1) | {"scrutin": "CSA-MEN"})
    assert response.status_code == 403 and error_of(response)["code"] == "election_not_sealed"


def test_a_hundred_simultaneous_casts_give_one_vote(booth, serialised_aws):
    ballots = [booth.election.ballot("CSA-MEN", i % 2) for i in range(100)]
    statuses, start = [], threading.Barrier(100)

    def one(ballot):
        start.wait()
        statuses.append(cast(booth, "CSA-MEN", ballot).status_code)

    threads = [threading.Thread(target=one, args=(b,)) for b in ballots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 99
    assert len(sign_ins("CSA-MEN")) == 1 and len(box_of("CSA-MEN")) == 1


def test_the_booth_list_says_what_each_scrutin_awaits(booth):
    listing = json.loads(booth.authed("get", "/api/me/votes").body)
    assert listing["code_verified"] is True
    assert [(s["id"], s["state"], s["voted_at"]) for s in listing["scrutins"]] == [
        ("CSA-ACA", "to_vote", None),
        ("CSA-MEN", "to_vote", None),
    ]
    cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1))
    scrutins = {s["id"]: s for s in json.loads(booth.authed("get", "/api/me/votes").body)["scrutins"]}
    assert scrutins["CSA-MEN"]["state"] == "voted" and scrutins["CSA-MEN"]["voted_at"] == "2026-11-29T10:00:00+01:00"
    men = scrutins["CSA-MEN"]
    assert men["election"] == {"id": booth.election.election_id, "fingerprint": booth.election.phi.hex()}
    assert men["options"] == ["blank", "CSA-MEN-FSU", "CSA-MEN-UNSA"] and men["candidate_lists"][0]["acronym"] == "FSU"
    booth.clock.now = NOW + timedelta(days=8)
    booth.sign_in()
    scrutins = {s["id"]: s["state"] for s in json.loads(booth.authed("get", "/api/me/votes").body)["scrutins"]}
    assert scrutins == {"CSA-MEN": "voted", "CSA-ACA": "closed"}


def test_no_log_line_and_no_queued_message_holds_the_ballot_the_receipt_or_the_code(booth, caplog):
    """What a cast leaves outside the box: log lines (every logger, at the level Lambda runs
    at) and the mail request on the queue. None may hold the nonce, a ciphertext, a proof, the
    receipt in any form, or the voter code: with the émargement's voter id beside them, they
    would link a voter to a ballot."""
    from tests.infra.test_aws_stack import recorded_calls

    ballot = booth.election.ballot("CSA-MEN", 1)
    tampered = booth.election.ballot("CSA-ACA", 0)
    NEGATIVE["c0 + 1"](tampered)
    calls = []
    caplog.set_level(logging.INFO)
    with recorded_calls(calls):
        assert cast(booth, "CSA-ACA", tampered).status_code == 400
        receipt = json.loads(cast(booth, "CSA-MEN", ballot).body)
        booth.run_worker()
    secrets_of_the_vote = {
        ballot["nonce"],
        receipt["receipt"],
        receipt["short_receipt"],
        receipt["short_receipt"].replace("-", ""),
        normalised(CODE),
        CODE,
        tampered["nonce"],
        *(c[key] for c in ballot["choices"] + tampered["choices"] for key in ("a", "b")),
        *(p[key] for p in ballot["proofs"] for key in ("c0", "c1", "s0", "s1")),
        ballot["sum_proof"]["c"],
    }
    lines = [record.getMessage() for record in caplog.records]
    assert any('"status": 201' in line for line in lines)  # the cast's request line is among them
    queued = [json.dumps(p) for s, op, p in calls if s == "sqs" and op == "SendMessage"]
    assert queued, "the « vous avez voté » request went through the queue"
    for text in lines + queued:
        for secret in secrets_of_the_vote:
            assert secret.lower() not in text.lower(), (secret, text)
