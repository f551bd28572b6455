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

The import never reads or writes the accounts table, except to report (on `prune`) how many
of the removed voters had an account.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib.domain.emails import normalise_email
from chalicelib.domain.errors import ServiceBusy
from chalicelib.domain.names import list_sort_key
from chalicelib.domain.voter_rows import COLUMNS, RowProblem, VoterRow, parse_row
from chalicelib.store.accounts import ACTIVE, Account
from chalicelib.store.ballots import all_ballots
from chalicelib.store.electoral_list import ElectoralListEntry
from chalicelib.store.voters import Voter
from chalicelib.transient import translate_transient

Progress = Callable[[str, int, "int | None"], None]

CHUNK_SIZE = 100
MAX_PROBLEMS_KEPT = 10_000
MISSING_SAMPLE = 20


class ImportAborted(Exception):
    """The file cannot be imported at all (unreadable, wrong header, not UTF-8)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class ImportInterrupted(Exception):
    """DynamoDB stopped accepting writes part-way (throttled or unreachable after retries).

    Some voters are written, the others not. Running the same command again completes the
    import: what is already stored compares as unchanged, and every write is a whole-item
    put or a delete, so repeating one changes nothing.
    """

    code = "store_busy"

    def __init__(self, written: int):
        self.written = written
        super().__init__(
            f"DynamoDB n'accepte plus d'écritures pour le moment ({written} éléments écrits avant l'arrêt)"
        )


@dataclass
class VoterImportReport:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[tuple[int, RowProblem]] = field(default_factory=list)
    missing: int = 0
    missing_sample: list[str] = field(default_factory=list)
    pruned: int = 0
    pruned_with_account: int = 0
    pruned_with_active_account: int = 0
    items_written: int = 0
    written: bool = False
    seconds: float = 0.0

    @property
    def items_per_second(self) -> float:
        return self.items_written / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class _StoredVoter:
    voter_id: str
    email: str | None
    last_name: str
    first_name: str
    workplace: str
    ballot_ids: tuple[str, ...]
    imported_at: str
    removed: bool

    @property
    def sort_key(self) -> str:
        return list_sort_key(self.last_name, self.first_name, self.voter_id)


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
        staging = _Staging(Path(workdir) / "staging.sqlite3")
        try:
            _stage_file(Path(path), known_ballots, staging, report, progress)
            staging.reject_duplicates()
            _stage_stored_voters(staging, progress)
            staging.reject_addresses_held_elsewhere(prune)
            _collect_problems(staging, report)
            report.missing = staging.count_missing()
            report.missing_sample = staging.missing_sample(MISSING_SAMPLE)
            write = not dry_run and (report.rejected == 0 or skip_invalid)
            try:
                # The batch writes below are still made here, not in store/ (issue 11's package
                # split): the adapter helper turns AWS's "not now" into ServiceBusy for them.
                with translate_transient():
                    if prune:
                        # First, so that an address moving to another voter is never listed twice.
                        _prune_missing(staging, report, now=now, write=write, progress=progress)
                    _apply_changes(staging, report, now=now, write=write, workers=workers, progress=progress)
            except ServiceBusy as error:
                raise ImportInterrupted(report.items_written) from error.__cause__
            report.written = write
        finally:
            staging.close()
    report.seconds = time.monotonic() - started
    return report


class _Staging:
    """The temporary SQLite database that holds the file and the stored voters on disk."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -32768;
            CREATE TABLE incoming (
                line INTEGER PRIMARY KEY, voter_id TEXT, email TEXT,
                valid INTEGER, fingerprint TEXT, payload TEXT);
            CREATE TABLE problems (line INTEGER, code TEXT, message TEXT);
            CREATE TABLE stored (
                voter_id TEXT PRIMARY KEY, email TEXT, fingerprint TEXT,
                removed INTEGER, payload TEXT);
            """
        )

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        self.db.execute("BEGIN")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def add_row(self, line: int, voter_id: str, email: str, row: VoterRow | None, problems: list[RowProblem]) -> None:
        self.db.execute(
            "INSERT INTO incoming VALUES (?, ?, ?, ?, ?, ?)",
            (
                line,
                voter_id,
                email,
                0 if problems else 1,
                row.fingerprint() if row else None,
                json.dumps(row.__dict__, ensure_ascii=False) if row else None,
            ),
        )
        self.db.executemany("INSERT INTO problems VALUES (?, ?, ?)", [(line, p.code, p.message) for p in problems])

    def reject_duplicates(self) -> None:
        self.db.executescript(
            """
            CREATE INDEX incoming_voter ON incoming (voter_id);
            CREATE INDEX incoming_email ON incoming (email);
            BEGIN;
            CREATE TEMP TABLE duplicate_ids AS
                SELECT voter_id FROM incoming WHERE voter_id != ''
                GROUP BY voter_id HAVING COUNT(*) > 1;
            INSERT INTO problems
                SELECT i.line, 'duplicate_voter_id',
                       'identifiant électeur « ' || i.voter_id || ' » présent plusieurs fois (lignes '
                       || (SELECT group_concat(j.line, ', ') FROM incoming j WHERE j.voter_id = i.voter_id)
                       || ')'
                FROM incoming i JOIN duplicate_ids USING (voter_id);
            UPDATE incoming SET valid = 0 WHERE voter_id IN (SELECT voter_id FROM duplicate_ids);
            CREATE TEMP TABLE duplicate_emails AS
                SELECT email FROM incoming WHERE email != ''
                GROUP BY email HAVING COUNT(DISTINCT voter_id) > 1;
            INSERT INTO problems
                SELECT i.line, 'duplicate_email',
                       'adresse « ' || i.email || ' » utilisée par plusieurs électeurs (lignes '
                       || (SELECT group_concat(j.line, ', ') FROM incoming j WHERE j.email = i.email)
                       || ')'
                FROM incoming i JOIN duplicate_emails USING (email);
            UPDATE incoming SET valid = 0 WHERE email IN (SELECT email FROM duplicate_emails);
            COMMIT;
            """
        )

    def add_stored(self, voter: _StoredVoter, fingerprint: str) -> None:
        self.db.execute(
            "INSERT INTO stored VALUES (?, ?, ?, ?, ?)",
            (
                voter.voter_id,
                voter.email,
                fingerprint,
                1 if voter.removed else 0,
                json.dumps(voter.__dict__, ensure_ascii=False),
            ),
        )

    def reject_addresses_held_elsewhere(self, prune: bool) -> None:
        """A valid row whose address another stored voter keeps after this import is rejected.

        The other voter keeps it when their own row is missing (and not pruned) or rejected.
        Rejecting a row lets its voter keep their old address, which may in turn block
        another row: repeat until nothing changes.
        """
        self.db.execute("CREATE INDEX IF NOT EXISTS stored_email ON stored (email)")
        while True:
            conflicts = self.db.execute(
                """
                SELECT i.line, i.email, s.voter_id FROM incoming i
                JOIN stored s ON s.email = i.email
                WHERE i.valid = 1 AND s.removed = 0 AND s.voter_id != i.voter_id
                  AND NOT EXISTS (SELECT 1 FROM incoming k WHERE k.voter_id = s.voter_id AND k.valid = 1)
                  AND (? = 0 OR EXISTS (SELECT 1 FROM incoming k WHERE k.voter_id = s.voter_id))
                """,
                (1 if prune else 0,),
            ).fetchall()
            if not conflicts:
                return
            self.begin()
            for line, email, holder in conflicts:
                self.db.execute(
                    "INSERT INTO problems VALUES (?, 'email_taken', ?)",
                    (line, f"adresse « {email} » déjà celle de l'électeur « {holder} », qui la garde après cet import"),
                )
                self.db.execute("UPDATE incoming SET valid = 0 WHERE line = ?", (line,))
            self.commit()

    def problems(self):
        return self.db.execute("SELECT line, code, message FROM problems ORDER BY line, code")

    def count_rejected(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM incoming WHERE valid = 0").fetchone()[0]

    def _missing_query(self, columns: str) -> str:
        return (
            f"SELECT {columns} FROM stored s WHERE s.removed = 0 "
            "AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.voter_id = s.voter_id)"
        )

    def count_missing(self) -> int:
        return self.db.execute(self._missing_query("COUNT(*)")).fetchone()[0]

    def missing_sample(self, limit: int) -> list[str]:
        query = self._missing_query("s.voter_id") + " ORDER BY s.voter_id LIMIT ?"
        return [r[0] for r in self.db.execute(query, (limit,))]

    def missing(self):
        for (payload,) in self.db.execute(self._missing_query("s.payload")):
            yield _stored_from_json(payload)

    def changes(self):
        """Valid rows in hash order, each with the stored voter's state (or None)."""
        query = """
            SELECT i.payload, i.fingerprint, s.payload, s.fingerprint
            FROM incoming i LEFT JOIN stored s USING (voter_id)
            WHERE i.valid = 1 ORDER BY i.fingerprint
        """
        for payload, fingerprint, stored_payload, stored_fingerprint in self.db.execute(query):
            data = json.loads(payload)
            data["ballot_ids"] = tuple(data["ballot_ids"])
            row = VoterRow(**data)
            stored = _stored_from_json(stored_payload) if stored_payload else None
            yield row, fingerprint, stored, stored_fingerprint


