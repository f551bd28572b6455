"""Voter codes: generating them for the printing house (`voter-codes generate`).

Every listed voter who has no code gets one (12 Crockford characters, `domain.voter_codes`),
one per voter for all their scrutins. The store keeps only its HMAC, written with a not-exists
condition, so running the command again (or twice at once) never gives a voter a second code:
it only fills in the voters who have none. The plain codes go to what the ministry prints:
per académie, a CSV for the printing house (voter, delivery place, code), and per delivery
place the notices and their hand-over sheet (`voter_code_notices`). They pass through a SQLite
file beside the outputs (removed at the end), so memory does not grow with the roll; the walk
reads voters page by page, and every file is written row by row (a PDF page by page).
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib.domain.names import list_sort_key
from chalicelib.domain.voter_code_notices import Recipient, Scrutin
from chalicelib.domain.voter_codes import code_hash, new_code, shown
from chalicelib.services import voter_code_notices
from chalicelib.store import voter_codes as store
from chalicelib.store.ballots import all_ballots
from chalicelib.store.electoral_list import voter_ids_page
from chalicelib.store.voters import Voter, scan_page

PAGE = 100
PROGRESS_STAGE = "électeurs lus"
NOTICES_STAGE = "notices écrites"
NOTICE_ATTRIBUTES = [
    "voter_id",
    "email",
    "last_name",
    "first_name",
    "academy",
    "workplace",
    "code_delivery",
    "ballot_ids",
    "removed_at",
]
CSV_COLUMNS = ["voter_id", "email", "last_name", "first_name", "workplace", "code_delivery", "code"]


@dataclass
class GenerationReport:
    voters: int = 0  # listed voters walked
    generated: int = 0
    already_had: int = 0
    resumed: int = 0  # codes staged by an interrupted run into the same folder, kept
    files: list[Path] = field(default_factory=list)
    by_academy: dict = field(default_factory=dict)


def slug(text: str) -> str:
    """A file name from an académie or a place: ASCII, lowercase, dashes."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:80] or "sans-nom"


def _pages_of_ballots(ballot_ids: list[str]) -> Iterator[list[Voter]]:
    for ballot_id in ballot_ids:
        cursor = None
        while True:
            voter_ids, cursor = voter_ids_page(ballot_id, cursor=cursor, limit=PAGE)
            if voter_ids:
                yield list(Voter.batch_get(voter_ids, attributes_to_get=NOTICE_ATTRIBUTES))
            if cursor is None:
                break


def _pages_of_roll() -> Iterator[list[Voter]]:
    cursor = None
    while True:
        voters, cursor = scan_page(segment=0, total_segments=1, cursor=cursor, limit=PAGE, attributes=NOTICE_ATTRIBUTES)
        if voters:
            yield voters
        if cursor is None:
            return


STAGING = ".codes-staging.sqlite"
PRINTING_FILES = ("imprimerie-*.csv", "notices-*.pdf")
WRITERS = 8  # conditional PutItems in flight: 1.1 M codes in minutes, not hours


