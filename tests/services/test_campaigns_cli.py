"""The campaign commands as administrators use them, the bounces export, the voter's history."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from chalicelib import clock
from chalicelib.admin import cli
from chalicelib.services import campaign_walk
from chalicelib.store.deliverability import record_event
from infra.local.provision import create_all_queues, verify_sender
from tests.conftest import NOW
from tests.services.campaign_support import CampaignWorld
from tests.services.helpers import ballot, voter, write_ballots, write_voters


@pytest.fixture
def world(aws, tmp_path, monkeypatch, test_stage_config):
    from chalicelib.services.ballot_import import import_ballots
    from chalicelib.services.voter_import import import_voters

    create_all_queues()
    verify_sender("ne-pas-repondre@portail.test")
    here = CampaignWorld(now=NOW)
    monkeypatch.setattr(clock, "utc_now", lambda: here.now)
    monkeypatch.setattr(campaign_walk, "PAGE_SIZE", 5)
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    rows = [voter(n) for n in range(1, 13)]
    rows[0]["last_name"] = '=HYPERLINK("http://x")'
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)

    def admin(*argv):
        out = io.StringIO()
        status = cli.main(["--stage", "test", *argv], out=out, config_path=test_stage_config)
        return status, out.getvalue()

    here.admin = admin
    return here


def test_plan_start_status_and_list_in_french_and_in_json(world):
    record_event("camille.nom2@ac-poitiers.fr", "complaint", NOW)
    status, text = world.admin("campaign", "plan", "--kind", "invitation", "--name", "Ouverture")
    assert status == 0
    assert "préparée ; rien n'a été envoyé" in text and re.search(r"électeurs ciblés\s+11\n", text)
    assert "courriel signalé comme indésirable" in text and "durée estimée" in text
    campaign_id = text.split()[1]
    assert world.sent() == []

    status, listing = world.admin("campaign", "list", "--json")
    [entry] = json.loads(listing)
    assert (entry["id"], entry["state"], entry["targeted"]) == (campaign_id, "planned", 11)

    status, text = world.admin("campaign", "start", campaign_id)
    assert status == 0 and "lancée" in text
    world.run()
    status, text = world.admin("campaign", "status", campaign_id, "--json")
    report = json.loads(text)
    assert report["state"] == "finished"
    assert report["counters"]["sent"] == 11 and report["counters"]["excluded_complained"] == 1
    status, text = world.admin("campaign", "status", campaign_id, "--follow", "--interval", "0")
    assert "terminée" in text and re.search(r"envoyés\s+11\n", text)

    status, text = world.admin("campaign", "pause", campaign_id)
    assert status == 0  # a finished campaign is still "running": pausing it is allowed
    status, text = world.admin("campaign", "start", campaign_id)
    assert status == 1 and "rien n'a changé" in text
    status, text = world.admin("campaign", "status", "inv-inconnue")
    assert status == 1 and "Aucune campagne" in text
    status, text = world.admin("campaign", "start", campaign_id, "--json")
    assert status == 1 and json.loads(text)["error"] == {
        "code": "campaign_state",
        "message": json.loads(text)["error"]["message"],
        "state": "paused",
    }
    status, text = world.admin("campaign", "plan", "--kind", "reminder", "--academy", "Poitiers")
    assert status == 0 and "vérifiez le nom exact de l'académie" in text
    status, text = world.admin("campaign", "plan", "--kind", "reminder", "--ballot", "INCONNU")
    assert status == 1 and "Scrutin inconnu" in text


def test_campaign_mail_never_goes_through_the_voters_queue(world):
    status, text = world.admin("campaign", "plan", "--kind", "invitation")
    campaign_id = text.split()[1]
    world.admin("campaign", "start", campaign_id)
    world.walk()
    assert world.queue_depth("MAIL_QUEUE_NAME") == 0
    assert world.queue_depth("CAMPAIGN_MAIL_QUEUE_NAME") == 12
    world.send()
    assert len(world.sent()) == 12


def test_the_bounces_export_lists_what_hr_must_fix_and_runs_nothing(world, tmp_path):
    record_event("camille.nom1@ac-poitiers.fr", "bounce", NOW, "Permanent", "NoEmail")
    record_event("camille.nom3@ac-poitiers.fr", "bounce", NOW, "Transient", "MailboxFull")
    record_event("camille.nom4@ac-poitiers.fr", "complaint", NOW)
    path = tmp_path / "rejets.csv"
    status, text = world.admin("bounces", "export", str(path))
    assert status == 0 and text.startswith("2 adresses")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [(r["identifiant"], r["problème"]) for r in rows] == [
        ("P00000001", "rejet définitif"),
        ("P00000004", "plainte (courriel signalé comme indésirable)"),
    ]
    assert rows[0]["nom"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert rows[0]["lieu de travail"] == "Lycée Jean Macé, Niort"
    status, text = world.admin("bounces", "export", str(path), "--academy", "Académie de Lyon")
    assert text.startswith("0 adresses")


def test_voter_show_tells_the_campaigns_and_the_bounce(world):
    status, text = world.admin("campaign", "plan", "--kind", "invitation")
    campaign_id = text.split()[1]
    world.admin("campaign", "start", campaign_id)
    world.run()
    record_event("camille.nom5@ac-poitiers.fr", "bounce", NOW, "Permanent", "NoEmail")
    status, text = world.admin("voter", "show", "camille.nom5@ac-poitiers.fr")
    assert status == 0
    assert "campagnes (1)" in text and campaign_id in text and "envoyé" in text
    assert "rejeté (bounce)" in text
