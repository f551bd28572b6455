"""The campaigns' pure rules: whom they write to, how they are cut and paced, their tags."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.campaigns import (
    TRANSITIONS,
    AddressFacts,
    CampaignAction,
    CampaignState,
    Exclusion,
    Scope,
    Totals,
    UnitKind,
    address_facts,
    delivery_of_tags,
    exclusion,
    link_expiry,
    ses_tags,
    walk_units,
)
from chalicelib.domain.email_templates import letter
from chalicelib.domain.mail_policy import Email
from chalicelib.domain.sending_rate import SendingPlan

NOW = datetime(2026, 10, 11, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "status, suspended, address, expected",
    [
        (None, False, AddressFacts(), None),
        ("pending", False, AddressFacts(), None),
        ("active", False, AddressFacts(), Exclusion.ACTIVE),
        ("active", True, AddressFacts(bounced=True, complained=True), Exclusion.ACTIVE),
        ("pending", True, AddressFacts(), Exclusion.SUSPENDED),
        (None, False, AddressFacts(bounced=True, complained=True), Exclusion.COMPLAINED),
        (None, False, AddressFacts(bounced=True), Exclusion.BOUNCED),
    ],
)
def test_who_is_excluded_and_why_in_order(status, suspended, address, expected):
    assert exclusion(account_status=status, suspended=suspended, address=address) is expected


def test_only_a_permanent_bounce_marks_an_address_and_any_complaint_does():
    assert address_facts(last_event="bounce", bounce_type="Permanent", complaints=0) == AddressFacts(bounced=True)
    assert address_facts(last_event="bounce", bounce_type="Transient", complaints=0) == AddressFacts()
    assert address_facts(last_event="delivery", bounce_type=None, complaints=0) == AddressFacts()  # delivered since
    assert address_facts(last_event="delivery", bounce_type=None, complaints=1).complained


def test_transitions_allow_only_what_makes_sense():
    allowed = {(s, a) for a, (sources, _) in TRANSITIONS.items() for s in sources}
    assert (CampaignState.PLANNED, CampaignAction.START) in allowed
    assert (CampaignState.CANCELLED, CampaignAction.RESUME) not in allowed
    assert (CampaignState.PAUSED, CampaignAction.PAUSE) not in allowed
    assert not any(state is CampaignState.CANCELLED for state, _ in allowed)  # cancelled is final


def test_scope_and_units():
    assert Scope().covers(ballot_ids={"A"}, academy="Poitiers")
    assert not Scope(academy="Lyon").covers(ballot_ids={"A"}, academy="Poitiers")
    assert Scope(ballot_ids=("A", "B")).covers(ballot_ids={"B", "C"}, academy="x")
    assert not Scope(ballot_ids=("A",)).covers(ballot_ids={"C"}, academy="x")
    units = walk_units(Scope(), scan_segments=3)
    assert [(u.kind, u.segment, u.total_segments) for u in units] == [(UnitKind.SCAN, n, 3) for n in range(3)]
    lists = walk_units(Scope(ballot_ids=("B", "A", "B")), scan_segments=3)
    assert [(u.number, u.kind, u.ballot_id) for u in lists] == [(0, UnitKind.LIST, "A"), (1, UnitKind.LIST, "B")]


def test_the_link_lasts_until_the_first_claims_deadline_and_at_least_the_minimum():
    minimum = timedelta(days=21)
    late, later = NOW + timedelta(days=30), NOW + timedelta(days=40)
    assert link_expiry(now=NOW, claims_close=[later, late], minimum=minimum) == late
    assert link_expiry(now=NOW, claims_close=[NOW + timedelta(days=2)], minimum=minimum) == NOW + minimum
    assert link_expiry(now=NOW, claims_close=[], minimum=minimum) == NOW + minimum


def test_the_sending_plan_keeps_a_share_for_the_voters_and_paces_the_workers():
    plan = SendingPlan(ses_rate=200)
    assert plan.campaign_rate == 160 and plan.workers == 20
    assert plan.workers * (1 / plan.seconds_between_sends) == pytest.approx(160)
    assert plan.continuation_delay(queued=100, units=16) == 10  # 16 units × 100 ÷ 160/s
    assert plan.continuation_delay(queued=100_000, units=16) == 900  # SQS's longest delay
    assert plan.duration(1_100_000) == timedelta(seconds=6875)
    assert SendingPlan(ses_rate=14).workers == 2  # SQS's minimum concurrency
    assert plan.backlog_limit == 9600


def test_ses_tags_carry_any_voter_id_and_come_back():
    tags = ses_tags("inv-20261011-ab12cd", 3, "P.0001_x-y")
    assert all(set(v) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for v in tags.values())
    assert delivery_of_tags({k: [v] for k, v in tags.items()}) == ("inv-20261011-ab12cd", 3, "P.0001_x-y")
    assert delivery_of_tags({}) is None
    assert delivery_of_tags({"campaign": ["x"], "unit": ["nan"], "voter": ["AA"]}) is None


def test_totals_sum_the_units_and_know_when_all_is_done():
    totals = Totals()
    totals.add({"queued": 3, "sent": 2, "skipped": 1}, done=True)
    assert totals.finished
    totals.add({"queued": 2, "sent": 1}, done=True)
    assert totals.walk_done and not totals.finished and totals.handled == 4
    totals.add({}, done=False)
    assert not totals.walk_done


@pytest.mark.parametrize("kind", [Email.INVITATION, Email.REMINDER])
def test_the_campaign_letters_say_what_and_when_and_carry_the_link(kind):
    opens, closes = datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    content = letter(
        kind,
        portal_url="https://portail.test",
        first_name="Camille",
        now=NOW,
        secret="s" * 43,
        expires_at=NOW + timedelta(days=21),
        ballots=(("CSA ministériel", opens, closes),),
        code_delivery="Envoi postal au domicile",
    )
    text = "\n".join(content.paragraphs)
    assert "CSA ministériel : vote par internet du 01/12/2026 à 10h00 au 08/12/2026 à 17h00" in text
    assert "Envoi postal au domicile" in text and "01/11/2026 à 09h00" in text
    assert "https://portail.test/mot-de-passe#jeton=" + "s" * 43 in content.links.values()
    assert "https://portail.test/inscription" in content.links.values()
