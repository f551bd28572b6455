"""Reading the electoral-list file: its header, then each row, validated into the staging area."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from chalicelib.domain.emails import normalise_email
from chalicelib.domain.voter_rows import header_problem, parse_row, wrong_column_count
from chalicelib.services.voter_import.report import ImportAborted, Progress, VoterImportReport
from chalicelib.services.voter_import.staging import Staging

# Rows per SQLite transaction while staging, and between two progress reports.
ROWS_PER_COMMIT = 5000


def stage_file(
    path: Path,
    known_ballots: set[str],
    staging: Staging,
    report: VoterImportReport,
    progress: Progress,
    birth_date_key: Callable[[], bytes],
) -> None:
    """Every row of the file into `staging`, with its problems; counts rows in `report`.
    `birth_date_key` gives the key of the birth dates' hash, asked for only when the file has
    the `birth_date` column."""
    try:
        size = path.stat().st_size
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportAborted("unreadable_file", f"impossible de lire {path} : {error.strerror}") from error
    try:
        with handle:
            _stage_rows(handle, size, known_ballots, staging, report, progress, birth_date_key)
    except UnicodeDecodeError as error:
        raise ImportAborted(
            "not_utf8", f"le fichier n'est pas en UTF-8 (vers la ligne {report.rows_read + 2})"
        ) from error


def _read_header(handle) -> tuple[list[str], str]:
    """The columns and the delimiter (";" or ","), from the first line."""
    header_line = handle.readline()
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    problem = header_problem(header)
    if problem:
        raise ImportAborted("bad_header", problem)
    return header, delimiter


def _stage_rows(
    handle,
    size: int,
    known_ballots: set[str],
    staging: Staging,
    report: VoterImportReport,
    progress: Progress,
    birth_date_key: Callable[[], bytes],
) -> None:
    header, delimiter = _read_header(handle)
    key = birth_date_key() if "birth_date" in header else None
    reader = csv.reader(handle, delimiter=delimiter)
    staging.begin()
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num + 1  # the header was read before the reader started
            report.rows_read += 1
            fields = dict(zip(header, values, strict=False))  # a short row is reported below
            row, problems = parse_row(fields, known_ballots, key)
            if len(values) != len(header):
                problems.append(wrong_column_count(len(values), len(header)))
                row = None
            voter_id = (fields.get("voter_id") or "").strip()
            staging.add_row(line, voter_id, normalise_email(fields.get("email") or ""), row, problems)
            if report.rows_read % ROWS_PER_COMMIT == 0:
                staging.commit()
                staging.begin()
                progress("validation", handle.buffer.tell(), size)
    finally:
        staging.commit()
    progress("validation", size, size)
