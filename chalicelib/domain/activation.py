"""The activation report's arithmetic: counters per group, merged, turned into sorted rows.

Plain Python, no AWS: the service feeds it one page of voters at a time. Every structure
here is a `Counter` keyed by a group (an académie, a département, a ballot) or by a day, so
its size follows the number of groups and days of the election, never the number of voters:
1.1 M voters cost the same memory as 1 000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from chalicelib.domain.phases import PARIS

ACTIVE = "active"  # the account status of an activated espace (`domain.accounts.AccountStatus`)

ACADEMY = "academy"
DEPARTMENT = "department"
BALLOT = "ballot"
DIMENSIONS = (ACADEMY, DEPARTMENT, BALLOT)

# A chart of more days than this keeps the most recent ones: a stray date years away must
# not turn the chart into thousands of empty bars.
MAX_CHART_DAYS = 400


class VoterFacts(Protocol):
    """What the report reads of a voter (the store's `Voter`, with these attributes only)."""

    voter_id: str
    academy: str | None
    department: str | None
    ballot_ids: set[str] | None
    removed_at: datetime | None


def is_listed(voter: VoterFacts) -> bool:
    """On a list: not removed, and on at least one ballot (`store.voters.Voter.is_listed`)."""
    return voter.removed_at is None and bool(voter.ballot_ids)


def paris_day(instant: datetime) -> date:
    """The day in Paris, where the ministry counts days, whatever the server's zone."""
    return instant.astimezone(PARIS).date()


@dataclass
class ActivationTally:
    """Counters only, keyed by (dimension, group) and by day: merging two tallies is adding them."""

    voters_read: int = 0
    not_listed: int = 0
    registered: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    activated: Counter = field(default_factory=Counter)
    activations_per_day: Counter = field(default_factory=Counter)

    def merge(self, other: ActivationTally) -> ActivationTally:
        self.voters_read += other.voters_read
        self.not_listed += other.not_listed
        self.registered.update(other.registered)
        self.created.update(other.created)
        self.activated.update(other.activated)
        self.activations_per_day.update(other.activations_per_day)
        return self

    def total(self, measure: str) -> int:
        """Voters counted once each (the académie dimension has exactly one group per voter)."""
        counter = getattr(self, measure)
        return sum(n for (dimension, _), n in counter.items() if dimension == ACADEMY)


def groups_of(voter: VoterFacts) -> list[tuple[str, str]]:
    """The groups a listed voter counts in: one académie, one département, each of their ballots."""
    groups = [(ACADEMY, voter.academy or "—"), (DEPARTMENT, voter.department or "—")]
    groups.extend((BALLOT, ballot_id) for ballot_id in sorted(voter.ballot_ids or ()))
    return groups


def tally_page(voters: Iterable[VoterFacts], accounts: Mapping[str, tuple[str, datetime | None]]) -> ActivationTally:
    """One page of voters and the accounts that exist among them (voter id → status, activated at).

    A voter taken off the lists is counted apart and nowhere else. The day of activation is the
    account's first activation (`activated_at` is written once), even if the espace was
    suspended since: the chart shows when voters came, the tables what holds today.
    """
    tally = ActivationTally()
    for voter in voters:
        tally.voters_read += 1
        if not is_listed(voter):
            tally.not_listed += 1
            continue
        account = accounts.get(voter.voter_id)
        groups = groups_of(voter)
        tally.registered.update(groups)
        if account is None:
            continue
        status, activated_at = account
        tally.created.update(groups)
        if status == ACTIVE:
            tally.activated.update(groups)
        if activated_at is not None:
            tally.activations_per_day[paris_day(activated_at)] += 1
    return tally


def merge_tallies(tallies: Iterable[ActivationTally]) -> ActivationTally:
    merged = ActivationTally()
    for tally in tallies:
        merged.merge(tally)
    return merged


def activation_rate(activated: int, registered: int) -> float | None:
    """Percentage of registered voters whose espace is active; None when nobody is registered."""
    return 100 * activated / registered if registered else None


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    registered: int
    created: int
    activated: int

    @property
    def rate(self) -> float | None:
        return activation_rate(self.activated, self.registered)


def group_rows(tally: ActivationTally, dimension: str, labels: Mapping[str, str] | None = None) -> list[GroupRow]:
    """The groups of one dimension, lowest activation rate first (where an administrator should
    push), the largest group first among equal rates; groups with nobody registered come last."""
    labels = labels or {}
    keys = {key for (dim, key) in tally.registered if dim == dimension} | set(labels)
    rows = [
        GroupRow(
            key=key,
            label=labels.get(key, key),
            registered=tally.registered[(dimension, key)],
            created=tally.created[(dimension, key)],
            activated=tally.activated[(dimension, key)],
        )
        for key in keys
    ]
    return sorted(rows, key=lambda r: (r.rate is None, r.rate or 0.0, -r.registered, r.label, r.key))


@dataclass(frozen=True)
class CampaignMarker:
    campaign_id: str
    kind: str  # invitation, reminder
    name: str | None
    started_at: datetime

    @property
    def day(self) -> date:
        return paris_day(self.started_at)


def campaign_markers(campaigns: Iterable) -> list[CampaignMarker]:
    """The started campaigns (items with campaign_id, kind, name, started_at), by start."""
    markers = [
        CampaignMarker(c.campaign_id, c.kind or "", c.name, c.started_at) for c in campaigns if c.started_at is not None
    ]
    return sorted(markers, key=lambda m: (m.started_at, m.campaign_id))


def daily_series(per_day: Mapping[date, int], extra_days: Iterable[date] = ()) -> list[tuple[date, int]]:
    """Every day from the first to the last (of activations and `extra_days`), zeros included,
    so that the chart's x axis is time; at most `MAX_CHART_DAYS`, the most recent."""
    days = set(per_day) | set(extra_days)
    if not days:
        return []
    last = max(days)
    first = max(min(days), last - timedelta(days=MAX_CHART_DAYS - 1))
    span = (last - first).days + 1
    return [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(span)]


@dataclass
class ActivationReport:
    generated_at: datetime
    tally: ActivationTally
    ballot_labels: dict[str, str] = field(default_factory=dict)
    campaigns: list[CampaignMarker] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def voters_read(self) -> int:
        return self.tally.voters_read

    def rows(self, dimension: str) -> list[GroupRow]:
        return group_rows(self.tally, dimension, self.ballot_labels if dimension == BALLOT else None)

    def totals(self) -> GroupRow:
        return GroupRow(
            key="total",
            label="Total",
            registered=self.tally.total("registered"),
            created=self.tally.total("created"),
            activated=self.tally.total("activated"),
        )

    def days(self) -> list[tuple[date, int]]:
        return daily_series(self.tally.activations_per_day, (m.day for m in self.campaigns))
