from datetime import UTC, datetime, timedelta

from chalicelib.domain.address_changes import change_marker, moved_from, request_id
from chalicelib.domain.voter_rows import StoredVoter, VoterRow

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def row(email):
    return VoterRow("P1", "Martin", "Camille", email, "A", "D", "W", "C", ("CSA-MEN",))


def stored(email, removed_email=None):
    return StoredVoter(
        "P1", email, "Martin", "Camille", "W", ("CSA-MEN",), NOW.isoformat(), email is None, removed_email
    )


def test_an_address_change_is_seen_against_the_stored_or_the_removed_address():
    assert moved_from(row("b@ac-poitiers.fr"), None) is None  # a new voter
    assert moved_from(row("a@ac-poitiers.fr"), stored("A@AC-Poitiers.fr")) is None  # same address, other case
    assert moved_from(row("b@ac-poitiers.fr"), stored("a@ac-poitiers.fr")) == "a@ac-poitiers.fr"
    assert moved_from(row("b@ac-poitiers.fr"), stored(None, "a@ac-poitiers.fr")) == "a@ac-poitiers.fr"
    assert moved_from(row("a@ac-poitiers.fr"), stored(None, "a@ac-poitiers.fr")) is None


def test_request_ids_are_the_same_for_one_change_and_differ_otherwise():
    marker = change_marker("P1", "a@x.fr", "b@x.fr")
    assert marker == change_marker("P1", "a@x.fr", "b@x.fr") != change_marker("P1", "b@x.fr", "a@x.fr")
    assert "a@x.fr" not in marker
    ids = {
        request_id("address_changed", marker, NOW),
        request_id("address_confirmation", marker, NOW),
        request_id("address_changed", marker, NOW + timedelta(microseconds=1)),
    }
    assert len(ids) == 3 and request_id("address_changed", marker, NOW) in ids
