"""An import that changes a voter's address takes the espace away from the old mailbox
(issue 13, finding 5): password, sessions and links die, both addresses are told, once."""

import pytest

from chalicelib.domain.errors import NotAuthenticated
from chalicelib.services.sessions import authenticate
from chalicelib.services.voter_import import ImportInterrupted, import_voters
from chalicelib.store.accounts import ACTIVE, PENDING, Account
from chalicelib.store.sessions import Session
from chalicelib.store.voters import Voter
from chalicelib.wiring import session_policy
from tests.api.conftest import GOOD_PASSWORD, LISTED, OTHER, portal  # noqa: F401  (the small election on moto)
from tests.faults.conftest import on_table
from tests.services.helpers import voter, write_voters

NEW = "camille.nouvelle@ac-poitiers.fr"
NOTICE = "Élections professionnelles : l'adresse de votre espace électeur a été modifiée"
CONFIRM = "Élections professionnelles : confirmez votre nouvelle adresse pour retrouver votre espace électeur"


def reimport(portal, tmp_path, rows, **options):
    return import_voters(write_voters(tmp_path / "roll.csv", rows), now=portal.clock.now, **options)


def moved(email=NEW):
    return [voter(1, email=email), voter(2), voter(3)]


def sessions_of(voter_id):
    return list(Session.by_voter.query(voter_id))


def mail_after(portal, **delta):
    """What the worker sends for everything queued, a moment later."""
    portal.clock.advance(**(delta or {"seconds": 5}))
    portal.run_worker()
    return sorted((m.to, m.subject, m.token) for m in portal.new_mail())


def active_voter(portal, address=LISTED):
    """A voter with a password, signed in, and holding an unused reset link."""
    portal.register_and_activate(address)
    assert portal.sign_in(address).status_code == 200
    session = portal.cookies["session"]
    portal.clock.advance(minutes=1)
    portal.post("/api/password-resets", {"email": address})
    portal.run_worker()
    [reset] = portal.new_mail()
    portal.clock.advance(minutes=1)
    return session, reset.token


