"""Small builders for import files used across service and CLI tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from chalicelib.domain.voter_rows import COLUMNS, OPTIONAL_COLUMNS

BALLOT_DATES = {
    "lists_published_at": "2026-10-17T10:00:00+02:00",
    "claims_close_at": "2026-10-25T17:00:00+01:00",
    "candidates_published_at": "2026-11-05T10:00:00+01:00",
    "voting_opens_at": "2026-11-29T10:00:00+01:00",
    "voting_closes_at": "2026-12-06T17:00:00+01:00",
}


def ballot(ballot_id: str, **changes) -> dict:
    definition = {
        "id": ballot_id,
        "label": f"Scrutin {ballot_id}",
        "kind": "CSA",
        "level": "national",
        "perimeter": "Ministère",
        **BALLOT_DATES,
        "candidate_lists": [
            {"id": f"{ballot_id}-FSU", "name": "FSU", "acronym": "FSU", "statement_url": "https://example.org/fsu.pdf"}
        ],
    }
    definition.update(changes)
    return definition


def write_ballots(path: Path, ballots: list[dict]) -> Path:
    path.write_text(json.dumps(ballots, ensure_ascii=False), encoding="utf-8")
    return path


def voter(number: int, **changes) -> dict:
    row = {
        "voter_id": f"P{number:08d}",
        "last_name": f"Nom{number}",
        "first_name": "Camille",
        "email": f"camille.nom{number}@ac-poitiers.fr",
        "academy": "Académie de Poitiers",
        "department": "Vienne",
        "workplace": "Lycée Jean Macé, Niort",
        "code_delivery": "Envoi postal au domicile",
        "ballots": "CSA-MEN|CSA-ACA",
    }
    row.update(changes)
    return row


def write_voters(path: Path, rows: list[dict], delimiter: str = ";", bom: bool = False) -> Path:
    """The roll's file; with the optional columns when a row has them (`birth_date`)."""
    columns = list(COLUMNS) + [c for c in OPTIONAL_COLUMNS if any(c in row for row in rows)]
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path
