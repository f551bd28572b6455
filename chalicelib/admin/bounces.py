"""`bounces export`: the addresses HR must correct at the source, as a CSV for a spreadsheet.

Semicolon-separated UTF-8 with a byte-order mark, which is what a French spreadsheet opens
as is. A cell that a spreadsheet would read as a formula (starting with =, +, -, @, tab or
carriage return) is written with a leading apostrophe: the names and workplaces come from
files we do not control, and an export must not run anything on HR's computer.
"""

from __future__ import annotations

import csv

from chalicelib.admin.render import _when

COLUMNS = [
    "identifiant",
    "nom",
    "prénom",
    "adresse",
    "problème",
    "détail",
    "dernier retour",
    "académie",
    "département",
    "lieu de travail",
]
PROBLEMS = {"bounce": "rejet définitif", "complaint": "plainte (courriel signalé comme indésirable)"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_bounces_csv(found, path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        for item in found:
            voter, status = item.voter, item.status
            writer.writerow(
                inert(value)
                for value in (
                    voter.voter_id,
                    voter.last_name,
                    voter.first_name,
                    status.address,
                    PROBLEMS[item.problem],
                    status.bounce_subtype or "",
                    _when(status.last_event_at),
                    voter.academy,
                    voter.department,
                    voter.workplace,
                )
            )
