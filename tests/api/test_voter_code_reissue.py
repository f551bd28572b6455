"""POST /api/me/voter-code/reissue: a signed-in voter who lost their voter code gives the birth
date the roll holds and gets a new code, shown once, of the usual alphabet; the old code dies at
once, votes already cast stay cast, the re-issue is audited and counted per scrutin, an email
says a code was issued (never which); wrong dates, too many re-issues, a roll without birth
dates and the time outside the vote are each refused with their own code, changing nothing."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest

from chalicelib.domain.birth_dates import birth_date_check
from chalicelib.domain.voter_codes import ALPHABET, normalised
from chalicelib.store import voter_codes
from chalicelib.store.voters import Voter
from chalicelib.wiring import voter_code_pepper
from tests.api.test_casting import CODE, VOTER, booth, cast, error_of  # noqa: F401
from tests.conftest import NOW
from tests.voting_support import seal_for_tests

BORN = date(1978, 7, 14)


def with_birth_date(voter_id: str = VOTER) -> None:
    Voter(voter_id).update(actions=[Voter.birth_date_check.set(birth_date_check(BORN, voter_code_pepper()))])


def reissue(portal, birth_date="14/07/1978"):
    return portal.authed("post", "/api/me/voter-code/reissue", {"birth_date": birth_date})


def enter(portal, code):
    return portal.authed("post", "/api/me/voter-code", {"code": code})


def test_a_new_code_is_shown_once_the_old_one_dies_and_votes_cast_stay_cast(booth, caplog):  # noqa: F811
    with_birth_date()
    assert cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 1)).status_code == 201
    booth.run_worker()
    booth.new_mail()
    booth.clock.now = NOW + timedelta(minutes=20)
    with caplog.at_level(logging.DEBUG):
        response = reissue(booth, "1978-07-14")  # as a date field sends it
    assert response.status_code == 201, response.body
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    code = body["code"]
    assert len(code) == 14 and code[4] == code[9] == "-" and normalised(code) is not None
    assert all(ch in ALPHABET for ch in code.replace("-", ""))  # no accent, no symbol, no look-alike
    assert body["issued_at"] == "2026-11-29T10:20:00+01:00"
    assert code not in caplog.text and code.replace("-", "") not in caplog.text and "1978" not in caplog.text

    assert error_of(enter(booth, CODE))["code"] == "invalid_voter_code"  # the old code: dead
    assert enter(booth, code).status_code == 204
    # The vote cast before stays cast; the other scrutin can be voted with the new code.
    again = cast(booth, "CSA-MEN", booth.election.ballot("CSA-MEN", 0))
    assert again.status_code == 409 and error_of(again)["code"] == "already_voted"
    assert cast(booth, "CSA-ACA", booth.election.ballot("CSA-ACA", 1)).status_code == 201

    [audit] = voter_codes.reissues_of(VOTER, 2)
    assert (audit.generation, audit.path, audit.by, audit.issued_at) == (2, "self-service", VOTER, booth.clock.now)
    assert audit.ballot_ids == {"CSA-MEN", "CSA-ACA"}
    assert voter_codes.reissue_counts(["CSA-MEN", "CSA-ACA"]) == {"CSA-MEN": 1, "CSA-ACA": 1}

    booth.run_worker()
    mail = booth.new_mail()
    [notice] = [
        m for m in mail if m.subject == "Élections professionnelles : un nouveau code électeur vous a été attribué"
    ]
    text = notice.text
    assert "L'ancien code ne fonctionne plus" in text and code not in text and code.replace("-", "") not in text


def test_a_wrong_birth_date_changes_nothing_and_few_tries_are_allowed(booth):  # noqa: F811
    with_birth_date()
    for typed in ("15/07/1978", "pas une date", ""):
        response = reissue(booth, typed)
        assert response.status_code == 400 and error_of(response) == {
            "code": "wrong_birth_date",
            "field": "birth_date",
            "message": error_of(response)["message"],
        }
    assert "JJ/MM/AAAA" in error_of(response)["message"]
    refused = reissue(booth)  # the right date, but this client must wait now
    assert refused.status_code == 429 and error_of(refused)["code"] == "too_many_attempts"
    assert voter_codes.code_of(VOTER).generation == 1 and enter(booth, CODE).status_code == 204


def test_three_re_issues_a_day_then_the_voter_is_asked_to_wait(booth):  # noqa: F811
    with_birth_date()
    codes = [json.loads(reissue(booth).body)["code"] for _ in range(3)]
    assert len(set(codes)) == 3 and voter_codes.code_of(VOTER).generation == 4
    refused = reissue(booth)
    assert refused.status_code == 429 and error_of(refused)["code"] == "too_many_requests"
    assert enter(booth, codes[-1]).status_code == 204  # the last one given is the voter's
    assert [e.generation for e in voter_codes.reissues_of(VOTER, 4)] == [2, 3, 4]


def test_without_a_birth_date_on_the_roll_the_page_says_whom_to_contact(booth):  # noqa: F811
    response = reissue(booth)
    assert response.status_code == 403 and error_of(response)["code"] == "reissue_unavailable"
    assert "Contactez l'assistance" in error_of(response)["message"]
    assert voter_codes.code_of(VOTER).generation == 1


@pytest.mark.parametrize("when", ["before the seal", "after the close and the grace"])
def test_a_code_is_re_issued_only_while_the_vote_is_open(portal, when):
    if when != "before the seal":
        portal.election = seal_for_tests(["CSA-MEN", "CSA-ACA"], now=NOW)
    portal.register_and_activate()
    with_birth_date()
    if when != "before the seal":
        portal.clock.now = NOW + timedelta(days=7, hours=7, minutes=31)  # 6 December, 17:31 in Paris
    assert portal.sign_in().status_code == 200
    response = reissue(portal)
    assert response.status_code == 403 and error_of(response)["code"] == "reissue_closed", response.body
    assert voter_codes.code_of(VOTER) is None


def test_it_needs_a_session(portal):
    response = portal.client.http.post(
        "/api/me/voter-code/reissue",
        body=json.dumps({"birth_date": "14/07/1978"}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_the_re_issue_and_its_email_stay_within_the_functions_policies(booth):  # noqa: F811
    from tests.infra.iam import unauthorised
    from tests.infra.test_aws_stack import recorded_calls

    with_birth_date()
    api, worker = [], []
    with recorded_calls(api):
        assert reissue(booth).status_code == 201
    with recorded_calls(worker):
        booth.run_worker()
    assert any(op == "TransactWriteItems" for _, op, _ in api)
    assert unauthorised(api, "api_handler") == set()
    assert unauthorised(worker, "send_requested_email") == set()


def test_the_help_desk_hands_over_a_new_notice_and_the_terminal_never_shows_the_code(booth, tmp_path, monkeypatch):  # noqa: F811
    import io
    import os

    from chalicelib.admin import cli
    from chalicelib.admin import voter_codes as command

    monkeypatch.setattr(command, "utc_now", lambda: booth.clock.now)
    from tests.pdf_check import read_pdf

    config = tmp_path / "config.json"
    from tests.conftest import TEST_ENVIRONMENT

    config.write_text(json.dumps({"version": "2.0", "stages": {"test": {"environment_variables": TEST_ENVIRONMENT}}}))
    out = io.StringIO()
    argv = ["--stage", "test", "voter-codes", "reissue", "Camille.Nom1@ac-poitiers.fr", "--output", str(tmp_path)]
    status = cli.main([*argv, "--operator", "Mme Durand (assistance)"], out=out, config_path=config)
    text = out.getvalue()
    assert status == 0 and "Nouveau code électeur émis pour Camille Nom1 (P00000001)" in text, text
    path = tmp_path / "reissue-P00000001-2.pdf"
    assert f"Notice à remettre en main propre, contre signature : {path}" in text
    assert os.stat(path).st_mode & 0o777 == 0o600
    pdf = read_pdf(path.read_bytes())
    [code_run] = [run for run in pdf.pages[0] if run.size == 30]  # the code, as on every notice
    printed = code_run.text
    assert len(printed) == 14 and "Remise par l'assistance" in pdf.page_text(0)
    assert printed not in text and printed.replace("-", "") not in text
    assert error_of(enter(booth, CODE))["code"] == "invalid_voter_code" and enter(booth, printed).status_code == 204
    [audit] = voter_codes.reissues_of(VOTER, 2)
    assert (audit.path, audit.by) == ("help-desk", "Mme Durand (assistance)")
    # A folder that cannot take the notice: no code is issued, the one handed over still works.
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    out = io.StringIO()
    status = cli.main(["--stage", "test", "voter-codes", "reissue", "P00000001", "--output", str(blocked / "x"),
                       "--operator", "x"], out=out, config_path=config)  # fmt: skip
    assert status == 1 and "Aucun nouveau code n'a été émis" in out.getvalue(), out.getvalue()
    assert voter_codes.code_of(VOTER).generation == 2
    # An unknown voter: nothing is done.
    out = io.StringIO()
    status = cli.main(["--stage", "test", "voter-codes", "reissue", "P99999999", "--output", str(tmp_path),
                       "--operator", "x"], out=out, config_path=config)  # fmt: skip
    assert status == 1 and "Aucun électeur inscrit sous « P99999999 »" in out.getvalue()
