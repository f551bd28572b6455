import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from chalicelib.admin import cli
from chalicelib.admin.activation_html import write_report
from chalicelib.domain.activation import (
    ACADEMY,
    BALLOT,
    DEPARTMENT,
    MAX_CHART_DAYS,
    ActivationReport,
    campaign_markers,
    daily_series,
    group_rows,
    merge_tallies,
    paris_day,
    tally_page,
)
from chalicelib.services.activation_report import activation_report
from chalicelib.store.accounts import Account
from chalicelib.store.activation import activation_of
from chalicelib.store.voters import Voter
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

HOSTILE = "<script>alert(1)</script>"


def facts(voter_id, academy="A", department="D", ballot_ids=("B1",), removed_at=None):
    return SimpleNamespace(
        voter_id=voter_id,
        academy=academy,
        department=department,
        ballot_ids=set(ballot_ids) if ballot_ids else None,
        removed_at=removed_at,
    )


# The pure arithmetic.


def test_a_page_counts_listed_voters_per_group_and_activations_per_day():
    late_evening = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # already the 29th in Paris
    voters = [
        facts("1", ballot_ids=("B1", "B2")),
        facts("2"),
        facts("3", academy="Z", department="E"),
        facts("4", removed_at=NOW),  # removed: counted apart only
        facts("5", ballot_ids=()),  # on no ballot: not listed
    ]
    accounts = {"1": ("active", late_evening), "2": ("pending", None), "4": ("active", NOW)}
    tally = tally_page(voters, accounts)
    assert (tally.voters_read, tally.not_listed) == (5, 2)
    assert tally.registered[(ACADEMY, "A")] == 2 and tally.registered[(ACADEMY, "Z")] == 1
    assert tally.created[(ACADEMY, "A")] == 2 and tally.activated[(ACADEMY, "A")] == 1
    assert tally.registered[(BALLOT, "B1")] == 3 and tally.activated[(BALLOT, "B2")] == 1
    assert tally.activations_per_day == Counter({date(2026, 11, 29): 1})
    assert (tally.total("registered"), tally.total("created"), tally.total("activated")) == (3, 2, 1)


def test_tallies_merge_by_adding():
    one = tally_page([facts("1")], {"1": ("active", NOW)})
    two = tally_page([facts("2"), facts("3", removed_at=NOW)], {})
    merged = merge_tallies([one, two])
    assert merged.voters_read == 3 and merged.not_listed == 1
    assert merged.registered[(DEPARTMENT, "D")] == 2 and merged.activated[(DEPARTMENT, "D")] == 1
    assert merged.activations_per_day[paris_day(NOW)] == 1


def test_rows_put_the_lowest_rate_first_and_empty_groups_last():
    voters = [facts(str(i), academy="Haut") for i in range(4)] + [facts(str(10 + i), academy="Bas") for i in range(4)]
    accounts = {"0": ("active", NOW), "1": ("active", NOW), "10": ("active", NOW)}
    tally = tally_page(voters, accounts)
    rows = group_rows(tally, ACADEMY)
    assert [(r.label, r.registered, r.activated, r.rate) for r in rows] == [("Bas", 4, 1, 25.0), ("Haut", 4, 2, 50.0)]
    ballots = group_rows(tally, BALLOT, {"B1": "Scrutin 1", "B9": "Scrutin sans inscrit"})
    assert [(r.key, r.label, r.rate) for r in ballots] == [
        ("B1", "Scrutin 1", 37.5),
        ("B9", "Scrutin sans inscrit", None),
    ]


def test_the_daily_series_has_every_day_and_is_bounded():
    series = daily_series({date(2026, 11, 3): 2, date(2026, 11, 5): 1}, [date(2026, 11, 1)])
    assert series == [(date(2026, 11, d), n) for d, n in [(1, 0), (2, 0), (3, 2), (4, 0), (5, 1)]]
    stray = daily_series({date(2001, 1, 1): 1, date(2026, 11, 5): 1})
    assert len(stray) == MAX_CHART_DAYS and stray[-1] == (date(2026, 11, 5), 1)
    assert daily_series({}) == []


def test_only_started_campaigns_are_marked_in_order():
    campaigns = [
        SimpleNamespace(campaign_id="c2", kind="reminder", name=None, started_at=NOW),
        SimpleNamespace(campaign_id="c1", kind="invitation", name="Ouverture", started_at=NOW - timedelta(days=5)),
        SimpleNamespace(campaign_id="c3", kind="reminder", name="Prévue", started_at=None),
    ]
    assert [m.campaign_id for m in campaign_markers(campaigns)] == ["c1", "c2"]


# Through DynamoDB (moto).