def _stored_from_json(payload: str) -> _StoredVoter:
    data = json.loads(payload)
    data["ballot_ids"] = tuple(data["ballot_ids"])
    return _StoredVoter(**data)


def _stage_file(
    path: Path, known_ballots: set[str], staging: _Staging, report: VoterImportReport, progress: Progress
) -> None:
    try:
        size = path.stat().st_size
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportAborted("unreadable_file", f"impossible de lire {path} : {error.strerror}") from error
    try:
        with handle:
            _stage_rows(handle, size, known_ballots, staging, report, progress)
    except UnicodeDecodeError as error:
        raise ImportAborted(
            "not_utf8", f"le fichier n'est pas en UTF-8 (vers la ligne {report.rows_read + 2})"
        ) from error


def _read_header(handle) -> tuple[list[str], str]:
    """The columns and the delimiter (";" or ","), from the first line."""
    header_line = handle.readline()
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    missing = [c for c in COLUMNS if c not in header]
    unexpected = [h for h in header if h not in COLUMNS]
    if missing or unexpected:
        raise ImportAborted(
            "bad_header",
            "en-tête incorrect : attendu "
            + ";".join(COLUMNS)
            + (f" ; colonnes manquantes : {', '.join(missing)}" if missing else "")
            + (f" ; colonnes inconnues : {', '.join(unexpected)}" if unexpected else ""),
        )
    return header, delimiter


