"""The count (`bureau count ID DOSSIER`): every ballot of the closed box re-verified and summed,
shard by shard, then `tally.json`.

A work item is one shard of one scrutin's box (64 per scrutin): `count_shard` reads it,
verifies every ballot against the sealed election (`crypto.tally.verified_sums`: φ, key, every
proof, nonces in order, no `a_i` twice in the shard) and writes its sums once, under a
not-exists condition. Items are independent: run in any order, twice, or after an
interruption, they give the same sums (a second writer finds the first's and they must be
equal, or the count stops). The reduction adds every shard's sums per scrutin and checks them
against the sealed close: as many ballots as in `seal-close.json`, which holds as many as
émargements, and as many points (the cast's markers, one per `a_i`, each unique by its key) as
ballots × options, which is what makes every `a_i` of the scrutin distinct. Then `tally.json`,
written once: what the key holders decrypt (their tool recomputes it from `ballots/`).

Who runs the items is the `runner`'s business: `CountQueue` hands them to the count's Lambda
workers (COUNT_QUEUE_NAME, the function `count_box_shard`, whose role reads the box and is
denied the sign-in list) and waits for their sums; `ProcessPool` runs them on this machine's
cores. A worker only ever writes a shard's sums, or why the shard cannot be counted; what the
count concludes is the reduction's, here. This module reads the box, the bureau's files and
nothing of voters or the sign-in list (pyproject.toml).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto import record
from chalicelib.crypto.tally import CountError, Sums, tally_document, verified_sums
from chalicelib.mail import queue
from chalicelib.services.bureaus import BureauError
from chalicelib.store import ballot_box
from chalicelib.store import bureaus as store

SHARDS = ballot_box.SHARDS
PROGRESS = "fragments de l'urne comptés"


@dataclass
class CountReport:
    bureau_id: str
    name: str
    items: int = 0  # work items in all (scrutins × shards)
    counted_now: int = 0  # items this run counted (the others were done before)
    scrutins: list[tuple[str, int]] = field(default_factory=list)  # (scrutin, ballots)
    tally_sha256: str | None = None


@cache  # a closed election's election.json never changes: once per process
def _election(bureau_id: str) -> record.Election:
    return record.read_election(store.get_file(bureau_id, files.ELECTION))


@dataclass(frozen=True)
class WorkItem:
    """One shard of one scrutin's box: the unit of the count, and a count queue's message."""

    bureau_id: str
    scrutin: str
    shard: int

    def to_message(self) -> dict:
        return {"bureau_id": self.bureau_id, "scrutin": self.scrutin, "shard": self.shard}

    @classmethod
    def from_message(cls, body: dict) -> WorkItem:
        """A message's item; ValueError for one that names no shard (it is never retried)."""
        bureau_id, scrutin, shard = body.get("bureau_id"), body.get("scrutin"), body.get("shard")
        if not isinstance(bureau_id, str) or not isinstance(scrutin, str):
            raise ValueError("a count item names its bureau and its scrutin")
        if not isinstance(shard, int) or isinstance(shard, bool) or not 0 <= shard < SHARDS:
            raise ValueError(f"a count item's shard is between 0 and {SHARDS - 1}")
        return cls(bureau_id, scrutin, shard)


def count_shard(bureau_id: str, scrutin: str, shard: int, *, now: datetime) -> Sums:
    """One work item: the shard's ballots verified and summed, its sums written once.

    Only a closed bureau is counted (one GetItem): a shard read while ballots may still arrive
    would write sums once and for all that the close then contradicts. A ballot that fails its
    checks is recorded (`bureau count` reports it, whoever ran the item) and raised."""
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    if definition.state != store.CLOSED:
        raise BureauError("not_closed", bureau=bureau_id)
    election = _election(bureau_id)
    if scrutin not in election.options:
        raise CountError(f"{scrutin}: not a scrutin of this election")
    try:
        sums = verified_sums(
            ballot_box.shard_ballots(scrutin, shard),
            public_key=election.public_key,
            phi=election.phi,
            scrutin=scrutin,
            options=election.options[scrutin],
        )
        body = json.dumps(sums.to_json(), separators=(",", ":"))
        stored = store.put_count_part(bureau_id, scrutin, shard, body, now)
        if stored != body:
            raise CountError(f"{scrutin}: shard {shard} counted twice with different sums")
    except CountError as error:
        store.put_count_failure(bureau_id, scrutin, shard, error.what, now)
        raise
    return sums


def count_queued_item(body: dict, *, now: datetime) -> str:
    """A count queue's message handled (the worker's whole job); its outcome, for the log.

    A message that names no shard, or a bureau that is not closed, is dropped: running it again
    would change nothing. A shard that cannot be counted is recorded by `count_shard` and
    dropped too. Anything else (DynamoDB throttled, the function stopped) raises, and the
    message comes back; after three receives it goes to the dead-letter queue, which `bureau
    count` watches."""
    try:
        item = WorkItem.from_message(body)
    except ValueError:
        return "rejected"
    try:
        count_shard(item.bureau_id, item.scrutin, item.shard, now=now)
    except BureauError:
        return "refused"
    except CountError:
        return "failed"
    return "counted"


