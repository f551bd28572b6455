"""What an import tells its caller: the counts, the rejected rows, and why it stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib.domain import seals
from chalicelib.domain.voter_rows import RowProblem

# Called with a stage's name, what is done and the total if known, for the CLI's progress line.
Progress = Callable[[str, int, "int | None"], None]


class ImportAborted(Exception):
    """The file cannot be imported at all (unreadable, wrong header, not UTF-8, or it changes a
    sealed list: `SealedListsChanged`); nothing was written."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class SealedListsChanged(ImportAborted):
    """The file would change the electoral list of ballots their bureau has sealed.

    `rows_by_ballot`: for each such ballot, how many rows of the file change its list;
    `pruned_by_ballot`: how many voters absent from the file `--prune` would take off it."""

    def __init__(
        self, rows_by_ballot: dict[str, int], pruned_by_ballot: dict[str, int], voters: int, sample: list[str]
    ):
        self.rows_by_ballot, self.pruned_by_ballot = rows_by_ballot, pruned_by_ballot
        super().__init__(
            seals.ELECTORAL_LIST_SEALED, seals.sealed_lists_changed(rows_by_ballot, pruned_by_ballot, voters, sample)
        )


class ImportInterrupted(Exception):
    """DynamoDB stopped accepting writes part-way (throttled or unreachable after retries).

    Some voters are written, the others not. Running the same command again completes the
    import: what is already stored compares as unchanged, and every write is a whole-item
    put or a delete, so repeating one changes nothing; an espace suspended for an address
    change records which change it was, and is neither suspended nor told twice
    (`suspensions`).
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
    # Voters given another address, and how many of them had an espace (suspended until the
    # new address confirms).
    address_changes: int = 0
    address_changes_with_account: int = 0
    items_written: int = 0
    written: bool = False
    # Ballots sealed by their bureau while this import was writing their lists (an incident:
    # the sealed list may hold only part of the changes).
    sealed_during_import: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def items_per_second(self) -> float:
        return self.items_written / self.seconds if self.seconds else 0.0
