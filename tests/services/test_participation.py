"""Participation during the vote: émargements against the voters registered on the sealed
lists, per scrutin, for the bureau; never a request to the ballot box."""

from __future__ import annotations

import io
import json
import os

import pytest

from chalicelib.admin import cli
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.bureaus import BureauError
from chalicelib.services.participation import participation
from chalicelib.services.voter_import import import_voters
from chalicelib.store import sign_in
from chalicelib.store.bureaus import DEFINITION, BureauItem
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters
from tests.voting_support import seal_for_tests


@pytest.fixture
def sealed(aws, tmp_path):
    """Two scrutins sealed: CSA-MEN with voters 1-6, CSA-ACA with voters 1-5 (the helper's roll)."""
    import_ballots(
        write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA", label="<b>CSA</b> académique")]),
        now=NOW,
    )
    rows = [voter(i) for i in range(1, 6)] + [voter(6, ballots="CSA-MEN")]
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)
    return seal_for_tests(["CSA-MEN", "CSA-ACA"], now=NOW)


def vote(ballot_id: str, *voter_numbers: int) -> None:
    for n in voter_numbers:
        sign_in.record_vote(ballot_id, f"P{n:08d}", NOW, together_with=[])  # the émargement alone


def test_it_counts_the_emargements_against_the_sealed_lists(sealed):
    vote("CSA-MEN", 1, 2, 6)
    vote("CSA-ACA", 2)
    report = participation(sealed.election_id, now=NOW)
    assert [(t.ballot_id, t.registered, t.signed_in) for t in report.scrutins] == [
        ("CSA-MEN", 6, 3),
        ("CSA-ACA", 5, 1),
    ]
    assert report.scrutins[0].rate == 0.5 and (report.registered, report.signed_in) == (11, 4)


def test_it_never_sends_a_request_to_the_ballot_box(sealed, monkeypatch):
    from pynamodb.connection.base import Connection

    tables, real = [], Connection._make_api_call

    def spy(self, operation_name, operation_kwargs, *args, **kwargs):
        tables.append(operation_kwargs.get("TableName") or ",".join(operation_kwargs.get("RequestItems", {})))
        return real(self, operation_name, operation_kwargs, *args, **kwargs)

    vote("CSA-MEN", 1)
    monkeypatch.setattr(Connection, "_make_api_call", spy)
    participation(sealed.election_id, now=NOW)
    assert tables and os.environ["BALLOT_BOX_TABLE"] not in tables
    assert tables.count(os.environ["SIGN_IN_TABLE"]) == 2 * 64  # a COUNT Query per shard and scrutin


def test_a_bureau_not_yet_sealed_has_no_participation(sealed):
    BureauItem(sealed.election_id, DEFINITION).update(actions=[BureauItem.state.set("ceremony")])
    with pytest.raises(BureauError) as refused:
        participation(sealed.election_id, now=NOW)
    assert refused.value.code == "not_sealed"
    with pytest.raises(BureauError) as refused:
        participation("no-such-bureau", now=NOW)
    assert refused.value.code == "bureau_not_found"


def test_the_cli_prints_it_writes_json_and_a_self_contained_page(sealed, tmp_path, test_stage_config):
    from chalicelib.store import voter_codes

    vote("CSA-MEN", 1, 2, 3)
    for n in (1, 2):  # two lost codes re-issued, to voters of both scrutins
        voter_codes.reissue(
            f"P{n:08d}", "0" * 64, replaces=0, now=NOW, path="help-desk", by="x", ballot_ids=["CSA-MEN", "CSA-ACA"]
        )
    page = tmp_path / "participation.html"
    out = io.StringIO()
    argv = ["--stage", "test", "bureau", "participation", sealed.election_id, "--html", str(page)]
    assert cli.main(argv, out=out, config_path=test_stage_config) == 0
    text = out.getvalue()
    assert "CSA-MEN" in text and "3 votants sur          6 inscrits   50,0 %       2 codes réémis" in text
    assert "le contenu de l'urne n'est lu qu'au dépouillement" in text
    html = page.read_text(encoding="utf-8")
    assert "&lt;b&gt;CSA&lt;/b&gt; académique" in html and "<b>CSA</b>" not in html
    assert "<script" not in html and "http" not in html.replace('http-equiv="refresh"', "")
    assert 'http-equiv="refresh"' not in html  # only while it is followed
    out = io.StringIO()
    assert cli.main([*argv[:5], "--json"], out=out, config_path=test_stage_config) == 0
    answer = json.loads(out.getvalue())
    assert answer["scrutins"][0] == {
        "id": "CSA-MEN",
        "label": "Scrutin CSA-MEN",
        "registered": 6,
        "signed_in": 3,
        "codes_reissued": 2,
    }
    assert "<th class=num>Codes réémis</th>" in html


def test_the_cli_refuses_a_bureau_not_sealed_in_french(sealed, test_stage_config):
    BureauItem(sealed.election_id, DEFINITION).update(actions=[BureauItem.state.set("keys_ready")])
    out = io.StringIO()
    argv = ["--stage", "test", "bureau", "participation", sealed.election_id]
    assert cli.main(argv, out=out, config_path=test_stage_config) == 1
    assert "n'est pas scellé" in out.getvalue() and "Rien n'a été modifié" in out.getvalue()


def test_following_refreshes_until_ctrl_c_and_the_page_reloads_itself(sealed, tmp_path, test_stage_config, monkeypatch):
    from chalicelib.admin import participation as command

    naps = []

    def nap(seconds):
        naps.append(seconds)
        vote("CSA-MEN", len(naps))  # someone votes between two readings
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", nap)
    page, out = tmp_path / "p.html", io.StringIO()
    argv = ["--stage", "test", "bureau", "participation", sealed.election_id, "--follow", "--html", str(page), "--json"]
    assert cli.main(argv, out=out, config_path=test_stage_config) == 0
    readings = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["scrutins"][0]["signed_in"] for r in readings] == [0, 1] and naps == [30, 30]
    assert '<meta http-equiv="refresh" content="30">' in page.read_text(encoding="utf-8")
