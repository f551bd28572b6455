"""The campaigns table: each campaign's definition, and one item per unit of its walk.

Partition `campaign_id`; sort key `part`: "definition" (what the administrator asked for,
its state, what the planner counted), and "unit#0003" for each unit of the walk (its cursor,
its next page, and the counters of its voters). The workers never touch a shared item: the
walk writes its unit's counters once per page, the mail worker adds one to the unit of the
voter it wrote to, SES's reports and activations likewise; `campaign status` sums the units
(one Query). A campaign of 16 units at 200 emails a second writes each unit about 12 times
a second, far below what one DynamoDB item takes.

Every counter is an attribute of its own (`ADD sent 1`), listed once in
`domain.campaigns.COUNTERS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.campaigns import COUNTERS, TRANSITIONS, CampaignAction, UnitKind, WalkUnit
from chalicelib.store.base import condition_held, get_or_none, table_meta
from chalicelib.transient import translate_transient

DEFINITION = "definition"


def unit_part(number: int) -> str:
    return f"unit#{number:04d}"


class CampaignItem(Model):
    Meta = table_meta("CAMPAIGNS_TABLE")

    campaign_id = UnicodeAttribute(hash_key=True)
    part = UnicodeAttribute(range_key=True)  # "definition" or "unit#NNNN"

    # The definition.
    kind = UnicodeAttribute(null=True)  # invitation, reminder
    name = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    ballot_ids = ListAttribute(of=UnicodeAttribute, null=True)
    academy = UnicodeAttribute(null=True)
    scan_segments = NumberAttribute(null=True)
    unit_count = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    state_changed_at = UTCDateTimeAttribute(null=True)
    planned = JSONAttribute(null=True)  # what `campaign plan` counted: targeted, excluded by reason

    # A unit of the walk.
    unit = NumberAttribute(null=True)
    unit_kind = UnicodeAttribute(null=True)  # scan, list
    segment = NumberAttribute(null=True)
    total_segments = NumberAttribute(null=True)
    ballot_id = UnicodeAttribute(null=True)
    next_page = NumberAttribute(null=True)
    cursor = JSONAttribute(null=True)  # DynamoDB's LastEvaluatedKey of the page before next_page
    done = BooleanAttribute(null=True)
    continued_page = NumberAttribute(null=True)  # the last next page queued

    # One number attribute per counter (`domain.campaigns.COUNTERS`), so each is one ADD.
    for _name in COUNTERS:
        locals()[_name] = NumberAttribute(null=True)
    del _name

    @classmethod
    def counter(cls, name: str):
        """The attribute of one counter, for an ADD in an update or a transaction."""
        return getattr(cls, name)

    def counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name) or 0) for name in COUNTERS}

    def walk_unit(self) -> WalkUnit:
        return WalkUnit(
            number=int(self.unit),
            kind=UnitKind(self.unit_kind),
            segment=int(self.segment or 0),
            total_segments=int(self.total_segments or 1),
            ballot_id=self.ballot_id,
        )


@translate_transient()
def create_campaign(item: CampaignItem) -> bool:
    """Record a new campaign's definition; False if the id is taken (nothing written)."""
    item.part = DEFINITION
    return condition_held(lambda: item.save(condition=CampaignItem.campaign_id.does_not_exist()))


@translate_transient()
def find_campaign(campaign_id: str) -> CampaignItem | None:
    return get_or_none(CampaignItem, campaign_id, DEFINITION, consistent_read=True)


def all_campaigns() -> Iterator[CampaignItem]:
    """Every campaign's definition, for the administrators' CLI (a Scan of a small table)."""
    with translate_transient():
        yield from CampaignItem.scan(CampaignItem.part == DEFINITION)


@translate_transient()
def change_state(campaign_id: str, action: CampaignAction, *, now: datetime) -> bool:
    """Apply an action if the campaign is in a state that allows it (a conditional update,
    so that two administrators cannot, say, resume a campaign the other just cancelled)."""
    allowed, target = TRANSITIONS[action]
    actions = [CampaignItem.state.set(target.value), CampaignItem.state_changed_at.set(now)]
    if action is CampaignAction.START:
        actions.append(CampaignItem.started_at.set(now))
    return condition_held(
        lambda: CampaignItem(campaign_id, DEFINITION).update(
            actions=actions, condition=CampaignItem.state.is_in(*[s.value for s in allowed])
        )
    )


@translate_transient()
def create_units(campaign_id: str, units: list[WalkUnit]) -> None:
    """The units of a campaign about to start, each at page 0 with zero counters. Each put is
    conditional on the unit being absent: a second `start` (after a crash, or by another
    administrator at the same moment) never resets a unit the workers already moved."""
    for unit in units:
        item = CampaignItem(
            campaign_id,
            unit_part(unit.number),
            unit=unit.number,
            unit_kind=unit.kind.value,
            segment=unit.segment,
            total_segments=unit.total_segments,
            ballot_id=unit.ballot_id,
            next_page=0,
            done=False,
            **dict.fromkeys(COUNTERS, 0),
        )
        condition_held(lambda item=item: item.save(condition=CampaignItem.part.does_not_exist()))


@translate_transient()
def units_of(campaign_id: str) -> list[CampaignItem]:
    """Every unit of the campaign with its counters (one Query, strongly consistent)."""
    return list(CampaignItem.query(campaign_id, CampaignItem.part.startswith("unit#"), consistent_read=True))


@translate_transient()
def find_unit(campaign_id: str, number: int) -> CampaignItem | None:
    return get_or_none(CampaignItem, campaign_id, unit_part(number), consistent_read=True)


@translate_transient()
def commit_page(campaign_id: str, number: int, *, page: int, cursor: dict | None, counts: dict[str, int]) -> bool:
    """The unit has walked `page`: its counters grow by `counts`, its cursor moves on, and it
    is done when there is no cursor. Conditional on the unit still being at `page`, so a
    page walked twice (a redelivered message) is counted once."""
    actions = [CampaignItem.next_page.set(page + 1), CampaignItem.done.set(cursor is None)]
    actions.append(CampaignItem.cursor.set(cursor) if cursor is not None else CampaignItem.cursor.remove())
    actions += [CampaignItem.counter(name).add(value) for name, value in counts.items() if value]
    return condition_held(
        lambda: CampaignItem(campaign_id, unit_part(number)).update(
            actions=actions, condition=CampaignItem.next_page == page
        )
    )


@translate_transient()
def mark_continued(campaign_id: str, number: int, page: int) -> None:
    CampaignItem(campaign_id, unit_part(number)).update(actions=[CampaignItem.continued_page.set(page)])


@translate_transient()
def add_to_counter(campaign_id: str, number: int, name: str, value: int = 1) -> None:
    CampaignItem(campaign_id, unit_part(number)).update(actions=[CampaignItem.counter(name).add(value)])
