"""Import of the electoral lists: one CSV file, the whole roll, up to 1.1 million voters.

How it stays correct and within bounded memory:

1. The file is streamed row by row into a temporary SQLite database on disk (the staging
   area); each row is validated on the way. Duplicate voter ids and addresses are then found
   with indexed SQL, so nothing proportional to the file is held in Python memory.
2. The voters already stored are read once (a Scan: this is a CLI command, never a request)
   into the same staging area. Joining the two says, for each voter, created / updated /
   unchanged, finds addresses already held by another voter, and the voters who disappeared
   from the file.
3. If any row is bad, nothing is written (unless `skip_invalid`). Otherwise the changes are
   written in batches, in the order of a hash of their content rather than by name, so that
   a national ballot's million list items do not arrive in sort-key order on one partition.
   For each chunk of voters the list items are written before the voter items: a run that
   stops half-way leaves the old fingerprint on the voters it did not finish, so running the
   same file again completes the work and converges to the same end state.

4. A voter whose address changes loses their espace's password, sessions and links, and is
   told at both addresses (`suspensions`): for each chunk, before it is submitted, one
   BatchGetItem of the accounts of its voters whose address changes (none when none does),
   then a conditional UpdateItem per such account. Pruned voters are signed out the same way,
   before they are marked removed. Nothing else reads or writes the accounts table, and the
   account lookups stay one BatchGetItem per chunk of 100.

5. A ballot sealed by its polling bureau keeps its electoral list as sealed. Right before
   anything is written the ballots are read again; if any is sealed, one more pass over the
   changes (and the voters `--prune` would remove) finds those that would delete or write an
   entry of a sealed ballot's list, and the whole file is refused (`SealedListsChanged`),
   `--skip-invalid` or not: a row that contradicts a sealed list is not a bad row to skip but
   a roll that no longer matches what the bureau sealed. A change the list does not show
   (address, académie, département, code delivery) stays possible. The list entries are
   batch writes, which cannot be conditional: a seal landing while the import writes is found
   by reading the ballots once more at the end (`report.sealed_during_import`), for the bureau
   to deal with as an incident.

The parts: `csv_file` reads and validates the file, `staging` holds it and compares, `writer`
runs the chunks on threads, `suspensions` takes the espaces away from the old mailboxes,
`report` is what the caller gets back; the writes themselves are `store.voters`,
`store.electoral_list` and `store.accounts` functions.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from chalicelib import wiring
from chalicelib.domain.address_changes import moved_from
from chalicelib.domain.errors import ServiceBusy
from chalicelib.domain.seals import SAMPLE_SIZE
from chalicelib.domain.voter_rows import StoredVoter, VoterRow, entries_in_flight, list_changes, lists_touched
from chalicelib.services.voter_import.csv_file import stage_file
from chalicelib.services.voter_import.report import (
    ImportAborted,
    ImportInterrupted,
    Progress,
    SealedListsChanged,
    VoterImportReport,
)
from chalicelib.services.voter_import.staging import Staging
from chalicelib.services.voter_import.suspensions import end_sessions, suspend_moved_accounts
from chalicelib.services.voter_import.writer import ChunkWriter
from chalicelib.store.accounts import ACTIVE, accounts_of
from chalicelib.store.ballots import all_ballots
from chalicelib.store.electoral_list import change_entries
from chalicelib.store.voters import mark_entries_in_flight, mark_removed, save_voters, stored_voters

__all__ = ["ImportAborted", "ImportInterrupted", "SealedListsChanged", "VoterImportReport", "import_voters"]

CHUNK_SIZE = 100
MAX_PROBLEMS_KEPT = 10_000
MISSING_SAMPLE = 20
# Stored voters read between two progress reports.
PROGRESS_EVERY = 5000


def _no_progress(stage: str, done: int, total: int | None) -> None:
    pass


def import_voters(
    path: str | Path,
    *,
    now: datetime,
    dry_run: bool = False,
    skip_invalid: bool = False,
    prune: bool = False,
    workers: int = 4,
    progress: Progress = _no_progress,
) -> VoterImportReport:
    started = time.monotonic()
    report = VoterImportReport()
    known_ballots = {b.ballot_id for b in all_ballots()}
    with tempfile.TemporaryDirectory(prefix="voter-import-") as workdir:
        staging = Staging(Path(workdir) / "staging.sqlite3")
        try:
            stage_file(Path(path), known_ballots, staging, report, progress, wiring.voter_code_pepper)
            staging.reject_duplicates()
            try:
                _stage_stored_voters(staging, progress)
                staging.reject_addresses_held_elsewhere(prune)
                _collect_problems(staging, report)
                report.missing = staging.count_missing()
                report.missing_sample = staging.missing_sample(MISSING_SAMPLE)
                sealed = _sealed_ballots()  # read again: the comparison may have taken minutes
                if sealed:
                    _refuse_sealed_list_changes(staging, sealed, prune)
                write = not dry_run and (report.rejected == 0 or skip_invalid)
                touched: set[str] = set()  # the ballots whose lists the writes change
                if prune:
                    # First, so that an address moving to another voter is never listed twice.
                    _prune_missing(staging, report, now=now, write=write, progress=progress, touched=touched)
                _apply_changes(
                    staging, report, now=now, write=write, workers=workers, progress=progress, touched=touched
                )
                if write and touched:
                    report.sealed_during_import = sorted((_sealed_ballots() - sealed) & touched)
            except ServiceBusy as error:
                raise ImportInterrupted(report.items_written) from error.__cause__
            report.written = write
        finally:
            staging.close()
    report.seconds = time.monotonic() - started
    return report


def _stage_stored_voters(staging: Staging, progress: Progress) -> None:
    staging.begin()
    count = 0
    for stored, fingerprint in stored_voters():
        staging.add_stored(stored, fingerprint)
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress("lecture de l'existant", count, None)
    staging.commit()
    progress("lecture de l'existant", count, count)


def _sealed_ballots() -> set[str]:
    return {ballot.ballot_id for ballot in all_ballots() if ballot.sealed_at is not None}


def _unchanged(fingerprint: str, stored: StoredVoter | None, stored_fingerprint: str | None) -> bool:
    """The row is what is stored: the import writes nothing for it."""
    return stored is not None and stored_fingerprint == fingerprint and not stored.removed


def _refuse_sealed_list_changes(staging: Staging, sealed: set[str], prune: bool) -> None:
    """Raise `SealedListsChanged` if what this import would write changes a sealed ballot's list:
    the same rows and the same entries as `_apply_changes` and `_prune_missing` write."""
    rows_by_ballot: Counter[str] = Counter()
    pruned_by_ballot: Counter[str] = Counter()
    voters, sample = 0, []

    def count(voter_id: str, ballot_ids: set[str], counter: Counter[str]) -> None:
        nonlocal voters
        if ballot_ids:
            counter.update(ballot_ids)
            voters += 1
            if len(sample) < SAMPLE_SIZE:
                sample.append(voter_id)

    for row, fingerprint, stored, stored_fingerprint in staging.changes():
        if not _unchanged(fingerprint, stored, stored_fingerprint):
            count(row.voter_id, lists_touched(row, stored) & sealed, rows_by_ballot)
    if prune:
        for stored in staging.missing():
            count(stored.voter_id, stored.listed_on & sealed, pruned_by_ballot)
    if voters:
        raise SealedListsChanged(dict(rows_by_ballot), dict(pruned_by_ballot), voters, sorted(sample))


def _collect_problems(staging: Staging, report: VoterImportReport) -> None:
    report.rejected = staging.count_rejected()
    for line, problem in staging.problems():
        if len(report.problems) >= MAX_PROBLEMS_KEPT:
            break
        report.problems.append((line, problem))


def _apply_changes(
    staging: Staging,
    report: VoterImportReport,
    *,
    now: datetime,
    write: bool,
    workers: int,
    progress: Progress,
    touched: set[str],
) -> None:
    """Submit the changed voters in chunks; a chunk's address changes are dealt with first.

    `moves` (the voters whose address changes, with the address they leave) holds only
    voters of the chunk being gathered, and is handled in this thread right before that
    chunk is submitted: its accounts are suspended before any of its voters is written with
    a new address. A dry run gathers no chunk, and only counts the moves' accounts.
    """
    writer = ChunkWriter(workers) if write else None
    chunk: list[tuple[VoterRow, StoredVoter | None]] = []
    moves: list[tuple[VoterRow, str]] = []
    done = 0

    def flush() -> None:
        nonlocal chunk, moves, done
        if moves:
            suspend_moved_accounts(moves, report, now=now, write=writer is not None)
        if writer and chunk:
            writer.submit(_write_chunk, chunk, now)
            done += len(chunk)
        chunk, moves = [], []

    try:
        for row, fingerprint, stored, stored_fingerprint in staging.changes():
            if stored is None:
                report.created += 1
            elif _unchanged(fingerprint, stored, stored_fingerprint):
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            old_email = moved_from(row, stored)
            if old_email is not None:
                report.address_changes += 1
                moves.append((row, old_email))
            if writer:
                chunk.append((row, stored))
                touched |= lists_touched(row, stored)
            if len(chunk) >= CHUNK_SIZE or len(moves) >= CHUNK_SIZE:
                flush()
                if writer:
                    progress("écriture", done, None)
        flush()
        if writer:
            writer.finish()
            progress("écriture", done, done)
    finally:
        if writer:
            writer.close()
            report.items_written += writer.items  # also when interrupted: what did reach DynamoDB


def _write_chunk(chunk: list[tuple[VoterRow, StoredVoter | None]], now: datetime) -> int:
    """The entries in flight marked on the voters, then the list entries, then the voters: a
    chunk that stops half-way leaves its voters with their old (or an empty) fingerprint, so the
    next run writes them again, and with the entries it may have left, so it deletes them."""
    remove, add, in_flight = [], [], []
    for row, stored in chunk:
        removed_keys, added_keys = list_changes(row, stored)
        remove.extend(removed_keys)
        add.extend((ballot_id, row) for ballot_id, _ in added_keys)
        if added_keys:
            in_flight.append((row, stored, entries_in_flight(stored, added_keys)))
    items = mark_entries_in_flight(in_flight, now=now) if in_flight else 0
    items += change_entries(remove=remove, add=add)
    first_imports = [(row, datetime.fromisoformat(stored.imported_at) if stored else now) for row, stored in chunk]
    return items + save_voters(first_imports, now=now)


def _prune_missing(
    staging: Staging, report: VoterImportReport, *, now: datetime, write: bool, progress: Progress, touched: set[str]
) -> None:
    """Take the voters absent from the file off every list; their accounts stay as they are,
    but every session ends.

    The voter item is kept (marked removed, its address moved out of the email index), so
    the help desk can still explain what happened, and a later import that lists them again
    restores them with their account.
    """
    chunk: list[StoredVoter] = []
    for stored in staging.missing():
        chunk.append(stored)
        if write:
            touched |= stored.listed_on
        if len(chunk) >= CHUNK_SIZE:
            _prune_chunk(chunk, report, now, write)
            chunk = []
            progress("retrait", report.pruned, None)
    if chunk:
        _prune_chunk(chunk, report, now, write)


def _prune_chunk(chunk: list[StoredVoter], report: VoterImportReport, now: datetime, write: bool) -> None:
    """One BatchGetItem of the chunk's accounts; then the list entries, the sessions of
    those with an account, and last the voters (once marked removed, a re-run skips them)."""
    accounts = accounts_of([v.voter_id for v in chunk])
    report.pruned_with_account += len(accounts)
    report.pruned_with_active_account += sum(1 for a in accounts.values() if a.status == ACTIVE)
    report.pruned += len(chunk)
    if not write:
        return
    report.items_written += change_entries(
        remove=[(ballot_id, stored.sort_key) for stored in chunk for ballot_id in stored.ballot_ids]
        + [entry for stored in chunk for entry in stored.pending_entries],
        add=[],
    )
    end_sessions(list(accounts), now=now)
    report.items_written += mark_removed(chunk, now=now)