def generate_codes(
    *,
    pepper: bytes,
    output: Path,
    now: datetime,
    portal_url: str,
    ballot_ids: list[str] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    randbits=secrets.randbits,
) -> GenerationReport:
    """Codes for every listed voter (of these ballots, or of the whole roll) who has none,
    then the printing house's files. Unknown ballots, or a folder holding another run's files:
    an error before anything is written.

    A code is staged (committed to the SQLite file) before its HMAC is written, and the staging
    file is removed only once every file is written: a run that fails or is interrupted leaves
    it (0600, in the output folder) and the next run into the same folder resumes from it, so a
    voter never holds a code that no file has. Resuming first settles what the interruption
    left uncertain: a staged code whose HMAC was not written is written now (or dropped, if
    another run gave that voter a code meanwhile)."""
    scrutins = {b.ballot_id: Scrutin(b.label, b.voting_opens_at, b.voting_closes_at) for b in all_ballots()}
    if ballot_ids:
        unknown = [b for b in ballot_ids if b not in scrutins]
        if unknown:
            raise UnknownBallots(unknown)
    _private_folder(output)
    staging_path = output / STAGING
    resuming = staging_path.exists()
    if not resuming and any(any(output.glob(pattern)) for pattern in PRINTING_FILES):
        raise OutputInUse(output)
    if not resuming:
        os.close(os.open(staging_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    db = sqlite3.connect(staging_path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS notice (voter_id TEXT PRIMARY KEY, email TEXT, last_name TEXT, "
        "first_name TEXT, academy TEXT, workplace TEXT, code_delivery TEXT, ballots TEXT, code TEXT, sort_key TEXT)"
    )
    # The files' order: académie, delivery place, then the electoral list's (names folded).
    db.execute("CREATE INDEX IF NOT EXISTS printing_order ON notice (academy, code_delivery, sort_key)")
    db.execute("CREATE TABLE IF NOT EXISTS seen (voter_id TEXT PRIMARY KEY)")
    db.commit()
    report = GenerationReport()
    with ThreadPoolExecutor(WRITERS) as writers:
        try:
            if resuming:
                report.resumed = _settle_staged(db, pepper, now, writers)
            pages = _pages_of_ballots(ballot_ids) if ballot_ids else _pages_of_roll()
            for page in pages:
                _give_codes(page, db, report, pepper, now, randbits, writers)
                if progress:
                    progress(PROGRESS_STAGE, report.voters, None)
            if progress:
                progress(PROGRESS_STAGE, report.voters, report.voters)  # the walk is done
            report.files = _write_printing_files(db, output, report)
            report.files += _write_notices(db, output, report, scrutins, portal_url, progress)
        except BaseException:
            db.close()  # the staging file stays: the next run resumes from it
            raise
    db.close()
    staging_path.unlink()
    return report


def _give_codes(page, db, report, pepper, now, randbits, writers) -> None:
    """One page of voters: stage a code for each who has none, commit, then write the HMACs."""
    fresh = []
    for voter in page:
        if voter.removed_at is not None or not voter.ballot_ids:
            continue
        if db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (voter.voter_id,)).rowcount:
            fresh.append(voter)
    having = store.voters_with_a_code([v.voter_id for v in fresh]) if fresh else set()
    report.voters += len(fresh)
    report.already_had += sum(1 for v in fresh if v.voter_id in having)
    staged = [(voter, new_code(randbits)) for voter in fresh if voter.voter_id not in having]
    db.executemany(
        "INSERT INTO notice VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                voter.voter_id,
                voter.email or "",
                voter.last_name,
                voter.first_name,
                voter.academy,
                voter.workplace,
                voter.code_delivery,
                json.dumps(sorted(voter.ballot_ids)),
                code,
                list_sort_key(voter.last_name, voter.first_name, voter.voter_id),
            )
            for voter, code in staged
        ],
    )
    db.commit()  # staged before any HMAC is written
    issued = writers.map(lambda pair: store.issue_first_code(pair[0].voter_id, code_hash(pair[1], pepper), now=now),
                         staged)  # fmt: skip
    for (voter, _code), written in zip(staged, list(issued), strict=True):
        if written:
            report.generated += 1
        else:  # another run gave this voter a code just now: theirs stands, ours is dropped
            report.already_had += 1
            db.execute("DELETE FROM notice WHERE voter_id = ?", (voter.voter_id,))
    db.commit()


def _settle_staged(db, pepper, now, writers) -> int:
    """An interrupted run's staged codes: keep those whose HMAC is stored, write those whose
    HMAC was not, drop those another run superseded. Returns how many are kept."""
    kept = 0
    rows = db.execute("SELECT voter_id, code FROM notice ORDER BY voter_id").fetchall()
    for at in range(0, len(rows), PAGE):
        chunk = rows[at : at + PAGE]
        stored = store.code_hashes([voter_id for voter_id, _ in chunk])
        missing = [(v, c) for v, c in chunk if v not in stored]
        written = dict(zip(missing, writers.map(
            lambda pair: store.issue_first_code(pair[0], code_hash(pair[1], pepper), now=now), missing
        ), strict=True))  # fmt: skip
        for voter_id, code in chunk:
            if stored.get(voter_id) == code_hash(code, pepper) or written.get((voter_id, code)):
                kept += 1
            else:
                db.execute("DELETE FROM notice WHERE voter_id = ?", (voter_id,))
    db.commit()
    return kept