def import_election(tmp_path):
    from chalicelib.services.ballot_import import import_ballots
    from chalicelib.services.voter_import import import_voters

    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    rows = [
        voter(1),
        voter(2),
        voter(3, academy="Académie de Lyon", department="Rhône", ballots="CSA-MEN"),
        voter(4, academy=HOSTILE, department="Ain", ballots="CSA-MEN"),
        voter(5),
    ]
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)
    # Voter 5 leaves the lists after activating: counted nowhere.
    Voter(voter_id="P00000005").update(actions=[Voter.removed_at.set(NOW)])
    Account(voter_id="P00000001", status="active", created_at=NOW, activated_at=NOW).save()
    Account(voter_id="P00000002", status="pending", created_at=NOW).save()
    yesterday = NOW - timedelta(days=1)
    Account(voter_id="P00000003", status="active", created_at=yesterday, activated_at=yesterday).save()
    Account(voter_id="P00000005", status="active", created_at=NOW, activated_at=NOW).save()


def by_key(rows):
    return {r.key: (r.registered, r.created, r.activated, r.rate) for r in rows}


def test_the_report_counts_per_academy_department_and_ballot(aws, tmp_path):
    import_election(tmp_path)
    seen = []
    report = activation_report(now=NOW, segments=3, progress=lambda stage, done, total: seen.append(done))
    assert report.voters_read == 5 and report.tally.not_listed == 1 and max(seen) == 5
    assert by_key(report.rows(ACADEMY)) == {
        "Académie de Poitiers": (2, 2, 1, 50.0),
        "Académie de Lyon": (1, 1, 1, 100.0),
        HOSTILE: (1, 0, 0, 0.0),
    }
    assert by_key(report.rows(DEPARTMENT)) == {
        "Vienne": (2, 2, 1, 50.0),
        "Rhône": (1, 1, 1, 100.0),
        "Ain": (1, 0, 0, 0.0),
    }
    assert by_key(report.rows(BALLOT)) == {"CSA-MEN": (4, 3, 2, 50.0), "CSA-ACA": (2, 2, 1, 50.0)}
    assert report.rows(BALLOT)[0].label == "Scrutin CSA-MEN"
    assert [r.key for r in report.rows(ACADEMY)][0] == HOSTILE  # lowest rate first
    assert report.tally.activations_per_day == Counter({paris_day(NOW): 1, paris_day(NOW - timedelta(days=1)): 1})
    total = report.totals()
    assert (total.registered, total.created, total.activated) == (4, 3, 2)


def test_the_segments_are_read_page_by_page(aws, tmp_path, monkeypatch):
    from chalicelib.services import activation_report as service

    import_election(tmp_path)
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    report = activation_report(now=NOW, segments=1)
    assert report.voters_read == 5 and report.totals().registered == 4


def test_activation_of_reads_only_existing_accounts(aws):
    Account(voter_id="P1", status="active", created_at=NOW, activated_at=NOW).save()
    Account(voter_id="P2", status="pending", created_at=NOW).save()
    ids = ["P1", "P2"] + [f"X{i}" for i in range(250)]  # more than one request of 100 keys
    assert activation_of(ids) == {"P1": ("active", NOW), "P2": ("pending", None)}
    assert activation_of([]) == {}


def external_references(page: str) -> list[str]:
    found = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    found += re.findall(r"<script\b|<link\b|@import|url\(", page, flags=re.I)
    found += re.findall(r"https?://", page)
    return found


def test_the_html_file_is_self_contained_escaped_and_has_the_numbers(aws, tmp_path):
    import_election(tmp_path)
    path = write_report(activation_report(now=NOW), tmp_path / "rapport.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="fr">' in page and 'charset="utf-8"' in page
    assert "Activation des espaces électeurs" in page and "Activations par jour" in page
    assert external_references(page) == []
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Académie de Poitiers" in page and "Scrutin CSA-MEN" in page and "50,0\u202f%" in page
    assert "<svg" in page and "<rect" in page


def test_campaign_markers_appear_on_the_chart_escaped(tmp_path):
    from chalicelib.domain.activation import ActivationTally, CampaignMarker

    tally = tally_page([facts("1")], {"1": ("active", NOW)})
    marker = CampaignMarker("c1", "reminder", HOSTILE, NOW - timedelta(days=2))
    report = ActivationReport(generated_at=NOW, tally=merge_tallies([tally, ActivationTally()]), campaigns=[marker])
    page = write_report(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "relance « &lt;script&gt;" in page and HOSTILE not in page
    assert page.count('stroke-dasharray="4 3"') == 1


def test_the_cli_writes_the_report(aws, tmp_path, test_stage_config):
    import_election(tmp_path)
    path = tmp_path / "stats.html"
    out = io.StringIO()
    assert cli.main(["--stage", "test", "stats", "--html", str(path)], out=out, config_path=test_stage_config) == 0
    assert path.exists() and "Activation des espaces électeurs" in path.read_text(encoding="utf-8")
    text = out.getvalue()
    assert "Total : 4 électeurs inscrits" in text  # the text table is still printed
    assert f"Rapport écrit : {path} (5 électeurs lus en" in text
