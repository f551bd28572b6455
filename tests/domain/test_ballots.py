import pytest

from chalicelib.domain.ballots import BallotDefinitionError, parse_ballot


def definition(**changes):
    ballot = {
        "id": "CSA-MEN",
        "label": "Comité social d'administration ministériel",
        "kind": "CSA",
        "level": "national",
        "perimeter": "Ministère de l'éducation nationale",
        "lists_published_at": "2026-10-17T10:00:00+02:00",
        "claims_close_at": "2026-10-25T17:00:00+02:00",
        "candidates_published_at": "2026-11-05T10:00:00+01:00",
        "voting_opens_at": "2026-11-29T10:00:00+01:00",
        "voting_closes_at": "2026-12-06T17:00:00+01:00",
        "candidate_lists": [
            {
                "id": "L1",
                "name": "Fédération syndicale unitaire",
                "acronym": "FSU",
                "statement_url": "https://example.org/fsu.pdf",
            }
        ],
    }
    ballot.update(changes)
    return {k: v for k, v in ballot.items() if v is not ...}


def problems(**changes):
    with pytest.raises(BallotDefinitionError) as caught:
        parse_ballot(definition(**changes))
    return " | ".join(caught.value.problems)


def test_a_complete_definition_parses():
    ballot = parse_ballot(definition())
    assert ballot.ballot_id == "CSA-MEN"
    assert ballot.voting_opens_at.utcoffset().total_seconds() == 3600
    assert ballot.candidate_lists[0].acronym == "FSU"


def test_fingerprint_changes_with_content_not_with_offset_notation():
    a = parse_ballot(definition())
    same_instant = parse_ballot(definition(voting_opens_at="2026-11-29T09:00:00Z"))
    other = parse_ballot(definition(label="Autre"))
    assert a.fingerprint() == same_instant.fingerprint()
    assert a.fingerprint() != other.fingerprint()


@pytest.mark.parametrize("field", ["id", "label", "kind", "level", "perimeter"])
def test_each_text_field_is_required(field):
    assert f"« {field} » manquant" in problems(**{field: ...})


@pytest.mark.parametrize(
    "field", ["lists_published_at", "claims_close_at", "candidates_published_at", "voting_opens_at", "voting_closes_at"]
)
def test_each_date_is_required(field):
    assert f"date « {field} » manquante" in problems(**{field: ...})


def test_dates_need_an_offset():
    assert "décalage horaire" in problems(voting_opens_at="2026-11-29T10:00:00")


def test_dates_must_be_in_order():
    assert "« voting_closes_at » doit être postérieure à « voting_opens_at »" in problems(
        voting_closes_at="2026-11-29T10:00:00+01:00"
    )
    assert "« claims_close_at » doit être postérieure" in problems(claims_close_at="2026-10-01T10:00:00+02:00")


def test_unknown_level_is_refused():
    assert "niveau « regional » inconnu" in problems(level="regional")


def test_candidate_lists_are_checked():
    bad = [
        {"id": "L1", "name": "A", "acronym": "A", "statement_url": "ftp://x"},
        {"id": "L1", "name": "", "acronym": "B", "statement_url": "https://x.org/b.pdf"},
    ]
    found = problems(candidate_lists=bad)
    assert "http(s)" in found and "en double" in found and "« name » manquant" in found


def test_candidate_lists_may_be_empty_but_not_absent():
    assert parse_ballot(definition(candidate_lists=[])).candidate_lists == ()
    assert "candidate_lists" in problems(candidate_lists=...)


def test_every_problem_is_reported_at_once():
    found = problems(id=..., level="x", voting_opens_at="demain")
    assert found.count("|") >= 2


def test_fingerprint_is_stable_across_releases():
    # Stored ballots keep their fingerprint: a release that changed the digest would make
    # every ballot look edited at the next re-import.
    assert parse_ballot(definition()).fingerprint() == "424e8adbcf0a7aad5a4c7e12f667b18a"
