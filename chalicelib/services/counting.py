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

Here the items run in this process or in a pool of processes (`workers`); on AWS they are the
count role's (BallotCountRole reads the box and is denied the sign-in list). This module reads
the box, the bureau's files and nothing of voters or the sign-in list (pyproject.toml).
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto import record
from chalicelib.crypto.tally import CountError, Sums, tally_document, verified_sums
from chalicelib.services.bureaus import BureauError
from chalicelib.store import ballot_box
from chalicelib.store import bureaus as store

SHARDS = ballot_box.SHARDS


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


def count_shard(bureau_id: str, scrutin: str, shard: int, *, now: datetime) -> Sums:
    """One work item: the shard's ballots verified and summed, its sums written once."""
    election = _election(bureau_id)
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
    return sums


def _run(item: tuple[str, str, int, datetime]) -> None:
    """A pool worker's entry point (a module-level function, so it can be pickled)."""
    bureau_id, scrutin, shard, now = item
    count_shard(bureau_id, scrutin, shard, now=now)


def count_bureau(bureau_id: str, folder: Path, *, now: datetime, workers: int = 1, progress=None) -> CountReport:
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    if definition.state != store.CLOSED:
        raise BureauError("not_closed", bureau=bureau_id)
    report = CountReport(bureau_id, definition.name)
    election = _election(bureau_id)
    trustees = record.check_trustees(json.loads(store.get_file(bureau_id, files.TRUSTEES)))
    closed = record.check_seal_close(json.loads(store.get_file(bureau_id, files.SEAL_CLOSE)), trustees, election)

    done = store.count_parts(bureau_id)
    items = [(bureau_id, s, n, now) for s in election.options for n in range(SHARDS)]
    report.items = len(items)
    todo = [item for item in items if (item[1], item[2]) not in done]
    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(workers) as pool:
            for finished, _ in enumerate(pool.map(_run, todo, chunksize=4), 1):
                if progress:
                    progress("fragments de l'urne comptés", report.items - len(todo) + finished, report.items)
    else:
        for finished, item in enumerate(todo, 1):
            _run(item)
            if progress:
                progress("fragments de l'urne comptés", report.items - len(todo) + finished, report.items)
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
