from datetime import timedelta

import pytest

from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_import import ImportAborted, import_voters
from chalicelib.store.accounts import ACTIVE, Account
from chalicelib.store.electoral_list import ElectoralListEntry
from chalicelib.store.voters import Voter, find_listed_voter
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

LATER = NOW + timedelta(days=1)


@pytest.fixture
def ballots(aws, tmp_path):
    import_ballots(
        write_ballots(tmp_path / "ballots.json", [ballot("CSA-MEN"), ballot("CSA-ACA"), ballot("CAPN-PE")]), now=NOW
    )


def entries(ballot_id):
    return [(e.sort_key, e.last_name, e.workplace) for e in ElectoralListEntry.query(ballot_id)]


def everything():
    """A snapshot of both tables the import writes."""
    voters = sorted((v.voter_id, v.attribute_values.__repr__()) for v in Voter.scan())
    lists = sorted((e.ballot_id, e.sort_key, repr(e.attribute_values)) for e in ElectoralListEntry.scan())
    return voters, lists


def run(tmp_path, rows, **options):
    return import_voters(write_voters(tmp_path / "voters.csv", rows), now=options.pop("now", NOW), **options)


def test_import_creates_voters_and_their_list_entries(ballots, tmp_path):
    report = run(tmp_path, [voter(1), voter(2, ballots="CSA-MEN")])
    assert (report.rows_read, report.created, report.updated, report.unchanged, report.rejected) == (2, 2, 0, 0, 0)
    assert report.items_written == 2 + 3 + 2  # in flight on the new voters, 3 entries, the voters
    v1 = Voter.get("P00000001")
    assert v1.ballot_ids == {"CSA-MEN", "CSA-ACA"} and v1.email == "camille.nom1@ac-poitiers.fr"
    assert [k for k, _, _ in entries("CSA-MEN")] == ["NOM1#CAMILLE#P00000001", "NOM2#CAMILLE#P00000002"]
    assert len(entries("CSA-ACA")) == 1
    assert find_listed_voter("camille.nom2@ac-poitiers.fr").voter_id == "P00000002"


def test_bom_and_comma_delimiter_are_accepted(ballots, tmp_path):
    path = write_voters(tmp_path / "v.csv", [voter(1)], delimiter=",", bom=True)
    report = import_voters(path, now=NOW)
    assert report.created == 1 and report.rejected == 0


def test_emails_are_compared_case_insensitively(ballots, tmp_path):
    report = run(tmp_path, [voter(1, email="Camille.X@AC-Poitiers.fr"), voter(2, email="camille.x@ac-poitiers.fr")])
    assert report.rejected == 2
    assert {p.code for _, p in report.problems} == {"duplicate_email"}


def test_reimporting_the_same_file_changes_nothing(ballots, tmp_path):
    rows = [voter(n) for n in range(1, 6)]
    run(tmp_path, rows)
    before = everything()
    report = run(tmp_path, rows, now=LATER)
    assert (report.created, report.updated, report.unchanged, report.items_written) == (0, 0, 5, 0)
    assert everything() == before


