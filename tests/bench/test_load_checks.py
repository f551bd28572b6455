"""The checks `make load` runs on the stores after the rush: they must be able to fail."""

from email.message import EmailMessage

from bench.load import check_stores
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_import import import_voters
from chalicelib.store.accounts import ACTIVE, PENDING, Account
from chalicelib.store.tokens import Token
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

FIRST, SECOND = "camille.nom1@ac-poitiers.fr", "camille.nom2@ac-poitiers.fr"


def mail_to(outbox, number, address):
    message = EmailMessage()
    message["To"] = address
    message["Subject"] = "Confirmez votre adresse"
    message.set_content("Bonjour")
    (outbox / f"{number:06d}.eml").write_text(message.as_string(), encoding="utf-8")


def link(voter_id, used_at=None):
    Token(
        f"hash-{voter_id}",
        voter_id=voter_id,
        purpose="registration",
        created_at=NOW,
        expires_at=NOW,
        used_at=used_at,
        request_id="r",
        masked_email="c***@ac-poitiers.fr",
        expires_ttl=NOW,
    ).save()


def verdicts(checks):
    return {name: passed for name, passed, _ in checks}


def test_a_clean_run_passes_and_each_kind_of_damage_fails(aws, tmp_path):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    import_voters(write_voters(tmp_path / "v.csv", [voter(1), voter(2)]), now=NOW)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    Account(voter_id="P00000001", status=PENDING, created_at=NOW).save()
    link("P00000001")
    mail_to(outbox, 1, FIRST)
    record = {
        "statuses": {"200": 4, "202": 1},
        "registered_listed": [FIRST],
        "registered_unlisted": ["x@nulle-part.fr"],
        "passwords": {},
    }
    assert all(verdicts(check_stores(record, outbox, "http://127.0.0.1:9", True)).values())

    record["statuses"]["503"] = 1
    mail_to(outbox, 2, FIRST)  # a second email for one registration
    mail_to(outbox, 3, "x@nulle-part.fr")
    Account(voter_id="P00000002", status=ACTIVE, created_at=NOW).save()  # active, yet no password nor used link
    failed = [
        name
        for name, passed in verdicts(check_stores(record, outbox, "http://127.0.0.1:9", False)).items()
        if not passed
    ]
    assert failed == [
        "no 5xx",
        "the mail queue drained",
        "every listed voter who registered got exactly one email",
        "no email to an address on no list",
        "every active account signs in with its voter's password",
        "no account half-written",
    ]
