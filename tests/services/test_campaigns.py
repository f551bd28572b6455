"""Invitation campaigns on moto: whom they write to, once each, whatever happens on the way."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.campaigns import CampaignAction, CampaignKind
from chalicelib.services import campaign_mail, campaign_walk, campaigns
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_import import import_voters
from chalicelib.store.accounts import ACTIVE, Account, find_account
from chalicelib.store.campaign_deliveries import campaign_history
from chalicelib.store.deliverability import record_event
from chalicelib.wiring import sending_plan
from infra.local.provision import create_all_queues, verify_sender
from tests.conftest import NOW
from tests.services.campaign_support import CampaignWorld
from tests.services.helpers import ballot, voter, write_ballots, write_voters


@pytest.fixture
def world(aws, tmp_path, monkeypatch):
    create_all_queues()
    verify_sender("ne-pas-repondre@portail.test")
    here = CampaignWorld(now=NOW)
    monkeypatch.setattr(clock, "utc_now", lambda: here.now)
    monkeypatch.setattr(campaign_walk, "PAGE_SIZE", 7)  # several pages per unit
    here.load = lambda rows, ballots=("CSA-MEN", "CSA-ACA"): _load(tmp_path, rows, ballots)
    return here


def _load(tmp_path, rows, ballots):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot(b) for b in ballots]), now=NOW)
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)


def _activate(voter_id: str) -> None:
    Account(voter_id=voter_id, status=ACTIVE, created_at=NOW, activated_at=NOW).save()


def _plan(kind=CampaignKind.INVITATION, **scope):
    return campaigns.plan_campaign(
        kind, ballot_ids=scope.get("ballot_ids", []), academy=scope.get("academy"), name="essai", now=NOW
    )


def _addressees(mails) -> Counter:
    return Counter(m.to for m in mails)


def test_an_invitation_writes_once_to_each_targeted_voter_and_never_to_the_excluded(world):
    world.load([voter(n) for n in range(1, 41)])
    _activate("P00000001")
    _activate("P00000002")
    record_event("camille.nom3@ac-poitiers.fr", "bounce", NOW, "Permanent", "NoEmail")
    record_event("camille.nom4@ac-poitiers.fr", "bounce", NOW, "Transient", "MailboxFull")  # not excluded
    record_event("camille.nom5@ac-poitiers.fr", "complaint", NOW)
    planned = _plan()
    assert planned.planned["queued"] == 36
    assert planned.planned["excluded_active"] == 2
    assert planned.planned["excluded_bounced"] == 1
    assert planned.planned["excluded_complained"] == 1
    assert planned.planned["scanned"] == 40
    assert world.sent() == []  # planning sends nothing

    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    mails = world.sent()
    addressees = _addressees(mails)
    assert set(addressees.values()) == {1}
    assert len(addressees) == 36
    excluded = {f"camille.nom{n}@ac-poitiers.fr" for n in (1, 2, 3, 5)}
    assert not excluded & set(addressees)
    invitation = next(m for m in mails if m.to == "camille.nom6@ac-poitiers.fr")
    assert invitation.subject == "Élections professionnelles : créez votre espace électeur"
    assert invitation.token and "Scrutin CSA-MEN" in invitation.text and "Envoi postal au domicile" in invitation.text

    report = campaigns.campaign_report(planned.campaign_id)
    assert report.finished
    assert (report.totals["queued"], report.totals["sent"], report.totals["failed"]) == (36, 36, 0)
    assert report.totals["excluded_active"] == 2 and report.totals["scanned"] == 40
    # Starting it again writes to nobody twice.
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    assert world.sent() == []


def test_a_voter_on_two_chosen_ballots_is_reached_once(world):
    world.load([voter(n) for n in range(1, 16)])
    planned = _plan(ballot_ids=["CSA-MEN", "CSA-ACA"])
    assert planned.planned["queued"] == 15 and planned.planned["excluded_already_reached"] == 15
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    assert len(_addressees(world.sent())) == 15
    report = campaigns.campaign_report(planned.campaign_id)
    assert report.totals["sent"] == 15 and report.totals["excluded_already_reached"] == 15


def test_an_academy_campaign_writes_only_to_its_academy(world):
    rows = [voter(n, academy="Académie de Lyon" if n % 3 == 0 else "Académie de Poitiers") for n in range(1, 31)]
    world.load(rows)
    planned = _plan(academy="Académie de Lyon")
    assert planned.planned["queued"] == 10 and planned.planned["outside"] == 20
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    assert set(_addressees(world.sent())) == {f"camille.nom{n}@ac-poitiers.fr" for n in range(3, 31, 3)}


def test_an_invitation_link_creates_the_password_and_voids_an_earlier_confirmation(world, chalice_project):
    from chalice.test import Client

    from app import app

    world.load([voter(1), voter(2)])
    with Client(app, **chalice_project) as client:

        def post(path, body):
            return client.http.post(path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

        from tests.api.conftest import Portal

        mail_queue = create_all_queues()["MAIL_QUEUE_NAME"]
        portal = Portal(client=client, clock=None, queue_url=mail_queue)
        post("/api/registrations", {"email": "camille.nom1@ac-poitiers.fr"})
        portal.run_worker()
        [confirmation] = world.sent()
        world.advance(minutes=5)

        planned = _plan()
        campaigns.start_campaign(planned.campaign_id, now=world.now)
        world.run()
        invitation = next(m for m in world.sent() if m.to == "camille.nom1@ac-poitiers.fr")
        password = {"token": invitation.token, "password": "Bonjour2026", "password_confirmation": "Bonjour2026"}
        answer = post("/api/passwords", password)
        assert answer.status_code == 200 and json.loads(answer.body) == {"signed_in": True}
        assert find_account("P00000001").status == ACTIVE
        again = post("/api/passwords", {**password, "token": confirmation.token})
        assert json.loads(again.body)["error"]["code"] == "token_used"
    report = campaigns.campaign_report(planned.campaign_id)
    assert report.totals["activated"] == 1 and find_account("P00000001").reached_by is None


def test_a_reminder_targets_exactly_those_not_active(world):
    world.load([voter(n) for n in range(1, 21)])
    invitation = _plan()
    campaigns.start_campaign(invitation.campaign_id, now=NOW)
    world.run()
    world.sent()
    for n in (1, 4, 9):
        _activate(f"P{n:08d}")
    reminder = _plan(CampaignKind.REMINDER)
    assert reminder.planned["queued"] == 17 and reminder.planned["excluded_active"] == 3
    campaigns.start_campaign(reminder.campaign_id, now=NOW)
    world.run()
    mails = world.sent()
    assert set(_addressees(mails)) == {f"camille.nom{n}@ac-poitiers.fr" for n in range(1, 21) if n not in (1, 4, 9)}
    assert all("pas encore créé" in m.subject for m in mails)
    history = campaign_history("P00000002")
    assert [e.kind for e in history] and {e.campaign_id for e in history} == {
        invitation.campaign_id,
        reminder.campaign_id,
    }


def test_an_espace_activated_after_the_walk_is_not_invited(world):
    world.load([voter(n) for n in range(1, 6)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()  # every voter queued
    _activate("P00000002")
    world.send()
    assert "camille.nom2@ac-poitiers.fr" not in _addressees(world.sent())
    report = campaigns.campaign_report(planned.campaign_id)
    assert (report.totals["sent"], report.totals["skipped"]) == (4, 1)
    assert report.finished


def test_pause_then_resume_sends_each_email_once(world, monkeypatch):
    monkeypatch.setattr(campaign_mail, "PARKED_SECONDS", 0)
    world.load([voter(n) for n in range(1, 41)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk(pages=3)
    world.send()
    before = _addressees(world.sent())
    assert 0 < len(before) < 40
    campaigns.change_campaign(planned.campaign_id, CampaignAction.PAUSE, now=NOW)
    world.advance(seconds=campaign_mail.STATE_SECONDS)  # the workers see the pause
    world.walk(pages=10)
    assert world.poll("send_campaign_email") == 0  # nothing queued any more: the walk stopped
    assert world.sent() == []
    with pytest.raises(campaigns.CampaignStateError):
        campaigns.change_campaign(planned.campaign_id, CampaignAction.PAUSE, now=NOW)
    campaigns.change_campaign(planned.campaign_id, CampaignAction.RESUME, now=NOW)
    world.advance(seconds=campaign_mail.STATE_SECONDS)
    world.run()
    after = _addressees(world.sent())
    assert not set(before) & set(after)
    assert len(before) + len(after) == 40 and set(after.values()) == {1}


def test_emails_queued_before_a_pause_wait_for_the_resume(world, monkeypatch):
    monkeypatch.setattr(campaign_mail, "PARKED_SECONDS", 0)
    world.load([voter(n) for n in range(1, 8)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    campaigns.change_campaign(planned.campaign_id, CampaignAction.PAUSE, now=NOW)
    world.advance(seconds=campaign_mail.STATE_SECONDS)
    assert world.poll("send_campaign_email") > 0  # handled: put back for later
    assert world.sent() == []
    campaigns.change_campaign(planned.campaign_id, CampaignAction.RESUME, now=NOW)
    world.advance(seconds=campaign_mail.STATE_SECONDS)
    world.run()
    assert len(_addressees(world.sent())) == 7


def test_a_walk_killed_mid_page_and_a_page_delivered_twice_still_write_once(world, monkeypatch):
    world.load([voter(n) for n in range(1, 41)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    first_page = {"campaign_id": planned.campaign_id, "unit": 0, "page": 0}
    plan = sending_plan()

    # A worker dies after writing the page's entries, before queueing their emails.
    real_enqueue = campaign_walk.queue.enqueue_batch

    def die(bodies, **kwargs):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(campaign_walk.queue, "enqueue_batch", die)
    with pytest.raises(RuntimeError):
        campaign_walk.walk_page(first_page, now=NOW, plan=plan)
    monkeypatch.setattr(campaign_walk.queue, "enqueue_batch", real_enqueue)
    # Lambda hands the message again, and a copy of it arrives as well.
    assert campaign_walk.walk_page(first_page, now=NOW, plan=plan) == "walked"
    assert campaign_walk.walk_page(first_page, now=NOW, plan=plan) == "already_walked"
    world.run()
    addressees = _addressees(world.sent())
    assert len(addressees) == 40 and set(addressees.values()) == {1}
    report = campaigns.campaign_report(planned.campaign_id)
    assert report.totals["queued"] == 40 and report.totals["sent"] == 40


def test_a_continuation_lost_after_the_commit_is_queued_again_once(world, monkeypatch):
    monkeypatch.setattr(campaign_walk, "PAGE_SIZE", 1)  # a full page always has a next one
    world.load([voter(n) for n in range(1, 41)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    page = {"campaign_id": planned.campaign_id, "unit": 1, "page": 0}
    plan = sending_plan()
    real = campaign_walk.queue.enqueue
    monkeypatch.setattr(campaign_walk.queue, "enqueue", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        campaign_walk.walk_page(page, now=NOW, plan=plan)  # committed, next page never queued
    monkeypatch.setattr(campaign_walk.queue, "enqueue", real)
    assert campaign_walk.walk_page(page, now=NOW, plan=plan) == "continued"
    assert campaign_walk.walk_page(page, now=NOW, plan=plan) == "already_walked"  # no second chain
    world.run()
    assert len(_addressees(world.sent())) == 40
    assert campaigns.campaign_report(planned.campaign_id).finished


def test_ses_throttling_slows_the_campaign_but_loses_nothing(world, faults, monkeypatch):
    monkeypatch.setattr(campaign_mail, "RETRY_SECONDS", 0)
    world.load([voter(n) for n in range(1, 13)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    faults.fail("ses", "SendRawEmail", "throttling", times=5)
    world.run()
    addressees = _addressees(world.sent())
    assert len(addressees) == 12 and set(addressees.values()) == {1}
    report = campaigns.campaign_report(planned.campaign_id)
    assert (report.totals["sent"], report.totals["failed"]) == (12, 0)


def test_an_email_ses_never_answered_is_never_sent_again(world, faults):
    world.load([voter(n) for n in range(1, 4)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    faults.fail("ses", "SendRawEmail", "timeout", times=1)
    world.run()
    report = campaigns.campaign_report(planned.campaign_id)
    assert (report.totals["sent"], report.totals["failed"]) == (2, 1)
    assert report.finished


def test_cancel_stops_the_campaign(world):
    world.load([voter(n) for n in range(1, 41)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk(pages=2)
    campaigns.change_campaign(planned.campaign_id, CampaignAction.CANCEL, now=NOW)
    world.advance(seconds=campaign_mail.STATE_SECONDS)
    world.run()
    assert world.sent() == []
    report = campaigns.campaign_report(planned.campaign_id)
    assert report.totals["sent"] == 0 and report.totals["cancelled"] == report.totals["queued"] > 0
    with pytest.raises(campaigns.CampaignStateError):
        campaigns.change_campaign(planned.campaign_id, CampaignAction.RESUME, now=NOW)


def test_a_bounce_is_counted_on_its_campaign_and_skipped_by_the_next(world):
    from chalicelib.workers.deliverability import record_delivery_events

    world.load([voter(n) for n in range(1, 4)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    world.sent()
    entry = next(e for e in campaign_history("P00000002"))
    from chalicelib.domain.campaigns import ses_tags

    tags = {name: [value] for name, value in ses_tags(planned.campaign_id, int(entry.unit), "P00000002").items()}
    report = {
        "eventType": "Bounce",
        "mail": {"tags": tags, "destination": ["camille.nom2@ac-poitiers.fr"]},
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "camille.nom2@ac-poitiers.fr"}],
        },
    }
    record_delivery_events([json.dumps(report), json.dumps(report)], now=NOW)  # SNS delivers twice
    assert campaigns.campaign_report(planned.campaign_id).totals["bounced"] == 1
    reminder = _plan(CampaignKind.REMINDER)
    assert reminder.planned["excluded_bounced"] == 1 and reminder.planned["queued"] == 2


def test_an_invitation_over_the_two_thousand_demo_voters(world, tmp_path, monkeypatch):
    from chalicelib.admin.demo import write_demo_files

    monkeypatch.setattr(campaign_walk, "PAGE_SIZE", 100)
    ballots, voters = write_demo_files(tmp_path, voters=int(__import__("os").environ.get("DEMO_N", "2000")), now=NOW)
    import_ballots(ballots, now=NOW)
    import_voters(voters, now=NOW)
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    addressees = _addressees(world.sent())
    report = campaigns.campaign_report(planned.campaign_id)
    assert len(addressees) == planned.planned["queued"] == report.totals["sent"] > 1900
    assert set(addressees.values()) == {1}
    assert report.finished


def test_dynamodb_busy_after_the_claim_puts_the_email_back(world, faults, monkeypatch):
    monkeypatch.setattr(campaign_mail, "RETRY_SECONDS", 0)
    world.load([voter(n) for n in range(1, 4)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    faults.fail("dynamodb", "GetItem", "throughput", times=4, when=lambda body: b"test-voters" in body)
    world.run()
    addressees = _addressees(world.sent())
    assert len(addressees) == 3 and set(addressees.values()) == {1}
    assert campaigns.campaign_report(planned.campaign_id).totals["sent"] == 3


def test_a_claim_still_at_work_is_left_alone_and_a_dead_one_counts_as_failed(world):
    from chalicelib.store import campaign_deliveries

    world.load([voter(1)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    unit = campaign_history("P00000001")[0].unit
    body = {"campaign_id": planned.campaign_id, "unit": int(unit), "voter_id": "P00000001"}
    assert campaign_deliveries.claim_send("P00000001", planned.campaign_id, now=NOW) is not None  # a worker at work
    with pytest.raises(campaign_mail.Deferred) as waiting:
        campaign_mail.send_campaign_email(body, now=NOW + timedelta(seconds=5))
    assert waiting.value.seconds == campaign_mail.CLAIM_SECONDS - 5 + 1  # looked at again once it can tell
    later = NOW + timedelta(seconds=campaign_mail.CLAIM_SECONDS + 1)
    assert campaign_mail.send_campaign_email(body, now=later) == "failed"  # it died before SES answered
    assert campaign_mail.send_campaign_email(body, now=later) == "already_handled"
    assert world.sent() == []
    assert campaigns.campaign_report(planned.campaign_id).totals["failed"] == 1


def test_an_email_whose_record_could_not_be_written_is_recorded_later(world, faults, monkeypatch):
    monkeypatch.setattr(campaign_mail, "RETRY_SECONDS", 0)
    monkeypatch.setattr(campaign_mail.time, "sleep", lambda seconds: None)
    world.load([voter(1)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.walk()
    # SES takes the email, then DynamoDB refuses its record three times over (botocore's
    # retries each time), and later the unit's counter once.
    record = faults.fail(
        "dynamodb", "UpdateItem", "throughput", times=12, when=lambda b: b"test-mail-log" in b and b'"sent"' in b
    )
    counter = faults.fail(
        "dynamodb", "UpdateItem", "throughput", times=4, when=lambda b: b"test-campaigns" in b and b'"sent"' in b
    )
    world.run()
    assert record.hits == 12 and counter.hits == 4
    assert len(world.sent()) == 1
    report = campaigns.campaign_report(planned.campaign_id)
    assert (report.totals["sent"], report.totals["failed"]) == (1, 0) and report.finished
    assert campaign_history("P00000001")[0].status == "sent"


def test_a_transient_bounce_is_not_counted_against_the_campaign(world):
    from chalicelib.domain.campaigns import ses_tags
    from chalicelib.workers.deliverability import record_delivery_events

    world.load([voter(1)])
    planned = _plan()
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    world.run()
    entry = campaign_history("P00000001")[0]
    tags = {name: [value] for name, value in ses_tags(planned.campaign_id, int(entry.unit), "P00000001").items()}
    report = {
        "eventType": "Bounce",
        "mail": {"tags": tags},
        "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": entry.recipient}]},
    }
    record_delivery_events([json.dumps(report)], now=NOW)
    assert campaigns.campaign_report(planned.campaign_id).totals["bounced"] == 0
    assert campaign_history("P00000001")[0].status == "sent"
