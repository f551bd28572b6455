from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.phases import Phase, phase_at

PARIS = ZoneInfo("Europe/Paris")
SECOND = timedelta(seconds=1)


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


# The 2026 schedule, with the summer-to-winter change (25 Oct 2026, 03:00 CEST -> 02:00 CET)
# between the claims deadline and the publication of candidates.
BALLOT = SimpleNamespace(
    lists_published_at=paris(2026, 10, 17, 10),
    claims_close_at=paris(2026, 10, 25, 17),
    candidates_published_at=paris(2026, 11, 5, 10),
    voting_opens_at=paris(2026, 11, 29, 10),
    voting_closes_at=paris(2026, 12, 6, 17),
)

BOUNDARIES = [
    ("lists_published_at", Phase.UPCOMING, Phase.LISTS_PUBLISHED),
    ("claims_close_at", Phase.LISTS_PUBLISHED, Phase.CLAIMS_CLOSED),
    ("candidates_published_at", Phase.CLAIMS_CLOSED, Phase.CANDIDATES_PUBLISHED),
    ("voting_opens_at", Phase.CANDIDATES_PUBLISHED, Phase.VOTING_OPEN),
    ("voting_closes_at", Phase.VOTING_OPEN, Phase.CLOSED),
]


@pytest.mark.parametrize("field,before,after", BOUNDARIES)
def test_each_date_opens_the_next_phase_to_the_second(field, before, after):
    instant = getattr(BALLOT, field)
    assert phase_at(BALLOT, instant - SECOND) == before
    assert phase_at(BALLOT, instant) == after
    assert phase_at(BALLOT, instant + SECOND) == after


def test_the_instant_is_the_same_whatever_zone_the_caller_uses():
    opening_utc = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # 10:00 in Paris (CET)
    assert phase_at(BALLOT, opening_utc - SECOND) == Phase.CANDIDATES_PUBLISHED
    assert phase_at(BALLOT, opening_utc) == Phase.VOTING_OPEN


def test_across_the_daylight_saving_change():
    # Lists published at 10:00 CEST (08:00 UTC); claims close at 17:00 CET (16:00 UTC), after
    # the clocks went back: the offsets differ, the boundaries stay exact.
    ballot = SimpleNamespace(
        lists_published_at=paris(2026, 10, 24, 10),
        claims_close_at=paris(2026, 10, 25, 17),
        candidates_published_at=paris(2026, 11, 5, 10),
        voting_opens_at=paris(2026, 11, 29, 10),
        voting_closes_at=paris(2026, 12, 6, 17),
    )
    assert ballot.lists_published_at.utcoffset() == timedelta(hours=2)
    assert ballot.claims_close_at.utcoffset() == timedelta(hours=1)
    assert phase_at(ballot, datetime(2026, 10, 25, 15, 59, 59, tzinfo=UTC)) == Phase.LISTS_PUBLISHED
    assert phase_at(ballot, datetime(2026, 10, 25, 16, 0, 0, tzinfo=UTC)) == Phase.CLAIMS_CLOSED
    # The hour that happens twice in Paris (02:00-03:00 on 25 Oct) is still ordered correctly.
    first = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=PARIS)
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert phase_at(ballot, first) == phase_at(ballot, second) == Phase.LISTS_PUBLISHED


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        phase_at(BALLOT, datetime(2026, 11, 29, 10))
