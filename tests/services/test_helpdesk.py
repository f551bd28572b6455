import pytest

from chalicelib.domain.phases import Phase
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.helpdesk import VoterNotFound, election_stats, voter_file
from chalicelib.services.voter_import import import_voters
from chalicelib.store.accounts import ACTIVE, PENDING, Account
from chalicelib.store.mail_log import MailLogEntry
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters


@pytest.fixture
def election(aws, tmp_path):
    import_ballots(
        write_ballots(
            tmp_path / "b.json",
            [ballot("CSA-MEN"), ballot("CSA-ACA", voting_opens_at="2026-11-30T10:00:00+01:00")],
        ),
        now=NOW,
    )
    rows = [voter(1), voter(2, ballots="CSA-MEN"), voter(3), voter(4)]
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)
    Account(voter_id="P00000001", status=ACTIVE, created_at=NOW, activated_at=NOW).save()
    Account(voter_id="P00000002", status=PENDING, created_at=NOW).save()
    Account(voter_id="P00000003", status=ACTIVE, created_at=NOW, activated_at=NOW).save()


def test_voter_file_by_email_gathers_data_account_ballots_and_mail(election):
    MailLogEntry(
        "camille.nom1@ac-poitiers.fr", f"{NOW.isoformat()}#req-1", kind="confirmation", status="sent", requested_at=NOW
    ).save()
    found = voter_file("Camille.Nom1@AC-Poitiers.fr", now=NOW)
    assert found.voter.voter_id == "P00000001"
    assert found.account.status == ACTIVE
    assert [(b.ballot_id, phase) for b, phase in found.ballots] == [
        ("CSA-ACA", Phase.CANDIDATES_PUBLISHED),
        ("CSA-MEN", Phase.VOTING_OPEN),
    ]
    assert [m.kind for m in found.recent_mail] == ["confirmation"]


def test_voter_file_by_id_and_not_found(election):
    assert voter_file("P00000004", now=NOW).account is None
    with pytest.raises(VoterNotFound):
        voter_file("inconnu@ac-poitiers.fr", now=NOW)
    with pytest.raises(VoterNotFound):
        voter_file("P99999999", now=NOW)


def test_stats_per_ballot(election):
    stats = election_stats(now=NOW)
    rows = {s.ballot.ballot_id: (s.voters, s.accounts_created, s.accounts_activated) for s in stats.ballots}
    assert rows == {"CSA-MEN": (4, 3, 2), "CSA-ACA": (3, 2, 2)}
    assert (stats.voters, stats.accounts_created, stats.accounts_activated) == (4, 3, 2)
