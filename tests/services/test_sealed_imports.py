"""A scrutin sealed by its polling bureau: neither import may change it nor its electoral list."""

from datetime import timedelta

import pytest

import chalicelib.services.ballot_import as ballot_import
import chalicelib.services.voter_import as voter_import
from chalicelib.services.ballot_import import BallotSealedDuringImport, SealedBallotChanged, import_ballots
from chalicelib.services.voter_import import SealedListsChanged
from chalicelib.store.ballots import BallotItem, BallotNotAsRead, save_ballots
from chalicelib.store.voters import Voter
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots
from tests.services.test_voter_import import entries, everything, run

SEALED_AT = NOW + timedelta(days=2)
LATER = NOW + timedelta(days=3)


def give_bureau(ballot_id, bureau_id="b-1"):
    BallotItem(ballot_id).update(actions=[BallotItem.bureau_id.set(bureau_id)])


def seal(ballot_id, bureau_id="b-1"):
    BallotItem(ballot_id).update(actions=[BallotItem.bureau_id.set(bureau_id), BallotItem.sealed_at.set(SEALED_AT)])


def ballots_as_stored():
    return {b.ballot_id: b.serialize() for b in BallotItem.scan()}


@pytest.fixture
def three_ballots(aws, tmp_path):
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA"), ballot("CAPN-PE")])
    import_ballots(path, now=NOW)
    return path


# import-ballots


def test_a_changed_sealed_ballot_refuses_the_whole_file_before_writing(three_ballots, tmp_path):
    seal("CSA-ACA")
    before = ballots_as_stored()
    path = write_ballots(
        tmp_path / "b.json",
        [ballot("CSA-MEN", label="Autre"), ballot("CSA-ACA", label="Corrigé"), ballot("CAPN-PE"), ballot("NEW")],
    )
    for dry_run in (False, True):
        with pytest.raises(SealedBallotChanged) as caught:
            import_ballots(path, now=LATER, dry_run=dry_run)
        assert caught.value.code == "ballot_sealed"
        [problem] = caught.value.problems
        assert problem.startswith("scrutin CSA-ACA : scellé par le bureau de vote le 01/12/2026 à 10:00, ")
        assert "les champs label" in problem and "bureau de vote" in problem and "procès-verbal" in problem
    assert ballots_as_stored() == before  # CSA-MEN not updated, NEW not created


def test_an_unchanged_sealed_ballot_may_be_imported_again(three_ballots, tmp_path):
    seal("CSA-ACA")
    sealed = BallotItem.get("CSA-ACA").serialize()
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN", label="Autre"), ballot("CSA-ACA"), ballot("CAPN-PE")])
    report = import_ballots(path, now=LATER)
    assert (report.updated, sorted(report.unchanged), report.written) == (["CSA-MEN"], ["CAPN-PE", "CSA-ACA"], True)
    assert BallotItem.get("CSA-ACA").serialize() == sealed
    assert BallotItem.get("CSA-MEN").label == "Autre"


def test_a_reimport_keeps_the_bureau_and_the_creation_date(three_ballots, tmp_path):
    give_bureau("CSA-ACA")
    report = import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-ACA", label="Corrigé")]), now=LATER)
    assert report.updated == ["CSA-ACA"]
    item = BallotItem.get("CSA-ACA")
    assert (item.label, item.bureau_id, item.sealed_at, item.created_at, item.updated_at) == (
        "Corrigé",
        "b-1",
        None,
        NOW,
        LATER,
    )
    assert item.candidate_lists[0].acronym == "FSU"


def _reading_then(monkeypatch, happens):
    """The import reads the stored ballots, then `happens` (a bureau acts) before the writes."""
    original = ballot_import.all_ballots

    def read_then_act():
        items = original()
        happens()
        return items

    monkeypatch.setattr(ballot_import, "all_ballots", read_then_act)


def test_a_seal_between_the_read_and_the_write_stops_the_import(three_ballots, tmp_path, monkeypatch):
    give_bureau("CSA-ACA")
    _reading_then(monkeypatch, lambda: seal("CSA-ACA"))
    before = ballots_as_stored()
    # CSA-MEN comes first in the file, but CSA-ACA, in a bureau, is written first.
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN", label="Autre"), ballot("CSA-ACA", label="Corrigé")])
    with pytest.raises(BallotSealedDuringImport) as caught:
        import_ballots(path, now=LATER)
    assert (caught.value.code, caught.value.ballot_id, caught.value.written) == (
        "ballot_sealed_during_import",
        "CSA-ACA",
        [],
    )
    assert "Aucun scrutin n'a été écrit" in str(caught.value)
    after = ballots_as_stored()
    assert after["CSA-ACA"].pop("sealed_at")  # the seal, and nothing else
    assert after == before


def test_a_bureau_given_between_the_read_and_the_write_stops_the_import(three_ballots, tmp_path, monkeypatch):
    _reading_then(monkeypatch, lambda: give_bureau("CAPN-PE"))
    path = write_ballots(tmp_path / "b.json", [ballot("CSA-MEN", label="Autre"), ballot("CAPN-PE", label="Corrigé")])
    with pytest.raises(BallotSealedDuringImport) as caught:
        import_ballots(path, now=LATER)
    assert (caught.value.ballot_id, caught.value.written) == ("CAPN-PE", ["CSA-MEN"])
    assert BallotItem.get("CAPN-PE").label == "Scrutin CAPN-PE"
    assert BallotItem.get("CAPN-PE").bureau_id == "b-1"