def _run(item: tuple[str, str, int, datetime]) -> None:
    """A pool worker's entry point (a module-level function, so it can be pickled)."""
    bureau_id, scrutin, shard, now = item
    count_shard(bureau_id, scrutin, shard, now=now)


Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ProcessPool:
    """The items counted on this machine: in this process, or a pool of `workers` processes."""

    workers: int = 1

    def run(self, bureau_id: str, todo: list[WorkItem], *, now: datetime, progress: Progress) -> None:
        items = [(i.bureau_id, i.scrutin, i.shard, now) for i in todo]
        if self.workers > 1 and len(items) > 1:
            with ProcessPoolExecutor(self.workers) as pool:
                for finished, _ in enumerate(pool.map(_run, items, chunksize=4), 1):
                    progress(finished)
        else:
            for finished, item in enumerate(items, 1):
                _run(item)
                progress(finished)


@dataclass(frozen=True)
class CountQueue:
    """The items handed to the count's Lambda workers through COUNT_QUEUE_NAME, then waited for.

    `bureau count` stays the only one that concludes: it sends one message per shard still to
    count (ten per SendMessageBatch), then reads the bureau's count parts every
    `poll_seconds` (one Query) until every shard has its sums. It stops, and says why, when a
    worker recorded a shard that cannot be counted, when more of this bureau's messages are in
    the dead-letter queue than when it started, or when no shard was counted for
    `stall_seconds`. Sent twice (a count
    run again while the first one's messages are still queued), an item is counted once: its
    second worker finds the sums written and compares them."""

    poll_seconds: float = 5.0
    # More than the count queue's visibility timeout (1,800 s) and a worker's run (300 s): a
    # message whose worker failed for a moment is hidden that long before it comes back.
    stall_seconds: float = 2400.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def _dead(self, bureau_id: str) -> int:
        """This bureau's work items in the dead-letter queue (other bureaus may count at once)."""
        return sum(1 for body in queue.dead_letters(queue.COUNT) if body.get("bureau_id") == bureau_id)

    def run(self, bureau_id: str, todo: list[WorkItem], *, now: datetime, progress: Progress) -> None:
        dead_before = self._dead(bureau_id)
        queue.enqueue_batch([item.to_message() for item in todo], queue=queue.COUNT)
        waiting = {(item.scrutin, item.shard) for item in todo}
        last_progress, done = self.clock(), 0
        while True:
            failures = {k: v for k, v in store.count_failures(bureau_id).items() if k in waiting}
            if failures:
                (scrutin, shard), what = min(failures.items())
                raise CountError(f"{what} (shard {shard}, counted by a worker)")
            counted = len(waiting & store.count_parts(bureau_id).keys())
            if counted > done:
                done, last_progress = counted, self.clock()
                progress(done)
            if done == len(waiting):
                return
            dead = self._dead(bureau_id) - dead_before
            if dead > 0:
                raise CountError(
                    f"{dead} work item(s) failed three times and went to the count queue's dead-letter queue "
                    "(see the count workers' logs)"
                )
            if self.clock() - last_progress > self.stall_seconds:
                raise CountError(
                    f"no shard counted for {self.stall_seconds:.0f} s, {len(waiting) - done} still to count "
                    "(are the count workers deployed and enabled?)"
                )
            self.sleep(self.poll_seconds)


def count_bureau(
    bureau_id: str, folder: Path, *, now: datetime, runner: ProcessPool | CountQueue | None = None, progress=None
) -> CountReport:
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    if definition.state != store.CLOSED:
        raise BureauError("not_closed", bureau=bureau_id)
    report = CountReport(bureau_id, definition.name)
    election = _election(bureau_id)
    trustees_bytes = store.get_file(bureau_id, files.TRUSTEES)
    trustees = record.check_trustees(json.loads(trustees_bytes))
    try:
        opened = record.check_seal_open(
            json.loads(store.get_file(bureau_id, files.SEAL_OPEN)), trustees, election, trustees_bytes
        )
        closed = record.check_seal_close(
            json.loads(store.get_file(bureau_id, files.SEAL_CLOSE)), trustees, election, opened.server_key
        )
    except (record.InvalidSeal, record.InvalidClose) as refused:
        raise CountError(f"the recorded seal or close does not hold ({refused.what})") from None

    done = store.count_parts(bureau_id)
    items = [WorkItem(bureau_id, s, n) for s in election.options for n in range(SHARDS)]
    report.items = len(items)
    todo = [item for item in items if (item.scrutin, item.shard) not in done]
    already = report.items - len(todo)

    def advance(finished: int) -> None:
        if progress:
            progress(PROGRESS, already + finished, report.items)

    if todo:
        (runner or ProcessPool()).run(bureau_id, todo, now=now, progress=advance)
    report.counted_now = len(todo)

    parts = store.count_parts(bureau_id)
    scrutins = []
    for scrutin, options in election.options.items():
        total = Sums.zero(options)
        for shard in range(SHARDS):
            total = total + Sums.from_json(json.loads(parts[(scrutin, shard)]))
        if total.ballots != closed[scrutin]["ballots"]:
            raise CountError(f"{scrutin}: {total.ballots} ballots counted, {closed[scrutin]['ballots']} sealed")
        if ballot_box.points_count(scrutin) != total.ballots * options:
            raise CountError(f"{scrutin}: the points taken are not one per ciphertext")
        scrutins.append((scrutin, total))
        report.scrutins.append((scrutin, total.ballots))
    tally = record.compact(tally_document(election.phi, scrutins))
    stored = store.put_file_once(bureau_id, files.TALLY, tally, now)
    if stored != tally:
        raise CountError("tally.json differs from the one recorded")
    files.write_bytes(folder / files.TALLY, tally)
    report.tally_sha256 = record.sha256_hex(tally)
    return report
