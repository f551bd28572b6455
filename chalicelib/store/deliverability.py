"""What SES said about each address: delivered, bounced, complained.

Fed by SES through SNS and SQS (see `chalicelib.workers.deliverability`); read by the help
desk (`voter show`) and the administrators (`stats`). One item per normalised address.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import get_or_none, table_meta
from chalicelib.transient import translate_transient


class DeliveryStatus(Model):
    Meta = table_meta("DELIVERABILITY_TABLE")

    address = UnicodeAttribute(hash_key=True)
    last_event = UnicodeAttribute()  # delivery, bounce, complaint, reject
    last_event_at = UTCDateTimeAttribute()
    bounce_type = UnicodeAttribute(null=True)  # Permanent, Transient, Undetermined
    bounce_subtype = UnicodeAttribute(null=True)  # e.g. MailboxFull, NoEmail
    deliveries = NumberAttribute(default=0)
    bounces = NumberAttribute(default=0)
    complaints = NumberAttribute(default=0)


@translate_transient()
def find_status(address: str) -> DeliveryStatus | None:
    return get_or_none(DeliveryStatus, address)


@translate_transient()
def record_event(
    address: str, event: str, at, bounce_type: str | None = None, bounce_subtype: str | None = None
) -> None:
    counter = {
        "delivery": DeliveryStatus.deliveries,
        "bounce": DeliveryStatus.bounces,
        "complaint": DeliveryStatus.complaints,
    }.get(event)
    actions = [
        DeliveryStatus.last_event.set(event),
        DeliveryStatus.last_event_at.set(at),
        DeliveryStatus.bounce_type.set(bounce_type) if bounce_type else DeliveryStatus.bounce_type.remove(),
        DeliveryStatus.bounce_subtype.set(bounce_subtype) if bounce_subtype else DeliveryStatus.bounce_subtype.remove(),
    ]
    if counter is not None:
        actions.append(counter.add(1))
    DeliveryStatus(address).update(actions=actions)


@translate_transient()
def statuses_of(addresses: list[str]) -> dict[str, DeliveryStatus]:
    """The statuses of these addresses that have one (BatchGetItem, 100 keys a request)."""
    if not addresses:
        return {}
    attributes = ["address", "last_event", "bounce_type", "complaints"]
    return {s.address: s for s in DeliveryStatus.batch_get(sorted(set(addresses)), attributes_to_get=attributes)}


@translate_transient()
def all_statuses(attributes: list[str]):
    """Every address's delivery status: a Scan, for the administrators' CLI only."""
    return DeliveryStatus.scan(attributes_to_get=attributes)
