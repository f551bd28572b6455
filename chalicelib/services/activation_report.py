"""The activation report: per académie, département and ballot, how many espaces are active.

Bounded and fast at 1.1 M voters: a parallel Scan of the voters table (`segments` threads,
each reading its segment a page at a time) and, for each page, one BatchGetItem of the
accounts of that page's listed voters. Each thread adds its pages into its own counters
(`domain.activation.ActivationTally`), merged at the end: memory holds one page per thread
plus counters sized by the number of groups and days, never a map of every voter or account.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from chalicelib.domain.activation import (
    ActivationReport,
    ActivationTally,
    campaign_markers,
    is_listed,
    merge_tallies,
    tally_page,
)
from chalicelib.store.activation import activation_of, voters_page
from chalicelib.store.ballots import all_ballots
from chalicelib.store.campaigns import all_campaigns

# Voters per Scan request: ten BatchGetItem requests of 100 keys for their accounts.
PAGE_SIZE = 1000
PROGRESS_STAGE = "Lecture des électeurs"


def tally_segment(segment: int, total_segments: int, on_page=None) -> ActivationTally:
    """One segment of the voters table, a page at a time; `on_page(voters_in_page)` after each."""
    tally = ActivationTally()
    cursor, first = None, True
    while first or cursor is not None:
        first = False
        voters, cursor = voters_page(segment=segment, total_segments=total_segments, cursor=cursor, limit=PAGE_SIZE)
        accounts = activation_of([v.voter_id for v in voters if is_listed(v)])
        tally.merge(tally_page(voters, accounts))
        if on_page:
            on_page(len(voters))
    return tally


def activation_report(*, now: datetime, segments: int = 8, progress=None) -> ActivationReport:
    """Read every voter once (in `segments` parallel segments) and count; `progress(stage, done,
    None)` is called after each page, from the segment's thread, under a lock."""
    started = time.monotonic()
    segments = max(1, segments)
    lock = threading.Lock()
    read = [0]

    def on_page(count: int) -> None:
        with lock:
            read[0] += count
            if progress:
                progress(PROGRESS_STAGE, read[0], None)

    ballot_labels = {b.ballot_id: b.label for b in all_ballots()}
    markers = campaign_markers(all_campaigns())
    with ThreadPoolExecutor(max_workers=segments) as pool:
        tallies = list(pool.map(lambda segment: tally_segment(segment, segments, on_page), range(segments)))
    return ActivationReport(
        generated_at=now,
        tally=merge_tallies(tallies),
        ballot_labels=ballot_labels,
        campaigns=markers,
        elapsed_seconds=time.monotonic() - started,
    )