def _private_folder(output: Path) -> None:
    """The output folder, created readable by its owner only (an existing one is left as it is:
    every file in it is created 0600)."""
    if not output.exists():
        output.mkdir(parents=True, mode=0o700)
        output.chmod(0o700)  # mkdir's mode passes through the umask


def _private_file(path: Path, *, replace: bool):
    """A new file readable by its owner only, from its creation on."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return descriptor


class OutputInUse(FileExistsError):
    """The folder holds the files of an earlier run: they would be overwritten, and their codes
    exist nowhere else."""

    def __init__(self, output: Path):
        super().__init__(str(output))
        self.output = output


class UnknownBallots(ValueError):
    def __init__(self, ballot_ids: list[str]):
        super().__init__(", ".join(ballot_ids))
        self.ballot_ids = ballot_ids


def _write_printing_files(db: sqlite3.Connection, output: Path, report: GenerationReport) -> list[Path]:
    """Per académie, the printing house's CSV, sorted by delivery place then name (streamed)."""
    written = []
    academies = [row[0] for row in db.execute("SELECT DISTINCT academy FROM notice ORDER BY academy")]
    for academy in academies:
        path = output / f"imprimerie-{slug(academy)}.csv"
        rows = db.execute(
            "SELECT voter_id, email, last_name, first_name, workplace, code_delivery, code FROM notice "
            "WHERE academy = ? ORDER BY code_delivery, sort_key",
            (academy,),
        )
        count = 0
        with open(_private_file(path, replace=True), "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow([*[_cell(v) for v in row[:-1]], shown(row[-1])])
                count += 1
        report.by_academy[academy] = count
        written.append(path)
    return written


def _write_notices(db, output, report, scrutins, portal_url, progress) -> list[Path]:
    """Per académie and delivery place, `notices-<académie>-<place>.pdf`: the notices in the
    CSV's order, then the hand-over sheet. Two places whose names give the same file name are
    told apart by a number."""
    written: list[Path] = []
    done = 0
    places = db.execute(
        "SELECT academy, code_delivery, COUNT(*) FROM notice "
        "GROUP BY academy, code_delivery ORDER BY academy, code_delivery"
    ).fetchall()
    names: set[str] = set()
    for academy, code_delivery, count in places:
        stem = f"notices-{slug(academy)}-{slug(code_delivery)}"
        name, twin = f"{stem}.pdf", 1
        while name in names:
            twin += 1
            name = f"{stem}-{twin}.pdf"
        names.add(name)

        def voters(fields: str, academy=academy, code_delivery=code_delivery):
            return db.execute(
                f"SELECT {fields} FROM notice WHERE academy = ? AND code_delivery = ? ORDER BY sort_key",
                (academy, code_delivery),
            )

        def notices(voters=voters):
            nonlocal done
            for last_name, first_name, voter_id, workplace, ballots, code in voters(
                "last_name, first_name, voter_id, workplace, ballots, code"
            ):
                theirs = sorted((scrutins[b] for b in json.loads(ballots) if b in scrutins), key=_in_time)
                yield Recipient(last_name, first_name, voter_id, workplace), code, theirs
                done += 1
                if progress:
                    progress(NOTICES_STAGE, done, report.generated)

        sheet = (Recipient(*row) for row in voters("last_name, first_name, voter_id, workplace"))
        path = output / name
        voter_code_notices.write_place(
            path,
            notices(),
            sheet,
            count=count,
            academy=academy,
            code_delivery=code_delivery,
            portal_url=portal_url,
        )
        written.append(path)
    return written


def _in_time(scrutin: Scrutin) -> tuple:
    return scrutin.opens, scrutin.label


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (=, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
