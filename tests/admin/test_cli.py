"""The admin CLI end to end on moto: arguments, output, exit status."""

import csv
import io
import json

import pytest

from chalicelib.admin import cli
from chalicelib.admin.demo import PERSONAS, demo_ballots, write_demo_files
from chalicelib.domain.ballots import parse_ballot
from chalicelib.domain.phases import Phase, phase_at
from chalicelib.store.ballots import BallotItem
from chalicelib.store.voters import Voter
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters


@pytest.fixture
def admin(aws, test_stage_config, monkeypatch):
    monkeypatch.setattr(cli, "utc_now", lambda: NOW)

    def run(*argv):
        out = io.StringIO()
        status = cli.main(["--stage", "test", *argv], out=out, config_path=test_stage_config)
        return status, out.getvalue()

    return run


def test_import_ballots_then_voters(admin, tmp_path):
    status, output = admin(
        "import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]))
    )
    assert status == 0 and "2 créés" in output
    status, output = admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1), voter(2)])))
    assert status == 0
    assert "électeurs créés      2" in output and "lignes rejetées      0" in output and "éléments/s" in output


def test_rejected_rows_give_line_numbers_and_a_non_zero_status(admin, tmp_path):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")])))
    status, output = admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1), voter(2, email="x@")])))
    assert status == 1
    assert "ligne 3 : invalid_email" in output and "rien n'a été écrit" in output
    assert list(Voter.scan()) == []


def _seal(ballot_id):
    BallotItem(ballot_id).update(actions=[BallotItem.bureau_id.set("b-1"), BallotItem.sealed_at.set(NOW)])


def test_a_sealed_ballot_changed_by_a_file_is_refused_with_a_non_zero_status(admin, tmp_path):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")])))
    _seal("CSA-ACA")
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN", label="Autre"), ballot("CSA-ACA", label="Autre")])
    status, output = admin("import-ballots", str(path))
    assert status == 1
    assert output.startswith(
        "Fichier de scrutins refusé (ballot_sealed) ; rien n'a été écrit :\n  - scrutin CSA-ACA : scellé"
    )
    assert "voyez avec le bureau de vote" in output


def test_a_voter_file_changing_a_sealed_list_is_refused_with_a_non_zero_status(admin, tmp_path):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")])))
    admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1)])))
    _seal("CSA-ACA")
    status, output = admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1), voter(2)])))
    assert status == 1
    assert output.startswith("Import refusé (electoral_list_sealed) : ce fichier modifierait la liste électorale")
    assert "CSA-ACA (1 ligne)" in output and output.rstrip().endswith("Rien n'a été écrit.")
    assert [v.voter_id for v in Voter.scan()] == ["P00000001"]


def test_a_seal_landing_while_the_lists_are_written_is_told_with_a_non_zero_status(admin, tmp_path, monkeypatch):
    import chalicelib.services.voter_import as voter_import

    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")])))
    original = voter_import._write_chunk

    def sealed_meanwhile(chunk, now):
        written = original(chunk, now)
        _seal("CSA-ACA")
        return written

    monkeypatch.setattr(voter_import, "_write_chunk", sealed_meanwhile)
    status, output = admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1)])))
    assert status == 1
    assert "Attention (electoral_list_sealed_during_import) : le bureau de vote a scellé CSA-ACA pendant" in output


def test_an_unknown_stage_is_a_usage_error(test_stage_config):
    assert cli.main(["--stage", "nowhere", "stats"], out=io.StringIO(), config_path=test_stage_config) == 2


def test_voter_show_and_stats(admin, tmp_path):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")])))
    admin("import-voters", str(write_voters(tmp_path / "v.csv", [voter(1)])))
    status, output = admin("voter", "show", "camille.nom1@ac-poitiers.fr")
    assert status == 0 and "P00000001" in output and "non créé" in output and "CSA-MEN" in output
    assert admin("voter", "show", "personne@ac-poitiers.fr")[0] == 1
    status, output = admin("stats")
    assert status == 0 and "CSA-MEN" in output and "Total : 1 électeurs inscrits" in output


def test_demo_imports_an_election_with_a_ballot_in_each_phase(admin):
    status, output = admin("demo", "--voters", "300")
    assert status == 0, output
    phases = {phase_at(parse_ballot(b), NOW) for b in demo_ballots(NOW)}
    assert phases == set(Phase)
    voters = list(Voter.scan())
    assert len(voters) == 300
    counts = {len(v.ballot_ids) for v in voters}
    assert 1 in counts and max(counts) >= 4
    assert {"Envoi postal au domicile"} < {v.code_delivery for v in voters}
    # Running it again changes nothing.
    status, output = admin("demo", "--voters", "300")
    assert "électeurs inchangés  300" in output


def test_demo_files_are_deterministic_and_valid(tmp_path):
    small = write_demo_files(tmp_path / "a", voters=50, now=NOW)[1].read_text().splitlines()
    large = write_demo_files(tmp_path / "b", voters=80, now=NOW)[1].read_text().splitlines()
    assert large[: len(small)] == small
    rows = list(csv.DictReader(io.StringIO("\n".join(large)), delimiter=";"))
    assert len({r["email"] for r in rows}) == 80
    assert [r["first_name"] for r in rows[: len(PERSONAS)]] == [p[0] for p in PERSONAS]
    ballots = json.loads((tmp_path / "b" / "ballots.json").read_text())
    assert all(parse_ballot(b) for b in ballots)


def test_aws_not_answering_gives_a_sentence_and_exit_status_3(admin, monkeypatch):
    from chalicelib.domain.errors import ServiceBusy
    from chalicelib.services import helpdesk

    def busy(*args, **kwargs):
        raise ServiceBusy()

    monkeypatch.setattr(helpdesk, "voter_file", busy)
    status, output = admin("voter", "show", "P00000001")
    assert status == 3 and "AWS ne répond pas pour l'étape « test »" in output and "Traceback" not in output