def test_the_store_never_writes_over_a_seal(three_ballots):
    seal("CSA-ACA")
    before = ballots_as_stored()
    changed = BallotItem.get("CSA-ACA").to_domain()._replace(label="Corrigé")
    for bureau_id in (None, "b-1"):
        with pytest.raises(BallotNotAsRead) as caught:
            save_ballots([(changed, bureau_id)], now=LATER)
        assert (caught.value.ballot_id, caught.value.written) == ("CSA-ACA", [])
    assert ballots_as_stored() == before


# import-voters


@pytest.fixture
def listed(three_ballots, tmp_path):
    """Voters 1 and 2 on CSA-MEN and CSA-ACA; then CSA-ACA is sealed."""
    run(tmp_path, [voter(1), voter(2)])
    seal("CSA-ACA")
    return everything()


SEALED_LIST_CHANGES = [
    ("voter added", [voter(1), voter(2), voter(3)], {}, {"CSA-ACA": 1}),
    ("voter moved off", [voter(1), voter(2, ballots="CSA-MEN")], {}, {"CSA-ACA": 1}),
    ("voter renamed", [voter(1, last_name="Autre"), voter(2)], {}, {"CSA-ACA": 1}),
    ("workplace changed", [voter(1, workplace="Collège Marie Curie, Royan"), voter(2)], {}, {"CSA-ACA": 1}),
    ("voter pruned", [voter(1)], {"prune": True}, {}),
    ("skip-invalid", [voter(1), voter(2), voter(3), voter(4, email="faux@")], {"skip_invalid": True}, {"CSA-ACA": 1}),
    ("dry run", [voter(1), voter(2), voter(3)], {"dry_run": True}, {"CSA-ACA": 1}),
]


@pytest.mark.parametrize("name,rows,options,by_ballot", SEALED_LIST_CHANGES, ids=[c[0] for c in SEALED_LIST_CHANGES])
def test_a_change_of_a_sealed_list_refuses_the_whole_file(listed, tmp_path, name, rows, options, by_ballot):
    # Each file also changes CAPN-PE's list (not sealed): refused with the rest.
    rows = [*rows, voter(5, ballots="CAPN-PE")]
    with pytest.raises(SealedListsChanged) as caught:
        run(tmp_path, rows, now=LATER, **options)
    error = caught.value
    assert error.code == "electoral_list_sealed"
    assert error.rows_by_ballot == by_ballot
    assert error.pruned_by_ballot == ({"CSA-ACA": 1} if options.get("prune") else {})
    assert "CSA-ACA (1 " in str(error) and "CAPN-PE" not in str(error)
    assert "1 électeur concerné en tout" in str(error)
    assert everything() == listed


def test_the_refusal_counts_every_row_and_names_a_few(listed, tmp_path):
    seal("CSA-MEN", bureau_id="b-2")
    rows = [voter(n, last_name=f"Autre{n}") for n in (1, 2)] + [voter(n) for n in range(3, 10)]
    with pytest.raises(SealedListsChanged) as caught:
        run(tmp_path, rows, now=LATER)
    assert caught.value.rows_by_ballot == {"CSA-MEN": 9, "CSA-ACA": 9}
    message = str(caught.value)
    assert "CSA-ACA (9 lignes), CSA-MEN (9 lignes) ; 9 électeurs concernés en tout, par exemple P" in message
    assert everything() == listed


def test_what_the_list_does_not_show_may_change_on_a_sealed_ballot(listed, tmp_path):
    report = run(
        tmp_path,
        [voter(1, email="c.autre@ac-poitiers.fr", department="Charente", code_delivery="Remis au lycée"), voter(2)],
        now=LATER,
    )
    assert (report.updated, report.address_changes, report.written, report.sealed_during_import) == (1, 1, True, [])
    assert Voter.get("P00000001").email == "c.autre@ac-poitiers.fr"
    assert everything()[1] == listed[1]  # not one list entry written


def test_changes_on_lists_not_sealed_are_imported(listed, tmp_path):
    # Voter 1 joins CAPN-PE (its CSA-ACA entry stays as it is); voter 3 is on CSA-MEN and CAPN-PE only.
    report = run(tmp_path, [voter(1, ballots="CSA-MEN|CSA-ACA|CAPN-PE"), voter(2), voter(3, ballots="CSA-MEN|CAPN-PE")])
    assert (report.created, report.updated, report.written) == (1, 1, True)
    assert [k for k, _, _ in entries("CAPN-PE")] == ["NOM1#CAMILLE#P00000001", "NOM3#CAMILLE#P00000003"]
    assert len(entries("CSA-MEN")) == 3
    assert [e for e in everything()[1] if e[0] == "CSA-ACA"] == [e for e in listed[1] if e[0] == "CSA-ACA"]


def test_missing_voters_are_not_taken_off_a_sealed_list_without_prune(listed, tmp_path):
    report = run(tmp_path, [voter(1)], now=LATER)
    assert (report.missing, report.written) == (1, True)
    assert everything() == listed


def test_a_seal_landing_while_the_lists_are_written_is_reported(three_ballots, tmp_path, monkeypatch):
    original = voter_import._write_chunk

    def sealed_meanwhile(chunk, now):
        written = original(chunk, now)
        seal("CSA-ACA")
        return written

    monkeypatch.setattr(voter_import, "_write_chunk", sealed_meanwhile)
    report = run(tmp_path, [voter(1), voter(2, ballots="CAPN-PE")], workers=1)
    assert report.written and report.sealed_during_import == ["CSA-ACA"]