def test_an_updated_row_updates_data_and_memberships_and_never_the_account(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    Account(
        voter_id="P00000002", status=ACTIVE, password_hash="$argon2id$kept", created_at=NOW, activated_at=NOW
    ).save()
    account_before = Account.get("P00000002").attribute_values

    # Voter 1 (no espace) changes address; voter 2 keeps theirs and their espace is untouched.
    # An address change of a voter with an espace suspends it: tests/services/test_address_changes.py.
    report = run(
        tmp_path,
        [
            voter(1, last_name="Lefèvre", email="c.lefevre@ac-poitiers.fr", ballots="CSA-MEN|CAPN-PE"),
            voter(2, last_name="Autre", ballots="CSA-MEN"),
        ],
        now=LATER,
    )
    assert (report.updated, report.unchanged, report.address_changes) == (2, 0, 1)
    v1 = Voter.get("P00000001")
    assert (v1.last_name, v1.email, v1.ballot_ids) == ("Lefèvre", "c.lefevre@ac-poitiers.fr", {"CSA-MEN", "CAPN-PE"})
    assert (v1.imported_at, v1.updated_at) == (NOW, LATER)
    assert entries("CSA-MEN") == [
        ("AUTRE#CAMILLE#P00000002", "Autre", "Lycée Jean Macé, Niort"),
        ("LEFEVRE#CAMILLE#P00000001", "Lefèvre", "Lycée Jean Macé, Niort"),
    ]
    assert entries("CAPN-PE") == [("LEFEVRE#CAMILLE#P00000001", "Lefèvre", "Lycée Jean Macé, Niort")]
    assert entries("CSA-ACA") == []
    assert Account.get("P00000002").attribute_values == account_before
    assert find_listed_voter("camille.nom1@ac-poitiers.fr") is None
    assert find_listed_voter("c.lefevre@ac-poitiers.fr").voter_id == "P00000001"


def test_a_changed_workplace_rewrites_the_entries_in_place(ballots, tmp_path):
    run(tmp_path, [voter(1)])
    run(tmp_path, [voter(1, workplace="Collège Marie Curie, Royan")])
    assert entries("CSA-MEN") == [("NOM1#CAMILLE#P00000001", "Nom1", "Collège Marie Curie, Royan")]


BAD_ROWS = [
    ("invalid_email", [voter(1), voter(2, email="pas-une-adresse")], {3}),
    ("unknown_ballot", [voter(1), voter(2, ballots="CSA-MEN|CSA-INCONNU")], {3}),
    ("missing_field", [voter(1), voter(2, workplace="")], {3}),
    ("duplicate_email", [voter(1), voter(2, email="camille.nom1@ac-poitiers.fr")], {2, 3}),
    ("duplicate_voter_id", [voter(1), voter(1, email="autre@ac-poitiers.fr")], {2, 3}),
]


@pytest.mark.parametrize("code,rows,lines", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(ballots, tmp_path, code, rows, lines):
    report = run(tmp_path, rows)
    assert {line for line, p in report.problems if p.code == code} == lines
    assert report.rejected == len(lines) and not report.written
    assert everything() == ([], [])


def test_a_bad_file_leaves_existing_data_untouched(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    before = everything()
    report = run(tmp_path, [voter(1, last_name="Changé"), voter(2, email="faux@")])
    assert report.rejected == 1 and not report.written
    assert everything() == before


def test_a_row_with_too_many_columns_is_rejected(ballots, tmp_path):
    path = write_voters(tmp_path / "v.csv", [voter(1)])
    path.write_text(path.read_text() + "P00000002;A;B;b@ac-poitiers.fr;X;Y;Z;W;CSA-MEN;en trop\n")
    report = import_voters(path, now=NOW)
    assert [(line, p.code) for line, p in report.problems] == [(3, "wrong_column_count")]


def test_skip_invalid_imports_the_valid_rows(ballots, tmp_path):
    report = run(tmp_path, [voter(1), voter(2, email="faux@")], skip_invalid=True)
    assert (report.created, report.rejected, report.written) == (1, 1, True)
    assert [v.voter_id for v in Voter.scan()] == ["P00000001"]


def test_dry_run_validates_counts_and_writes_nothing(ballots, tmp_path):
    run(tmp_path, [voter(1)])
    before = everything()
    report = run(tmp_path, [voter(1, last_name="Autre"), voter(2)], dry_run=True)
    assert (report.created, report.updated, report.written, report.items_written) == (1, 1, False, 0)
    assert everything() == before


def test_an_address_kept_by_another_stored_voter_is_rejected(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    # Voter 2 leaves the file (not pruned): they keep their address, so 3 cannot take it.
    report = run(tmp_path, [voter(1), voter(3, email="camille.nom2@ac-poitiers.fr")])
    assert [(p.code, line) for line, p in report.problems] == [("email_taken", 3)]
    # With --prune voter 2 leaves the lists and the email index: 3 may take the address.
    report = run(tmp_path, [voter(1), voter(3, email="camille.nom2@ac-poitiers.fr")], prune=True)
    assert report.rejected == 0 and report.pruned == 1
    assert find_listed_voter("camille.nom2@ac-poitiers.fr").voter_id == "P00000003"


def test_addresses_may_be_swapped_between_two_voters(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    report = run(
        tmp_path, [voter(1, email="camille.nom2@ac-poitiers.fr"), voter(2, email="camille.nom1@ac-poitiers.fr")]
    )
    assert report.rejected == 0 and report.updated == 2


def test_voters_missing_from_the_file_are_reported_not_deleted(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2), voter(3)])
    report = run(tmp_path, [voter(1)])
    assert report.missing == 2 and report.missing_sample == ["P00000002", "P00000003"]
    assert report.pruned == 0
    assert len(entries("CSA-MEN")) == 3
    assert Voter.get("P00000002").is_listed


def test_prune_takes_missing_voters_off_the_lists_and_keeps_their_account(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2), voter(3)])
    Account(voter_id="P00000002", status=ACTIVE, created_at=NOW).save()
    account_before = Account.get("P00000002").attribute_values
    report = run(tmp_path, [voter(1)], prune=True, now=LATER)
    assert (report.missing, report.pruned, report.pruned_with_account, report.pruned_with_active_account) == (
        2,
        2,
        1,
        1,
    )
    assert [k for k, _, _ in entries("CSA-MEN")] == ["NOM1#CAMILLE#P00000001"]
    gone = Voter.get("P00000002")
    assert (gone.email, gone.ballot_ids, gone.removed_email, gone.removed_at) == (
        None,
        None,
        "camille.nom2@ac-poitiers.fr",
        LATER,
    )
    assert not gone.is_listed and find_listed_voter("camille.nom2@ac-poitiers.fr") is None
    # Kept as it was, but signed out everywhere (tests/services/test_address_changes.py).
    assert Account.get("P00000002").attribute_values == {**account_before, "sessions_valid_after": LATER}
    # Pruning again finds nobody new to remove.
    assert run(tmp_path, [voter(1)], prune=True).pruned == 0


def test_a_pruned_voter_listed_again_is_restored(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    run(tmp_path, [voter(1)], prune=True)
    report = run(tmp_path, [voter(1), voter(2)])
    assert report.updated == 1
    assert Voter.get("P00000002").is_listed
    assert len(entries("CSA-MEN")) == 2


def test_prune_in_a_dry_run_only_counts(ballots, tmp_path):
    run(tmp_path, [voter(1), voter(2)])
    report = run(tmp_path, [voter(1)], prune=True, dry_run=True)
    assert report.pruned == 1 and report.items_written == 0
    assert Voter.get("P00000002").is_listed


def test_an_interrupted_import_completes_when_run_again(ballots, tmp_path, monkeypatch):
    import chalicelib.services.voter_import as voter_import

    rows = [voter(n) for n in range(1, 251)]
    calls = {"n": 0}
    original = voter_import._write_chunk

    def fail_on_second_chunk(chunk, now):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("connection lost")
        return original(chunk, now)

    monkeypatch.setattr(voter_import, "_write_chunk", fail_on_second_chunk)
    with pytest.raises(RuntimeError):
        run(tmp_path, rows, workers=1)
    monkeypatch.setattr(voter_import, "_write_chunk", original)
    report = run(tmp_path, rows)
    assert report.created + report.unchanged == 250 and report.created > 0
    assert len(entries("CSA-MEN")) == 250 and len(list(Voter.scan())) == 250
    assert run(tmp_path, rows).unchanged == 250


def test_unreadable_inputs_abort_before_writing(ballots, tmp_path):
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("voter_id;nom;email\nP1;X;x@y.fr\n")
    with pytest.raises(ImportAborted) as caught:
        import_voters(bad_header, now=NOW)
    assert caught.value.code == "bad_header" and "last_name" in str(caught.value)

    latin1 = tmp_path / "l.csv"
    write_voters(latin1, [voter(1, last_name="Lefèvre")])
    latin1.write_bytes(latin1.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(ImportAborted) as caught:
        import_voters(latin1, now=NOW)
    assert caught.value.code == "not_utf8"

    with pytest.raises(ImportAborted) as caught:
        import_voters(tmp_path / "absent.csv", now=NOW)
    assert caught.value.code == "unreadable_file"
    assert everything() == ([], [])


def test_two_imports_of_the_same_file_at_once_end_in_the_same_state(ballots, tmp_path, serialised_aws):
    import threading

    rows = [voter(n) for n in range(1, 121)]
    path = write_voters(tmp_path / "v.csv", rows)
    threads = [threading.Thread(target=import_voters, args=(path,), kwargs={"now": NOW}) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(entries("CSA-MEN")) == 120 and len(list(Voter.scan())) == 120
    assert import_voters(path, now=NOW).unchanged == 120


def _interrupt_after_the_entries(monkeypatch):
    """The chunk stops after its list entries, before its voter items (a crash, a timeout)."""
    import chalicelib.services.voter_import as voter_import

    def stop(*args, **kwargs):
        raise RuntimeError("stopped before the voters were written")

    monkeypatch.setattr(voter_import, "save_voters", stop)
    return voter_import


def test_an_interrupted_rename_then_another_file_leaves_no_orphan_entry(ballots, tmp_path, monkeypatch):
    """Finding 10: run 1 renames a voter and stops after the list entries; run 2, with another
    file, computed its changes from the old name and left the new name's entries for good."""
    import chalicelib.services.voter_import as voter_import

    run(tmp_path, [voter(1, last_name="Martin")])
    original = voter_import.save_voters
    _interrupt_after_the_entries(monkeypatch)
    with pytest.raises(RuntimeError):
        run(tmp_path, [voter(1, last_name="Bernard")])
    assert {e.last_name for e in ElectoralListEntry.query("CSA-MEN")} == {"Bernard"}  # the voter says Martin
    monkeypatch.setattr(voter_import, "save_voters", original)
    run(tmp_path, [voter(1, last_name="Durand")])
    assert [(e.last_name, e.voter_id) for e in ElectoralListEntry.query("CSA-MEN")] == [("Durand", "P00000001")]
    assert Voter.get("P00000001").pending_entries is None
    assert run(tmp_path, [voter(1, last_name="Durand")]).unchanged == 1


def test_an_interrupted_first_import_then_another_file_leaves_no_orphan_entry(ballots, tmp_path, monkeypatch):
    import chalicelib.services.voter_import as voter_import

    original = voter_import.save_voters
    _interrupt_after_the_entries(monkeypatch)
    with pytest.raises(RuntimeError):
        run(tmp_path, [voter(1, last_name="Bernard", ballots="CSA-MEN|CSA-ACA")])
    monkeypatch.setattr(voter_import, "save_voters", original)
    run(tmp_path, [voter(1, last_name="Durand", ballots="CSA-MEN")])
    assert [e.last_name for e in ElectoralListEntry.query("CSA-MEN")] == ["Durand"] and entries("CSA-ACA") == []
    run(tmp_path, [], prune=True)  # and pruning takes every entry away, in flight or not
    assert entries("CSA-MEN") == [] and entries("CSA-ACA") == []


def test_a_roll_with_birth_dates_keeps_only_their_keyed_hash_and_a_bad_date_is_rejected(ballots, tmp_path):
    from datetime import date

    from chalicelib.domain.birth_dates import birth_date_check
    from chalicelib.wiring import voter_code_pepper

    rows = [voter(1, birth_date="14/07/1978"), voter(2, birth_date=""), voter(3, birth_date="31/02/1980")]
    report = run(tmp_path, rows, skip_invalid=True)
    assert (report.created, report.rejected) == (2, 1)
    assert [(line, p.code) for line, p in report.problems] == [(4, "invalid_birth_date")]
    stored = Voter.get("P00000001")
    assert stored.birth_date_check == birth_date_check(date(1978, 7, 14), voter_code_pepper())
    assert "1978" not in repr(stored.attribute_values)  # the date itself is nowhere
    assert Voter.get("P00000002").birth_date_check is None
    # The same roll again changes nothing; without the column, the voters lose the second factor.
    assert run(tmp_path, rows[:2], now=LATER).unchanged == 2
    report = run(tmp_path, [voter(1), voter(2)], now=LATER)
    assert (report.updated, report.unchanged) == (1, 1)
    assert Voter.get("P00000001").birth_date_check is None
