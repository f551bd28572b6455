"""A campaign's walk, worker side: one page of one unit per queue message.

Each unit (a scan segment of the voters table, or one ballot's list) is a chain of
messages, one per page: the worker reads the page, writes each targeted voter's delivery
entry (conditional: absent), queues their mail requests, commits the page on the unit
(conditional: the unit is still at this page), then queues the next page, delayed so that
all units together feed the campaign's mail queue at about the sending rate.

What a crash or a duplicate does:
- a page walked twice (redelivered message, or two copies at once): the entries its unit
  wrote are recognised as its own and queued again if still waiting (even if an import moved
  the voter to another page meanwhile), which the mail worker's own claim makes harmless;
  only one commit counts the page;
- a crash after the commit and before the next page was queued: the redelivered message
  finds its page committed but not continued, and queues the next page; a duplicate that
  finds it continued does nothing, so duplicates never multiply along the chain;
- a pause stops a chain at its next page (the unit keeps its place); `resume` and a
  repeated `start` queue the current page of every unit not done.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from chalicelib.domain.campaigns import (
    AddressFacts,
    CampaignState,
    Exclusion,
    Scope,
    UnitKind,
    WalkUnit,
    address_facts,
    exclusion,
)
from chalicelib.domain.sending_rate import SendingPlan
from chalicelib.mail import queue
from chalicelib.store import campaign_deliveries, campaigns
from chalicelib.store.accounts import accounts_of
from chalicelib.store.campaign_deliveries import Queueing
from chalicelib.store.campaigns import CampaignItem
from chalicelib.store.deliverability import statuses_of
from chalicelib.store.electoral_list import voter_ids_page
from chalicelib.store.voters import Voter, scan_page, voters_by_id

PAGE_SIZE = 100  # voters per page: one BatchGetItem of their accounts, one of their addresses
BACKLOG_WAIT_SECONDS = 30
OUTSIDE = "outside"  # not listed, or outside the campaign's scope: not counted as excluded


def scope_of(campaign: CampaignItem) -> Scope:
    return Scope(ballot_ids=tuple(campaign.ballot_ids or ()), academy=campaign.academy)


def read_page(unit: WalkUnit, cursor: dict | None, limit: int) -> tuple[list[Voter], dict | None]:
    """One page of the unit's voters, and the cursor of the next (None: the unit is done)."""
    if unit.kind is UnitKind.LIST:
        voter_ids, following = voter_ids_page(unit.ballot_id, cursor=cursor, limit=limit)
        return voters_by_id(voter_ids), following
    return scan_page(segment=unit.segment, total_segments=unit.total_segments, cursor=cursor, limit=limit)


def classify(voters: list[Voter], scope: Scope) -> list[tuple[Voter, Exclusion | str | None]]:
    """Each voter with why they get nothing (an `Exclusion`, or OUTSIDE), or None to write to
    them: two BatchGetItem for the page (their accounts, their addresses' reports)."""
    in_scope = [
        v
        for v in voters
        if v.removed_at is None
        and v.email
        and v.ballot_ids
        and scope.covers(ballot_ids=v.ballot_ids, academy=v.academy)
    ]
    accounts = accounts_of([v.voter_id for v in in_scope])
    statuses = statuses_of([v.email for v in in_scope])
    verdicts: dict[str, Exclusion | str | None] = {v.voter_id: OUTSIDE for v in voters}
    for voter in in_scope:
        account = accounts.get(voter.voter_id)
        status = statuses.get(voter.email)
        verdicts[voter.voter_id] = exclusion(
            account_status=account.status if account else None,
            suspended=bool(account and account.status != "active" and account.address_change),
            address=address_facts(
                last_event=status.last_event, bounce_type=status.bounce_type, complaints=int(status.complaints or 0)
            )
            if status
            else AddressFacts(),
        )
    return [(v, verdicts[v.voter_id]) for v in voters]


def count_verdict(counts: Counter, verdict: Exclusion | str | None) -> None:
    if verdict == OUTSIDE:
        counts["outside"] += 1
    elif verdict is not None:
        counts[f"excluded_{verdict.value}"] += 1


def walk_page(message: dict, *, now: datetime, plan: SendingPlan) -> str:
    """Walk the page this message names; returns what happened (for logs and tests)."""
    campaign_id, number, page = message["campaign_id"], int(message["unit"]), int(message["page"])
    campaign = campaigns.find_campaign(campaign_id)
    if campaign is None:
        return "unknown_campaign"
    state = CampaignState(campaign.state)
    if state is CampaignState.CANCELLED:
        return "cancelled"
    unit = campaigns.find_unit(campaign_id, number)
    if unit is None:
        return "unknown_unit"
    if page < unit.next_page:
        if page == unit.next_page - 1 and not unit.done and (unit.continued_page or 0) < unit.next_page:
            _continue(campaign, unit, unit.next_page, queued=0, plan=plan)  # committed, then lost its next page
            return "continued"
        return "already_walked"
    if page > unit.next_page or unit.done:
        return "not_current"
    if state is not CampaignState.RUNNING:
        return "paused"  # the unit keeps its place; `resume` queues this page again
    if queue.backlog(queue.CAMPAIGN_MAIL) > plan.backlog_limit:
        # Sending is behind (SES throttling, a slow worker): wait rather than pile up.
        queue.enqueue(message, queue=queue.CAMPAIGN_WALK, delay_seconds=BACKLOG_WAIT_SECONDS)
        return "waiting"

    voters, cursor = read_page(unit.walk_unit(), unit.cursor, PAGE_SIZE)
    counts: Counter = Counter(scanned=len(voters))
    requests = []
    walk_mark = f"{number}:{page}"
    for voter, verdict in classify(voters, scope_of(campaign)):
        if verdict is not None:
            count_verdict(counts, verdict)
            continue
        queued = campaign_deliveries.queue_delivery(
            campaign_id=campaign_id,
            unit=number,
            voter_id=voter.voter_id,
            recipient=voter.email,
            kind=campaign.kind,
            walk_page=walk_mark,
            now=now,
        )
        if queued in (Queueing.OTHER, Queueing.OTHER_QUEUED):
            counts[f"excluded_{Exclusion.ALREADY_REACHED.value}"] += 1
        else:
            counts["queued"] += 1
        if queued in (Queueing.NEW, Queueing.OURS_QUEUED, Queueing.OTHER_QUEUED):
            requests.append({"campaign_id": campaign_id, "unit": number, "voter_id": voter.voter_id})
    queue.enqueue_batch(requests, queue=queue.CAMPAIGN_MAIL)
    if not campaigns.commit_page(campaign_id, number, page=page, cursor=cursor, counts=dict(counts)):
        return "walked_elsewhere"  # a copy of this message committed it first
    if cursor is not None:
        _continue(campaign, unit, page + 1, queued=len(requests), plan=plan)
    return "walked"


def _continue(campaign: CampaignItem, unit: CampaignItem, next_page: int, *, queued: int, plan: SendingPlan) -> None:
    """Queue the unit's next page, then say so on the unit (so a redelivery does not again)."""
    queue.enqueue(
        {"campaign_id": campaign.campaign_id, "unit": int(unit.unit), "page": next_page},
        queue=queue.CAMPAIGN_WALK,
        delay_seconds=plan.continuation_delay(queued, int(campaign.unit_count or 1)),
    )
    campaigns.mark_continued(campaign.campaign_id, int(unit.unit), next_page)
