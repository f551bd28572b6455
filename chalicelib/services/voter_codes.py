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
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
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
    portal_url: str,
    ballot_ids: list[str] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    randbits=secrets.randbits,
) -> GenerationReport:
    """Codes for every listed voter (of these ballots, or of the whole roll) who has none,
    then the printing house's files. Unknown ballots: ValueError before anything is written."""
    scrutins = {b.ballot_id: Scrutin(b.label, b.voting_opens_at, b.voting_closes_at) for b in all_ballots()}
    if ballot_ids:
        unknown = [b for b in ballot_ids if b not in scrutins]
        if unknown:
            raise UnknownBallots(unknown)
    output.mkdir(parents=True, exist_ok=True)
    staging_path = output / ".codes-staging.sqlite"
    staging_path.unlink(missing_ok=True)
    db = sqlite3.connect(staging_path)
    db.execute(
        "CREATE TABLE notice (voter_id TEXT PRIMARY KEY, email TEXT, last_name TEXT, first_name TEXT, "
        "academy TEXT, workplace TEXT, code_delivery TEXT, ballots TEXT, code TEXT, sort_key TEXT)"
    )
    # The files' order: académie, delivery place, then the electoral list's (names folded).
    db.execute("CREATE INDEX printing_order ON notice (academy, code_delivery, sort_key)")
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
                db.execute(
                    "INSERT INTO notice VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    ),
                )
            db.commit()
            if progress:
                progress(PROGRESS_STAGE, report.voters, None)
        if progress:
            progress(PROGRESS_STAGE, report.voters, report.voters)  # the walk is done
        report.files = _write_printing_files(db, output, report)
        report.files += _write_notices(db, output, report, scrutins, portal_url, progress)
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
            "WHERE academy = ? ORDER BY code_delivery, sort_key",
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
