"""Invitation campaigns, administrator side: plan, start, pause, resume, cancel, follow.

The administrator's computer only records decisions and reads counters: `start` writes the
campaign's units and queues the first page of each; the walk and the sending run in AWS
(`services.campaign_walk`, `services.campaign_mail`), so a laptop closing changes nothing.
`plan` counts, with the walk's own rules, whom the campaign would write to, and sends nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from chalicelib import settings
from chalicelib.domain.campaigns import (
    CampaignAction,
    CampaignKind,
    CampaignState,
    Exclusion,
    Scope,
    Totals,
    WalkUnit,
    walk_units,
)
from chalicelib.mail import queue
from chalicelib.services import campaign_walk
from chalicelib.services.campaign_walk import classify, count_verdict, read_page, scope_of
from chalicelib.store import campaigns
from chalicelib.store.ballots import get_ballots
from chalicelib.store.campaigns import CampaignItem

PREFIXES = {CampaignKind.INVITATION: "inv", CampaignKind.REMINDER: "rap"}


class CampaignNotFound(Exception):
    pass


class CampaignStateError(Exception):
    """The campaign's state does not allow this action (its state is in `state`)."""

    def __init__(self, campaign_id: str, state: CampaignState, action: CampaignAction):
        super().__init__(campaign_id)
        self.campaign_id, self.state, self.action = campaign_id, state, action


class UnknownBallots(Exception):
    def __init__(self, ballot_ids: list[str]):
        super().__init__(", ".join(ballot_ids))
        self.ballot_ids = ballot_ids


def scan_segments() -> int:
    return settings.integer("CAMPAIGN_SCAN_SEGMENTS", 16)


@dataclass
class CampaignReport:
    campaign: CampaignItem
    totals: Totals

    @property
    def state(self) -> CampaignState:
        return CampaignState(self.campaign.state)

    @property
    def finished(self) -> bool:
        return self.state is CampaignState.RUNNING and self.totals.finished


def survey(scope: Scope, units: list[WalkUnit], *, progress=None, workers: int = 8) -> Counter:
    """Whom a campaign of this scope would write to now: the walk's rules, read only, every
    unit in parallel (a thread each, up to `workers`), a page at a time (bounded memory).

    A voter on two of the chosen ballots is counted by the first (in ballot order) and
    "already reached" on the others, as the walk's conditional write would find them."""
    totals: Counter = Counter()
    lock = threading.Lock()
    chosen = sorted(set(scope.ballot_ids))

    def walk(unit: WalkUnit) -> None:
        cursor, first = None, True
        while first or cursor is not None:
            first = False
            voters, cursor = read_page(unit, cursor, campaign_walk.PAGE_SIZE)
            counts: Counter = Counter(scanned=len(voters))
            for voter, verdict in classify(voters, scope):
                if verdict is None and unit.ballot_id is not None:
                    earlier = [b for b in chosen if b < unit.ballot_id and b in (voter.ballot_ids or ())]
                    verdict = Exclusion.ALREADY_REACHED if earlier else None
                if verdict is None:
                    counts["queued"] += 1
                else:
                    count_verdict(counts, verdict)
            with lock:
                totals.update(counts)
                if progress:
                    progress("Comptage des électeurs", totals["scanned"], None)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(units)))) as pool:
        list(pool.map(walk, units))
    return totals


def plan_campaign(
    kind: CampaignKind,
    *,
    ballot_ids: list[str],
    academy: str | None,
    name: str | None,
    now: datetime,
    progress=None,
) -> CampaignItem:
    """Record a campaign ("planned") with what it would send now; nothing is sent."""
    ballot_ids = sorted(set(ballot_ids))
    if ballot_ids:
        known = {b.ballot_id for b in get_ballots(ballot_ids)}
        unknown = [b for b in ballot_ids if b not in known]
        if unknown:
            raise UnknownBallots(unknown)
    scope = Scope(ballot_ids=tuple(ballot_ids), academy=academy)
    units = walk_units(scope, scan_segments=scan_segments())
    started = time.monotonic()
    counts = survey(scope, units, progress=progress)
    planned = dict(counts) | {"seconds": round(time.monotonic() - started, 3)}
    while True:
        item = CampaignItem(
            f"{PREFIXES[kind]}-{now:%Y%m%d}-{secrets.token_hex(3)}",
            kind=kind.value,
            name=name or None,
            state=CampaignState.PLANNED.value,
            ballot_ids=ballot_ids or None,
            academy=academy or None,
            scan_segments=scan_segments(),
            unit_count=len(units),
            created_at=now,
            state_changed_at=now,
            planned=planned,
        )
        if campaigns.create_campaign(item):
            return item


def _campaign(campaign_id: str) -> CampaignItem:
    campaign = campaigns.find_campaign(campaign_id)
    if campaign is None:
        raise CampaignNotFound(campaign_id)
    return campaign


def _kick(campaign: CampaignItem) -> int:
    """Queue the current page of every unit not done; returns how many. A unit whose page is
    already queued gets a copy, which the walk recognises and drops."""
    pending = [u for u in campaigns.units_of(campaign.campaign_id) if not u.done]
    queue.enqueue_batch(
        [{"campaign_id": campaign.campaign_id, "unit": int(u.unit), "page": int(u.next_page)} for u in pending],
        queue=queue.CAMPAIGN_WALK,
    )
    return len(pending)


def start_campaign(campaign_id: str, *, now: datetime) -> CampaignItem:
    """Start a planned campaign. Starting a running one again queues its walk again where it
    stands (after a failure to queue, say): the walk takes duplicates in its stride."""
    campaign = _campaign(campaign_id)
    state = CampaignState(campaign.state)
    if state is CampaignState.PLANNED:
        campaigns.create_units(campaign_id, walk_units(scope_of(campaign), scan_segments=int(campaign.scan_segments)))
        if not campaigns.change_state(campaign_id, CampaignAction.START, now=now):
            campaign = _campaign(campaign_id)
            if CampaignState(campaign.state) is not CampaignState.RUNNING:
                raise CampaignStateError(campaign_id, CampaignState(campaign.state), CampaignAction.START)
    elif state is not CampaignState.RUNNING:
        raise CampaignStateError(campaign_id, state, CampaignAction.START)
    campaign = _campaign(campaign_id)
    _kick(campaign)
    return campaign


def change_campaign(campaign_id: str, action: CampaignAction, *, now: datetime) -> CampaignItem:
    """Pause, resume or cancel; a resume queues the walk again where each unit stopped."""
    campaign = _campaign(campaign_id)
    if not campaigns.change_state(campaign_id, action, now=now):
        raise CampaignStateError(campaign_id, CampaignState(_campaign(campaign_id).state), action)
    campaign = _campaign(campaign_id)
    if action is CampaignAction.RESUME:
        _kick(campaign)
    return campaign


def campaign_report(campaign_id: str) -> CampaignReport:
    campaign = _campaign(campaign_id)
    totals = Totals()
    for unit in campaigns.units_of(campaign_id):
        totals.add(unit.counters(), done=bool(unit.done))
    return CampaignReport(campaign, totals)


def all_campaign_reports() -> list[CampaignReport]:
    found = sorted(campaigns.all_campaigns(), key=lambda c: c.created_at)
    return [campaign_report(c.campaign_id) for c in found]
