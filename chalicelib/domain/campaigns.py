"""Invitation campaigns: who a campaign writes to, its states, how it is cut into work, its pace.

A campaign is the ministry's email to the agents (an invitation when the portal opens, then
reminders to those not in yet). It is walked in independent units (a parallel-scan segment
of the voters table, or one ballot's electoral list), page by page, by workers that queue one
mail request per targeted voter. These are the rules those workers and the planner share,
as pure functions: no clock read, no AWS.

Why a voter gets at most one email per campaign: the walker writes the voter's delivery
entry with a condition (absent), and only the mail worker that moves that entry from
"queued" to "sending" (another condition) may send; every duplicate message, redelivered
page or concurrent worker meets a failed condition, not a second email.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum


class CampaignKind(str, Enum):
    INVITATION = "invitation"  # "your espace is waiting": the email of the portal's opening
    REMINDER = "reminder"  # to listed voters whose espace is not active yet


class CampaignState(str, Enum):
    PLANNED = "planned"  # counted, nothing sent
    RUNNING = "running"
    PAUSED = "paused"  # the walk stops at its next page; queued emails wait
    CANCELLED = "cancelled"  # nothing more is queued or sent; final


class CampaignAction(str, Enum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


# Which state each action may leave, and the state it leads to.
TRANSITIONS: dict[CampaignAction, tuple[frozenset[CampaignState], CampaignState]] = {
    CampaignAction.START: (frozenset({CampaignState.PLANNED}), CampaignState.RUNNING),
    CampaignAction.PAUSE: (frozenset({CampaignState.RUNNING}), CampaignState.PAUSED),
    CampaignAction.RESUME: (frozenset({CampaignState.PAUSED}), CampaignState.RUNNING),
    CampaignAction.CANCEL: (
        frozenset({CampaignState.PLANNED, CampaignState.RUNNING, CampaignState.PAUSED}),
        CampaignState.CANCELLED,
    ),
}


class Exclusion(str, Enum):
    """Why a voter within the campaign's scope gets no email from it (in the order checked)."""

    ACTIVE = "active"  # their espace is active: never invited, never reminded
    SUSPENDED = "suspended"  # the roll changed their address: the new one got its own link
    COMPLAINED = "complained"  # they marked one of our emails as spam: never mailed again by a campaign
    BOUNCED = "bounced"  # the address bounced for good: until an import gives another one
    ALREADY_REACHED = "already_reached"  # this campaign already queued them (a voter on two chosen ballots)


@dataclass(frozen=True)
class Scope:
    """Which listed voters a campaign is about: on one of these ballots (all if none), in this académie."""

    ballot_ids: tuple[str, ...] = ()
    academy: str | None = None

    def covers(self, *, ballot_ids, academy: str) -> bool:
        if self.academy is not None and academy != self.academy:
            return False
        return not self.ballot_ids or bool(set(self.ballot_ids) & set(ballot_ids or ()))


@dataclass(frozen=True)
class AddressFacts:
    """What SES told us about an address (the deliverability table)."""

    bounced: bool = False  # the last report is a permanent bounce
    complained: bool = False  # at least one complaint, ever


def address_facts(*, last_event: str | None, bounce_type: str | None, complaints: int) -> AddressFacts:
    return AddressFacts(
        bounced=last_event == "bounce" and bounce_type == "Permanent",
        complained=bool(complaints),
    )


def exclusion(*, account_status: str | None, suspended: bool, address: AddressFacts) -> Exclusion | None:
    """Why this voter (listed, in scope) must not be written to, or None to write."""
    if account_status == "active":
        return Exclusion.ACTIVE
    if suspended:
        return Exclusion.SUSPENDED
    if address.complained:
        return Exclusion.COMPLAINED
    if address.bounced:
        return Exclusion.BOUNCED
    return None


class UnitKind(str, Enum):
    SCAN = "scan"  # one segment of a parallel scan of the voters table
    LIST = "list"  # one ballot's electoral list partition


@dataclass(frozen=True)
class WalkUnit:
    """One independent chain of pages; numbered, so counters and SES tags can name it briefly."""

    number: int
    kind: UnitKind
    segment: int = 0
    total_segments: int = 1
    ballot_id: str | None = None


def walk_units(scope: Scope, *, scan_segments: int) -> list[WalkUnit]:
    """A chosen set of ballots is walked through their lists (reads only their voters); a
    whole-roll campaign, or an académie's, through a parallel scan of the voters table."""
    if scope.ballot_ids:
        return [WalkUnit(n, UnitKind.LIST, ballot_id=b) for n, b in enumerate(sorted(set(scope.ballot_ids)))]
    return [WalkUnit(n, UnitKind.SCAN, segment=n, total_segments=scan_segments) for n in range(scan_segments)]


def link_expiry(*, now: datetime, claims_close: list[datetime], minimum: timedelta) -> datetime:
    """An invitation's link lasts until the claims of the voter's first ballot close (so
    that the voter can still contest the list with it), and at least `minimum`."""
    floor = now + minimum
    return max(min(claims_close), floor) if claims_close else floor


# Counters a campaign's units accumulate. The walk writes the first group once per page,
# the mail worker one of the second per email, SES's reports and activations the last.
WALK_COUNTERS = ("scanned", "outside", "queued") + tuple(f"excluded_{e.value}" for e in Exclusion)
SEND_COUNTERS = ("sent", "failed", "skipped", "cancelled")
AFTER_COUNTERS = ("bounced", "complained", "activated")
COUNTERS = WALK_COUNTERS + SEND_COUNTERS + AFTER_COUNTERS


@dataclass
class Totals:
    """Counters summed over a campaign's units (no single item is updated by every worker)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    units: int = 0
    units_done: int = 0

    def add(self, counters: dict[str, int], *, done: bool) -> None:
        for name in COUNTERS:
            self.counts[name] += int(counters.get(name) or 0)
        self.units += 1
        self.units_done += int(done)

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    @property
    def handled(self) -> int:
        """Queued emails whose fate is known: sent, failed, skipped at sending, or cancelled."""
        return sum(self.counts[name] for name in SEND_COUNTERS)

    @property
    def walk_done(self) -> bool:
        return self.units > 0 and self.units_done == self.units

    @property
    def finished(self) -> bool:
        return self.walk_done and self.handled >= self.counts["queued"]


# SES message tags: a campaign's email says which campaign, unit and voter it is for, and
# SES's bounce and complaint reports bring the tags back. Tag values may hold only ASCII
# letters, digits, "_" and "-": a voter id (which may hold ".") travels in base32.
def ses_tags(campaign_id: str, unit: int, voter_id: str) -> dict[str, str]:
    return {
        "campaign": campaign_id,
        "unit": str(unit),
        "voter": base64.b32encode(voter_id.encode()).decode().rstrip("="),
    }


def delivery_of_tags(tags: dict) -> tuple[str, int, str] | None:
    """(campaign, unit, voter) from a report's `mail.tags` ({name: [values]}), or None."""
    try:
        campaign_id, unit, voter = (tags[name][0] for name in ("campaign", "unit", "voter"))
        padded = voter + "=" * (-len(voter) % 8)
        return campaign_id, int(unit), base64.b32decode(padded).decode()
    except (KeyError, IndexError, TypeError, ValueError):
        return None
