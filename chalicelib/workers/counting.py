"""The count's worker: one shard of one scrutin's closed box a message (`bureau count` sends
them), re-verified and summed by `services.counting.count_queued_item`.

Its role reads the box and is denied the sign-in list (`infra/aws/functions.py`). A message it
cannot use, a bureau that is not closed, a shard that cannot be counted: logged and dropped,
since running it again would give the same answer (`bureau count` reads the recorded reason).
A failure that may pass (DynamoDB throttled) raises: the message comes back, and after three
receives waits in the dead-letter queue, which `bureau count` watches and the deploy alarms on.
The log says which shard and what became of it; a shard's ballots are never logged.
"""

from __future__ import annotations

import json

from chalice import Blueprint

from chalicelib import clock, settings
from chalicelib.logs import log_event

count_worker = Blueprint(__name__)
LOGGER = "espace_electeur.count"


@count_worker.on_sqs_message(
    queue=settings.required("COUNT_QUEUE_NAME"),
    batch_size=1,
    maximum_concurrency=settings.integer("COUNT_WORKER_CONCURRENCY", 100),
)
def count_box_shard(event):
    # Imported here: the API's function loads this module too, and needs none of it.
    from chalicelib.services.counting import count_queued_item

    for record in event:
        try:
            body = json.loads(record.body)
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        outcome = count_queued_item(body, now=clock.utc_now())
        log_event(
            "count_shard",
            logger=LOGGER,
            bureau=body.get("bureau_id"),
            scrutin=body.get("scrutin"),
            shard=body.get("shard"),
            outcome=outcome,
        )
