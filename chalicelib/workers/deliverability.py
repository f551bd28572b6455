"""Recording SES's delivery reports (bounces, complaints, deliveries) per address.

SES publishes them to SNS through the stage's configuration set; SNS delivers them raw to
an SQS queue that triggers this function. A failure re-raises, so the batch comes back and,
after five receives, goes to the dead-letter queue that the deploy alarms on.
"""

from __future__ import annotations

import json

from chalice import Blueprint

from chalicelib import clock, settings
from chalicelib.logs import log_event

deliverability_worker = Blueprint(__name__)


# A campaign email's fate, from SES's report on it.
CAMPAIGN_MOVES = {"bounce": "bounced", "complaint": "complained"}


def record_delivery_events(bodies, *, now) -> int:
    """Record every event in these SQS bodies; return how many addresses were updated.

    The address's status is what later campaigns read to skip it; a campaign's own email
    also moves its delivery entry (sent → bounced or complained) and counts on its unit,
    once however often SNS delivers the report (the move is conditional)."""
    # Imported here: the API's functions load this module too, and need none of it.
    from chalicelib.domain.delivery_events import parse_ses_event
    from chalicelib.services.after_commit import best_effort
    from chalicelib.store.campaign_deliveries import CountPending, settle
    from chalicelib.store.campaigns import add_to_counter
    from chalicelib.store.deliverability import record_event

    count = 0
    for body in bodies:
        for event in parse_ses_event(json.loads(body), received_at=now):
            record_event(event.address, event.event, event.at, event.bounce_type, event.bounce_subtype)
            # Only a permanent bounce counts against the campaign (and marks the address):
            # a full mailbox is a Transient one, and SES delivers later or reports again.
            permanent = event.event != "bounce" or event.bounce_type == "Permanent"
            if event.campaign_delivery and event.event in CAMPAIGN_MOVES and permanent:
                campaign_id, unit, voter_id = event.campaign_delivery
                try:
                    settle(voter_id, campaign_id, unit, CAMPAIGN_MOVES[event.event], now=now)
                except CountPending as pending:
                    # The entry moved; the report will not come again to count it: try now.
                    best_effort("count_report", add_to_counter, campaign_id, unit, pending.counter_name)
            count += 1
    return count


@deliverability_worker.on_sqs_message(queue=settings.required("DELIVERY_EVENTS_QUEUE_NAME"), batch_size=10)
def record_delivery_event(event):
    count = record_delivery_events([record.body for record in event], now=clock.utc_now())
    log_event("delivery_events", logger="espace_electeur.deliverability", recorded=count)
