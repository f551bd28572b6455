"""Import of the ballots (scrutins) and their candidate lists from a JSON file.

The file is the full list of ballots. It is validated whole before anything is written:
one bad ballot and nothing changes. Ballots are upserted by id, a ballot whose content did
not change is not written again, and a stored ballot missing from the file is reported but
never deleted (voters and, later, votes refer to it).

A ballot sealed by its polling bureau (`sealed_at`) no longer changes: a file that changes
one is refused whole, before anything is written (`SealedBallotChanged`); re-importing it
unchanged is fine. Each write is conditional on what was read (not sealed, the same bureau),
so a seal that lands between the comparison and the write stops the import there
(`BallotSealedDuringImport`) instead of changing a sealed ballot; the ballots that may be
sealed at any moment (those in a bureau) are written first, so that such a stop leaves as
few ballots written as possible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib.domain import seals
from chalicelib.domain.ballots import Ballot, BallotDefinitionError, parse_ballot
from chalicelib.store.ballots import BallotItem, BallotNotAsRead, all_ballots, save_ballots


class BallotFileError(Exception):
    """The file cannot be used; `problems` lists every reason, in French. Nothing was written."""

    code = "invalid_ballot_file"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class SealedBallotChanged(BallotFileError):
    """The file changes ballots their bureau has sealed: one problem each, nothing written."""

    code = seals.BALLOT_SEALED


class BallotSealedDuringImport(Exception):
    """A ballot was sealed, or given to a bureau, between the comparison and its write: it
    was not written, nor any after it; `written` are the ballots written before it."""

    code = seals.BALLOT_SEALED_DURING_IMPORT

    def __init__(self, ballot_id: str, written: list[str]):
        self.ballot_id, self.written = ballot_id, written
        super().__init__(seals.ballot_sealed_during_import(ballot_id, written))


@dataclass
class BallotImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    written: bool = False


def read_ballot_file(path: str | Path) -> list[Ballot]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise BallotFileError([f"impossible de lire {path} : {error.strerror}"]) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BallotFileError([f"{path} n'est pas un fichier JSON UTF-8 valide : {error}"]) from error
    if not isinstance(raw, list):
        raise BallotFileError(["le fichier doit contenir une liste JSON de scrutins"])
    ballots, problems, seen = [], [], set()
    for position, definition in enumerate(raw, start=1):
        label = definition.get("id") if isinstance(definition, dict) else None
        where = f"scrutin n° {position}" + (f" ({label})" if label else "")
        try:
            ballot = parse_ballot(definition)
        except BallotDefinitionError as error:
            problems.extend(f"{where} : {p}" for p in error.problems)
            continue
        if ballot.ballot_id in seen:
            problems.append(f"{where} : identifiant en double dans le fichier")
        seen.add(ballot.ballot_id)
        ballots.append(ballot)
    if problems:
        raise BallotFileError(problems)
    return ballots


def import_ballots(path: str | Path, *, now: datetime, dry_run: bool = False) -> BallotImportReport:
    ballots = read_ballot_file(path)
    stored = {item.ballot_id: item for item in all_ballots()}
    report = BallotImportReport()
    to_write, sealed_changes = [], []
    for ballot in ballots:
        existing = stored.get(ballot.ballot_id)
        if existing is None:
            report.created.append(ballot.ballot_id)
            to_write.append((ballot, None))
        elif existing.fingerprint == ballot.fingerprint():
            report.unchanged.append(ballot.ballot_id)
        elif existing.sealed_at is not None:
            sealed_changes.append(_sealed_problem(ballot, existing))
        else:
            report.updated.append(ballot.ballot_id)
            to_write.append((ballot, existing.bureau_id))
    if sealed_changes:
        raise SealedBallotChanged(sealed_changes)
    in_file = {b.ballot_id for b in ballots}
    report.not_in_file = sorted(set(stored) - in_file)
    if not dry_run:
        # Those in a bureau first: they are the ones a seal may reach before their write.
        to_write.sort(key=lambda pair: pair[1] is None)
        try:
            save_ballots(to_write, now=now)
        except BallotNotAsRead as error:
            raise BallotSealedDuringImport(error.ballot_id, error.written) from None
        report.written = True
    return report


def _sealed_problem(ballot: Ballot, existing: BallotItem) -> str:
    sealed = existing.to_domain()
    changed = [name for name in Ballot._fields if getattr(ballot, name) != getattr(sealed, name)]
    return seals.sealed_ballot_changed(ballot.ballot_id, existing.sealed_at, changed)
