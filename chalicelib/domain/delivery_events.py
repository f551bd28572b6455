"""Reading what SES reports about a sent email (through SNS): which address, what happened.

SES's event publishing names the kind in `eventType`, its older identity notifications in
`notificationType`; both carry the same `bounce`, `complaint` and `delivery` details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.campaigns import delivery_of_tags
from chalicelib.domain.emails import normalise_email


@dataclass(frozen=True)
class DeliveryEvent:
    address: str
    event: str  # delivery, bounce, complaint, reject
    at: datetime
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    # A campaign's email names itself in its SES tags: (campaign, unit, voter).
    campaign_delivery: tuple[str, int, str] | None = None


def _when(value: str | None, fallback: datetime) -> datetime:
    if not value:
        return fallback
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_ses_event(body: dict, *, received_at: datetime) -> list[DeliveryEvent]:
    events = _parse(body, received_at)
    campaign = delivery_of_tags((body.get("mail") or {}).get("tags") or {})
    if campaign is None:
        return events
    return [DeliveryEvent(e.address, e.event, e.at, e.bounce_type, e.bounce_subtype, campaign) for e in events]


def _parse(body: dict, received_at: datetime) -> list[DeliveryEvent]:
    kind = (body.get("eventType") or body.get("notificationType") or "").lower()
    mail = body.get("mail") or {}
    if kind == "bounce":
        bounce = body.get("bounce") or {}
        at = _when(bounce.get("timestamp"), received_at)
        return [
            DeliveryEvent(
                normalise_email(r["emailAddress"]), "bounce", at, bounce.get("bounceType"), bounce.get("bounceSubType")
            )
            for r in bounce.get("bouncedRecipients", [])
        ]
    if kind == "complaint":
        complaint = body.get("complaint") or {}
        at = _when(complaint.get("timestamp"), received_at)
        return [
            DeliveryEvent(normalise_email(r["emailAddress"]), "complaint", at)
            for r in complaint.get("complainedRecipients", [])
        ]
    if kind == "delivery":
        delivery = body.get("delivery") or {}
        at = _when(delivery.get("timestamp"), received_at)
        return [DeliveryEvent(normalise_email(a), "delivery", at) for a in delivery.get("recipients", [])]
    if kind == "reject":
        at = _when(mail.get("timestamp"), received_at)
        return [DeliveryEvent(normalise_email(a), "reject", at) for a in mail.get("destination", [])]
    return []
