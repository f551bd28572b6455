from datetime import timedelta

import pytest

from chalicelib.services.ballot_import import BallotFileError, import_ballots
from chalicelib.store.ballots import BallotItem
from tests.conftest import NOW
from tests.services.helpers import ballot, write_ballots


def stored():
    return {b.ballot_id: b for b in BallotItem.scan()}


def test_import_creates_ballots_with_their_candidate_lists(aws, tmp_path):
    report = import_ballots(
        write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA", level="academique")]), now=NOW
    )
    assert sorted(report.created) == ["CSA-ACA", "CSA-MEN"]
    item = stored()["CSA-MEN"]
    assert item.candidate_lists[0].acronym == "FSU"
    assert item.to_domain().voting_opens_at.isoformat() == "2026-11-29T09:00:00+00:00"


def test_reimporting_the_same_file_changes_nothing(aws, tmp_path):
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN")])
    import_ballots(path, now=NOW)
    before = stored()["CSA-MEN"].updated_at
    report = import_ballots(path, now=NOW + timedelta(hours=1))
    assert report.unchanged == ["CSA-MEN"] and not report.created and not report.updated
    assert stored()["CSA-MEN"].updated_at == before


def test_a_changed_ballot_is_updated_and_keeps_its_creation_date(aws, tmp_path):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN")]), now=NOW)
    later = NOW + timedelta(days=1)
    report = import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN", label="Nouveau libellé")]), now=later)
    assert report.updated == ["CSA-MEN"]
    item = stored()["CSA-MEN"]
    assert (item.label, item.created_at, item.updated_at) == ("Nouveau libellé", NOW, later)


def test_one_bad_ballot_and_nothing_is_written(aws, tmp_path):
    path = write_ballots(
        tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-BAD", voting_closes_at="2020-01-01T00:00:00+01:00")]
    )
    with pytest.raises(BallotFileError) as caught:
        import_ballots(path, now=NOW)
    assert any("CSA-BAD" in p and "voting_closes_at" in p for p in caught.value.problems)
    assert stored() == {}


def test_duplicate_ids_and_non_list_files_are_refused(aws, tmp_path):
    with pytest.raises(BallotFileError, match="en double"):
        import_ballots(write_ballots(tmp_path / "b.json", [ballot("A"), ballot("A")]), now=NOW)
    (tmp_path / "o.json").write_text('{"id": "A"}')
    with pytest.raises(BallotFileError, match="liste JSON"):
        import_ballots(tmp_path / "o.json", now=NOW)
    (tmp_path / "x.json").write_text("[{")
    with pytest.raises(BallotFileError, match="JSON UTF-8 valide"):
        import_ballots(tmp_path / "x.json", now=NOW)
    assert stored() == {}


def test_dry_run_writes_nothing(aws, tmp_path):
    report = import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN")]), now=NOW, dry_run=True)
    assert report.created == ["CSA-MEN"] and not report.written
    assert stored() == {}


def test_ballots_missing_from_the_file_are_reported_not_deleted(aws, tmp_path):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("A"), ballot("B")]), now=NOW)
    report = import_ballots(write_ballots(tmp_path / "b.json", [ballot("A")]), now=NOW)
    assert report.not_in_file == ["B"]
    assert set(stored()) == {"A", "B"}