def _stage_rows(
    handle, size: int, known_ballots: set[str], staging: _Staging, report: VoterImportReport, progress: Progress
) -> None:
    header, delimiter = _read_header(handle)
    reader = csv.reader(handle, delimiter=delimiter)
    staging.begin()
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num + 1  # the header was read before the reader started
            report.rows_read += 1
            fields = dict(zip(header, values, strict=False))  # a short row is reported below
            row, problems = parse_row(fields, known_ballots)
            if len(values) != len(header):
                problems.append(RowProblem("wrong_column_count", f"{len(values)} colonnes au lieu de {len(header)}"))
                row = None
            voter_id = (fields.get("voter_id") or "").strip()
            staging.add_row(line, voter_id, normalise_email(fields.get("email") or ""), row, problems)
            if report.rows_read % 5000 == 0:
                staging.commit()
                staging.begin()
                progress("validation", handle.buffer.tell(), size)
    finally:
        staging.commit()
    progress("validation", size, size)


def _stage_stored_voters(staging: _Staging, progress: Progress) -> None:
    attributes = [
        "voter_id",
        "email",
        "last_name",
        "first_name",
        "workplace",
        "ballot_ids",
        "imported_at",
        "removed_at",
        "fingerprint",
    ]
    staging.begin()
    count = 0
    for voter in Voter.scan(attributes_to_get=attributes):
        stored = _StoredVoter(
            voter_id=voter.voter_id,
            email=voter.email,
            last_name=voter.last_name,
            first_name=voter.first_name,
            workplace=voter.workplace,
            ballot_ids=tuple(sorted(voter.ballot_ids or ())),
            imported_at=voter.imported_at.isoformat(),
            removed=voter.removed_at is not None,
        )
        staging.add_stored(stored, voter.fingerprint)
        count += 1
        if count % 5000 == 0:
            progress("lecture de l'existant", count, None)
    staging.commit()
    progress("lecture de l'existant", count, count)


def _collect_problems(staging: _Staging, report: VoterImportReport) -> None:
    report.rejected = staging.count_rejected()
    for line, code, message in staging.problems():
        if len(report.problems) >= MAX_PROBLEMS_KEPT:
            break
        report.problems.append((line, RowProblem(code, message)))


