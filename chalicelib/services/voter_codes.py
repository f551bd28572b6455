"""Voter codes: generating them for the printing house (`voter-codes generate`).

Every listed voter who has no code gets one (12 Crockford characters, `domain.voter_codes`),
one per voter for all their scrutins. The store keeps only its HMAC, written with a not-exists
condition, so running the command again (or twice at once) never gives a voter a second code:
it only fills in the voters who have none. The plain codes go to what the ministry prints:
per académie, a CSV for the printing house (voter, delivery place, code), and per delivery
place the notices (`voter_code_notices`). They pass through a SQLite file beside the outputs
(removed at the end), so memory does not grow with the roll; the walk reads voters page by page.
"""

from __future__ import annotations

import csv
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib.domain.voter_codes import code_hash, new_code, shown
from chalicelib.store import voter_codes as store
from chalicelib.store.ballots import all_ballots
from chalicelib.store.electoral_list import voter_ids_page
from chalicelib.store.voters import Voter, scan_page

PAGE = 100
PROGRESS_STAGE = "électeurs lus"
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


def generate_codes(
    *,
    pepper: bytes,
    output: Path,
    now: datetime,
    ballot_ids: list[str] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    randbits=secrets.randbits,
) -> GenerationReport:
    """Codes for every listed voter (of these ballots, or of the whole roll) who has none,
    then the printing house's files. Unknown ballots: ValueError before anything is written."""
    if ballot_ids:
        known = {b.ballot_id for b in all_ballots()}
        unknown = [b for b in ballot_ids if b not in known]
        if unknown:
            raise UnknownBallots(unknown)
    labels = {b.ballot_id: b.label for b in all_ballots()}
    output.mkdir(parents=True, exist_ok=True)
    staging_path = output / ".codes-staging.sqlite"
    staging_path.unlink(missing_ok=True)
    db = sqlite3.connect(staging_path)
    db.execute(
        "CREATE TABLE notice (voter_id TEXT PRIMARY KEY, email TEXT, last_name TEXT, first_name TEXT, "
        "academy TEXT, workplace TEXT, code_delivery TEXT, ballots TEXT, code TEXT)"
    )
    db.execute("CREATE TABLE seen (voter_id TEXT PRIMARY KEY)")
    report = GenerationReport()
    try:
        pages = _pages_of_ballots(ballot_ids) if ballot_ids else _pages_of_roll()
        for page in pages:
            fresh = []
            for voter in page:
                if voter.removed_at is not None or not voter.ballot_ids:
                    continue
                if db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (voter.voter_id,)).rowcount:
                    fresh.append(voter)
            having = store.voters_with_a_code([v.voter_id for v in fresh]) if fresh else set()
            for voter in fresh:
                report.voters += 1
                if voter.voter_id in having:
                    report.already_had += 1
                    continue
                code = new_code(randbits)
                if not store.issue_first_code(voter.voter_id, code_hash(code, pepper), now=now):
                    report.already_had += 1  # another run gave one just now
                    continue
                report.generated += 1
                ballots = " | ".join(labels.get(b, b) for b in sorted(voter.ballot_ids))
                db.execute(
                    "INSERT INTO notice VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        voter.voter_id,
                        voter.email or "",
                        voter.last_name,
                        voter.first_name,
                        voter.academy,
                        voter.workplace,
                        voter.code_delivery,
                        ballots,
                        code,
                    ),
                )
            db.commit()
            if progress:
                progress(PROGRESS_STAGE, report.voters, None)
        report.files = _write_printing_files(db, output, report)
    finally:
        db.close()
        staging_path.unlink(missing_ok=True)
    return report


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
            "WHERE academy = ? ORDER BY code_delivery, last_name, first_name, voter_id",
            (academy,),
        )
        count = 0
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow([*[_cell(v) for v in row[:-1]], shown(row[-1])])
                count += 1
        path.chmod(0o600)
        report.by_academy[academy] = count
        written.append(path)
    return written


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (=, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