def test_a_changed_address_suspends_the_espace_and_tells_both_addresses(portal, tmp_path):
    session, unused_link = active_voter(portal)
    assert portal.authed("get", "/api/me").status_code == 200

    report = reimport(portal, tmp_path, moved())
    assert (report.updated, report.address_changes, report.address_changes_with_account) == (1, 1, 1)

    # The old mailbox holder keeps nothing: the session, the link, the password.
    response = portal.authed("get", "/api/me", session=session)
    assert response.status_code == 401 and response.json_body["error"]["code"] == "not_authenticated"
    with pytest.raises(NotAuthenticated):
        authenticate(session, now=portal.clock.now, policy=session_policy())
    assert sessions_of("P00000001") == []
    checked = portal.post("/api/token-checks", {"token": unused_link})
    assert checked.status_code == 410 and checked.json_body["error"]["code"] == "token_used"
    account = Account.get("P00000001")
    assert (account.status, account.password_hash) == (PENDING, None)
    assert account.tokens_valid_after == account.sessions_valid_after == portal.clock.now
    for address in (NEW, LISTED):
        assert portal.sign_in(address).status_code == 401

    # Both addresses are told: the old one without a link, the new one with a working one.
    [(to_old, subject_old, no_link), (to_new, subject_new, link)] = mail_after(portal)
    assert (to_old, subject_old, no_link) == (LISTED, NOTICE, None)
    assert (to_new, subject_new) == (NEW, CONFIRM) and link
    assert portal.post("/api/token-checks", {"token": link}).json_body["purpose"] == "registration"
    chosen = portal.post(
        "/api/passwords", {"token": link, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    )
    assert chosen.status_code == 200 and chosen.json_body == {"signed_in": True}
    assert Account.get("P00000001").status == ACTIVE
    assert portal.sign_in(NEW, "Nouveau2026").status_code == 200
    assert portal.authed("get", "/api/me").status_code == 200
    assert portal.sign_in(NEW, GOOD_PASSWORD).status_code == 401

    # The same file again: nothing changes, nothing more is sent.
    before = Account.get("P00000001").attribute_values
    again = reimport(portal, tmp_path, moved())
    assert (again.unchanged, again.address_changes, again.items_written) == (3, 0, 0)
    assert Account.get("P00000001").attribute_values == before
    assert mail_after(portal) == []


def test_the_notice_is_kind_and_carries_no_link(portal, tmp_path):
    active_voter(portal)
    reimport(portal, tmp_path, moved())
    portal.clock.advance(seconds=5)
    portal.run_worker()
    notice = next(m for m in portal.new_mail() if m.to == LISTED)
    assert "suspendu à cette adresse" in notice.text and "http" not in notice.text.split("-- ")[0]
    assert "contactez le service des élections de votre académie" in notice.text


def test_a_voter_without_an_espace_changes_address_silently(portal, tmp_path):
    report = reimport(portal, tmp_path, moved())
    assert (report.address_changes, report.address_changes_with_account) == (1, 0)
    assert Voter.get("P00000001").email == NEW
    assert mail_after(portal) == []


def test_a_dry_run_counts_and_writes_or_queues_nothing(portal, tmp_path):
    active_voter(portal)
    account = Account.get("P00000001").attribute_values
    report = reimport(portal, tmp_path, moved(), dry_run=True)
    assert (report.address_changes, report.address_changes_with_account, report.items_written) == (1, 1, 0)
    assert Account.get("P00000001").attribute_values == account
    assert Voter.get("P00000001").email == LISTED
    assert portal.authed("get", "/api/me").status_code == 200
    assert mail_after(portal) == []


@pytest.mark.parametrize(
    "where",
    [
        # The voters' chunk refused: the espaces are suspended and both emails queued, the
        # voter items still hold the old addresses.
        ("dynamodb", "BatchWriteItem", "throughput", on_table("voters")),
        # The queue refused: the espaces are suspended, nothing is queued.
        ("sqs", "SendMessageBatch", "unavailable", None),
    ],
    ids=["voters-not-written", "nothing-queued"],
)
def test_an_interrupted_import_resumed_tells_each_address_once(portal, faults, tmp_path, where):
    service, operation, kind, when = where
    for address in (LISTED, OTHER):
        portal.register_and_activate(address)
    rows = [voter(1, email=NEW), voter(2, email="camille.autre@ac-poitiers.fr"), voter(3)]

    faults.fail(service, operation, kind, times=None, when=when)
    with pytest.raises(ImportInterrupted):
        reimport(portal, tmp_path, rows)
    faults.clear()
    assert Voter.get("P00000001").email == LISTED  # not written yet
    assert Account.get("P00000001").status == PENDING  # already suspended
    first = mail_after(portal)  # whatever the first run queued is sent at once

    portal.clock.advance(minutes=10)
    report = reimport(portal, tmp_path, rows)
    assert (report.address_changes, report.address_changes_with_account) == (2, 2)
    assert Voter.get("P00000001").email == NEW
    sent = first + mail_after(portal)
    assert sorted((to, subject) for to, subject, _ in sent) == sorted(
        [(LISTED, NOTICE), (OTHER, NOTICE), (NEW, CONFIRM), ("camille.autre@ac-poitiers.fr", CONFIRM)]
    )
    assert reimport(portal, tmp_path, rows).address_changes == 0
    assert mail_after(portal) == []


def test_an_espace_reactivated_from_the_old_address_before_the_resume_is_suspended_again(portal, faults, tmp_path):
    portal.register_and_activate(LISTED)
    faults.fail("dynamodb", "BatchWriteItem", "throughput", times=None, when=on_table("voters"))
    with pytest.raises(ImportInterrupted):
        reimport(portal, tmp_path, moved())
    faults.clear()
    mail_after(portal)
    # Meanwhile the old mailbox, still the voter's on the roll, asks for a link and uses it.
    portal.clock.advance(minutes=1)
    portal.post("/api/password-resets", {"email": LISTED})
    [link] = [token for to, _, token in mail_after(portal) if to == LISTED]
    portal.post("/api/passwords", {"token": link, "password": "Pirate2026", "password_confirmation": "Pirate2026"})
    assert portal.sign_in(LISTED, "Pirate2026").status_code == 200
    intruder = portal.cookies["session"]

    portal.clock.advance(minutes=1)
    reimport(portal, tmp_path, moved())
    assert portal.authed("get", "/api/me", session=intruder).status_code == 401
    assert Account.get("P00000001").status == PENDING
    assert sorted((to, subject) for to, subject, _ in mail_after(portal)) == [(LISTED, NOTICE), (NEW, CONFIRM)]


def test_a_pruned_voter_is_signed_out_and_keeps_the_espace(portal, tmp_path):
    session, _ = active_voter(portal, OTHER)
    report = reimport(portal, tmp_path, [voter(1), voter(3)], prune=True)
    assert (report.pruned, report.pruned_with_account, report.pruned_with_active_account) == (1, 1, 1)
    assert portal.authed("get", "/api/me", session=session).status_code == 401
    assert sessions_of("P00000002") == []
    account = Account.get("P00000002")
    assert account.status == ACTIVE and account.password_hash
    assert mail_after(portal) == []


def test_a_pruned_voter_listed_again_elsewhere_is_an_address_change(portal, tmp_path):
    active_voter(portal, OTHER)
    reimport(portal, tmp_path, [voter(1), voter(3)], prune=True)
    report = reimport(portal, tmp_path, [voter(1), voter(2, email=NEW), voter(3)])
    assert (report.address_changes, report.address_changes_with_account) == (1, 1)
    assert portal.sign_in(NEW).status_code == 401
    assert sorted((to, subject) for to, subject, _ in mail_after(portal)) == [(OTHER, NOTICE), (NEW, CONFIRM)]


def test_the_link_to_the_new_address_is_dated_after_the_suspension(portal, tmp_path):
    """Even when the worker's clock is behind the import's."""
    active_voter(portal)
    reimport(portal, tmp_path, moved())
    portal.clock.advance(seconds=-30)
    portal.run_worker()
    [link] = [m.token for m in portal.new_mail() if m.to == NEW]
    portal.clock.advance(seconds=60)
    assert portal.post("/api/token-checks", {"token": link}).status_code == 200


def test_the_link_is_not_sent_once_the_address_changed_again(portal, tmp_path):
    active_voter(portal)
    reimport(portal, tmp_path, moved())
    portal.clock.advance(seconds=1)
    reimport(portal, tmp_path, moved("camille.encore@ac-poitiers.fr"))
    sent = [(to, subject) for to, subject, _ in mail_after(portal, seconds=1)]
    assert sorted(sent) == sorted([(LISTED, NOTICE), (NEW, NOTICE), ("camille.encore@ac-poitiers.fr", CONFIRM)]), (
        "the first link (to NEW) belongs to a change since replaced: it is not sent"
    )


def test_the_summary_and_the_help_desk_say_what_happened(portal, tmp_path):
    import io

    from chalicelib.admin import render
    from chalicelib.services.helpdesk import voter_file

    active_voter(portal)
    for dry_run, verb in ((True, "seraient suspendus"), (False, "sont suspendus")):
        out = io.StringIO()
        render.voter_import(reimport(portal, tmp_path, moved(), dry_run=dry_run), out, dry_run=dry_run, prune=False)
        assert "adresses modifiées : 1 (dont 1 espaces suspendus)" in out.getvalue()
        assert f"1 espaces électeurs dont l'adresse change {verb}" in out.getvalue()
    out = io.StringIO()
    render.voter_file(voter_file(NEW, now=portal.clock.now), out)
    assert "en attente de confirmation" in out.getvalue() and "adresse modifiée par un import" in out.getvalue()


def test_both_emails_go_even_when_the_worker_runs_before_the_voters_are_written(portal, tmp_path, monkeypatch):
    """The requests are queued before the chunk's voters are written: the worker may run first."""
    import chalicelib.services.voter_import as voter_import

    active_voter(portal)
    active_voter(portal, OTHER)
    reimport(portal, tmp_path, [voter(1), voter(3)], prune=True)  # voter 2 leaves the lists
    original = voter_import._write_chunk

    def worker_first(chunk, now):
        portal.clock.advance(seconds=1)
        portal.run_worker()
        return original(chunk, now)

    monkeypatch.setattr(voter_import, "_write_chunk", worker_first)
    reimport(portal, tmp_path, [voter(1, email=NEW), voter(2, email="camille.retour@ac-poitiers.fr"), voter(3)])
    assert sorted((m.to, m.subject) for m in portal.new_mail()) == [
        (LISTED, NOTICE),
        (OTHER, NOTICE),
        (NEW, CONFIRM),
        ("camille.retour@ac-poitiers.fr", CONFIRM),
    ]


def test_account_reads_are_one_batch_per_chunk(portal, faults, tmp_path):
    """250 stored voters all changing address: one BatchGetItem of accounts per chunk of 100,
    no GetItem, an UpdateItem per account only."""
    reimport(portal, tmp_path, [voter(n) for n in range(1, 251)])
    for address in (LISTED, OTHER):
        portal.register_and_activate(address)
    calls = []
    accounts_table = on_table("accounts")

    def record(operation):
        return lambda body: accounts_table(body) and calls.append(operation) and False  # only counts

    for operation in ("BatchGetItem", "GetItem", "UpdateItem"):
        faults.fail("dynamodb", operation, "throughput", times=None, when=record(operation))
    rows = [voter(n, email=f"nouvelle.{n}@ac-poitiers.fr") for n in range(1, 251)]
    report = reimport(portal, tmp_path, rows)
    assert (report.updated, report.address_changes, report.address_changes_with_account) == (250, 250, 2)
    assert sorted(calls) == ["BatchGetItem"] * 3 + ["UpdateItem"] * 2