class _ChunkWriter:
    """Writes chunks of changes on a few threads, never more than a few chunks in memory."""

    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.slots = threading.BoundedSemaphore(workers * 2)
        self.futures = []
        self.items = 0
        self.lock = threading.Lock()

    def submit(self, function, *args) -> None:
        self.slots.acquire()

        def run():
            try:
                written = function(*args)
                with self.lock:
                    self.items += written
            finally:
                self.slots.release()

        pending = [self.pool.submit(run)]
        for future in self.futures:
            if future.done():
                future.result()  # re-raises a failed chunk's error: stop the import early
            else:
                pending.append(future)
        self.futures = pending

    def finish(self) -> None:
        """Wait for every chunk; re-raise the first failure."""
        for future in self.futures:
            future.result()

    def close(self) -> None:
        """Stop the threads; chunks not started yet are dropped (after a failure)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _apply_changes(
    staging: _Staging, report: VoterImportReport, *, now: datetime, write: bool, workers: int, progress: Progress
) -> None:
    writer = _ChunkWriter(workers) if write else None
    chunk: list[tuple[VoterRow, _StoredVoter | None]] = []
    done = 0
    try:
        for row, fingerprint, stored, stored_fingerprint in staging.changes():
            if stored is None:
                report.created += 1
            elif stored_fingerprint == fingerprint and not stored.removed:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            if writer:
                chunk.append((row, stored))
                if len(chunk) >= CHUNK_SIZE:
                    writer.submit(_write_chunk, chunk, now)
                    done += len(chunk)
                    chunk = []
                    progress("écriture", done, None)
        if writer:
            if chunk:
                writer.submit(_write_chunk, chunk, now)
                done += len(chunk)
            writer.finish()
            progress("écriture", done, done)
    finally:
        if writer:
            writer.close()
            report.items_written += writer.items  # also when interrupted: what did reach DynamoDB


def _entry(ballot_id: str, row: VoterRow) -> ElectoralListEntry:
    return ElectoralListEntry(
        ballot_id,
        row.sort_key,
        last_name=row.last_name,
        first_name=row.first_name,
        workplace=row.workplace,
        voter_id=row.voter_id,
    )


def _write_chunk(chunk: list[tuple[VoterRow, _StoredVoter | None]], now: datetime) -> int:
    items = 0
    with ElectoralListEntry.batch_write() as batch:
        for row, stored in chunk:
            new_keys = {(b, row.sort_key) for b in row.ballot_ids}
            old_keys = set()
            same_content = False
            if stored is not None and not stored.removed:
                old_keys = {(b, stored.sort_key) for b in stored.ballot_ids}
                same_content = (stored.last_name, stored.first_name, stored.workplace) == (
                    row.last_name,
                    row.first_name,
                    row.workplace,
                )
            for ballot_id, sort_key in old_keys - new_keys:
                batch.delete(ElectoralListEntry(ballot_id, sort_key))
                items += 1
            for key in new_keys:
                if key in old_keys and same_content:
                    continue
                batch.save(_entry(key[0], row))
                items += 1
    with Voter.batch_write() as batch:
        for row, stored in chunk:
            batch.save(
                Voter(
                    row.voter_id,
                    email=row.email,
                    last_name=row.last_name,
                    first_name=row.first_name,
                    academy=row.academy,
                    department=row.department,
                    workplace=row.workplace,
                    code_delivery=row.code_delivery,
                    ballot_ids=set(row.ballot_ids),
                    fingerprint=row.fingerprint(),
                    imported_at=datetime.fromisoformat(stored.imported_at) if stored else now,
                    updated_at=now,
                )
            )
            items += 1
    return items


def _prune_missing(
    staging: _Staging, report: VoterImportReport, *, now: datetime, write: bool, progress: Progress
) -> None:
    """Take the voters absent from the file off every list; their accounts stay as they are.

    The voter item is kept (marked removed, its address moved out of the email index), so
    the help desk can still explain what happened, and a later import that lists them again
    restores them with their account.
    """
    chunk: list[_StoredVoter] = []
    for stored in staging.missing():
        chunk.append(stored)
        if len(chunk) >= CHUNK_SIZE:
            _prune_chunk(chunk, report, now, write)
            chunk = []
            progress("retrait", report.pruned, None)
    if chunk:
        _prune_chunk(chunk, report, now, write)


def _prune_chunk(chunk: list[_StoredVoter], report: VoterImportReport, now: datetime, write: bool) -> None:
    for account in Account.batch_get([v.voter_id for v in chunk], attributes_to_get=["voter_id", "status"]):
        report.pruned_with_account += 1
        if account.status == ACTIVE:
            report.pruned_with_active_account += 1
    report.pruned += len(chunk)
    if not write:
        return
    with ElectoralListEntry.batch_write() as batch:
        for stored in chunk:
            for ballot_id in stored.ballot_ids:
                batch.delete(ElectoralListEntry(ballot_id, stored.sort_key))
                report.items_written += 1
    for stored in chunk:
        Voter(stored.voter_id).update(
            actions=[
                Voter.email.remove(),
                Voter.ballot_ids.remove(),
                Voter.removed_email.set(stored.email),
                Voter.removed_at.set(now),
                Voter.updated_at.set(now),
            ]
        )
        report.items_written += 1


def peak_memory_mib() -> float:
    """Peak resident memory of this process, for the import summary."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if os.uname().sysname != "Darwin" else peak / (1024 * 1024)
