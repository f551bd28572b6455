"""How fast campaigns may send, from the account's SES rate: a pure calculation.

Its own module, light on purpose: the campaign email worker's concurrency is read from it
when the application is imported (Chalice writes it into the event source), and the API's
functions import the application too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class SendingPlan:
    """How fast campaigns may send, from the account's SES rate.

    Campaign mail has its own queue and workers; their concurrency times their pace stays
    under `share` of the SES rate, so that what is left always carries the voters' own
    requests (links, resets), whose worker keeps its own reserved concurrency.
    """

    ses_rate: float  # emails per second the account may send (its SES quota)
    share: float = 0.8  # of that, for campaigns
    # Emails per second one campaign worker sends at most: about what one can do (SES's
    # answer and eight DynamoDB calls take ~0.1 s), so that the workers reach the rate.
    per_worker_rate: float = 8.0

    @property
    def campaign_rate(self) -> float:
        return max(self.ses_rate * self.share, 1.0)

    @property
    def workers(self) -> int:
        """Concurrent campaign workers (SQS maximum concurrency is at least 2)."""
        return max(2, math.ceil(self.campaign_rate / self.per_worker_rate))

    @property
    def seconds_between_sends(self) -> float:
        """Within one worker: so that all of them together keep to `campaign_rate`."""
        return self.workers / self.campaign_rate

    @property
    def backlog_limit(self) -> int:
        """Emails the walk may have queued ahead of sending: a minute's worth. Beyond, it
        waits, so a pause or a cancel never has a million messages to hold back."""
        return max(100, math.ceil(60 * self.campaign_rate))

    def continuation_delay(self, queued: int, units: int) -> int:
        """Seconds before a unit's next page, so that all units together feed the queue at
        about the sending rate (SQS delays are whole seconds, at most 15 minutes)."""
        return min(900, int(queued * units / self.campaign_rate))

    def duration(self, emails: int) -> timedelta:
        return timedelta(seconds=math.ceil(emails / self.campaign_rate))
