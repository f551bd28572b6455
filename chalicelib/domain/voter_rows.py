"""One row of an electoral-list file: what it must contain, and what a valid row becomes.

The file has one row per voter, with the columns of `COLUMNS` and, if the roll provides them,
those of `OPTIONAL_COLUMNS`. Each problem found in a row has a stable code (for programs and
tests) and a French sentence (for the administrator).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from chalicelib.domain.birth_dates import birth_date_check, parse_birth_date
from chalicelib.domain.emails import is_well_formed, normalise_email
from chalicelib.domain.field_lengths import MAX_LENGTHS
from chalicelib.domain.names import list_sort_key

COLUMNS = (
    "voter_id",
    "last_name",
    "first_name",
    "email",
    "academy",
    "department",
    "workplace",
    "code_delivery",
    "ballots",
)
# The second factor of the self-service re-issue of a voter code (`domain.birth_dates`): a roll
# without it gives the voter no self-service path, and the page says whom to contact.
OPTIONAL_COLUMNS = ("birth_date",)
BALLOT_SEPARATOR = "|"
VOTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class VoterRow:
    voter_id: str
    last_name: str
    first_name: str
    email: str
    academy: str
    department: str
    workplace: str
    code_delivery: str
    ballot_ids: tuple[str, ...]
    birth_date_check: str | None = None  # the keyed hash of the roll's birth date, if given

    def fingerprint(self) -> str:
        content = asdict(self)
        if self.birth_date_check is None:  # a roll without birth dates keeps its fingerprints
            del content["birth_date_check"]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    @property
    def sort_key(self) -> str:
        return list_sort_key(self.last_name, self.first_name, self.voter_id)


@dataclass(frozen=True)
class StoredVoter:
    """What the import needs to know of a voter already stored, to compare it with a row."""

    voter_id: str
    email: str | None
    last_name: str
    first_name: str
    workplace: str
    ballot_ids: tuple[str, ...]
    imported_at: str
    removed: bool
    # A pruned voter's last address (their `email` is gone): listing them again at another
    # address is an address change too.
    removed_email: str | None = None
    # List entries (ballot, sort key) an interrupted import may have written for this voter
    # under a name or ballots the voter item does not show yet (see `entries_in_flight`).
    pending_entries: tuple[tuple[str, str], ...] = ()

    @property
    def sort_key(self) -> str:
        return list_sort_key(self.last_name, self.first_name, self.voter_id)

    @property
    def listed_on(self) -> set[str]:
        """The ballots whose lists may hold an entry of this voter (in flight ones included)."""
        return set(self.ballot_ids) | {ballot_id for ballot_id, _ in self.pending_entries}

    def lists_as(self, row: VoterRow) -> bool:
        """The list entries of this voter already show what the row says (name, workplace)."""
        return not self.removed and (self.last_name, self.first_name, self.workplace) == (
            row.last_name,
            row.first_name,
            row.workplace,
        )


def list_changes(row: VoterRow, stored: StoredVoter | None) -> tuple[set[tuple[str, str]], list[tuple[str, str]]]:
    """The electoral-list entries (ballot, sort key) to delete and to write for this row.

    An entry that already shows the row's name and workplace is left alone, so a re-import
    that changes only a voter's email or ballots writes only what changed.
    """
    new_keys = {(b, row.sort_key) for b in row.ballot_ids}
    old_keys = {(b, stored.sort_key) for b in stored.ballot_ids} if stored and not stored.removed else set()
    in_flight = set(stored.pending_entries) if stored else set()
    # Entries an interrupted run may have left are rewritten or deleted, never trusted.
    unchanged = stored is not None and stored.lists_as(row) and not in_flight
    return (old_keys | in_flight) - new_keys, sorted(key for key in new_keys if not (key in old_keys and unchanged))


def lists_touched(row: VoterRow, stored: StoredVoter | None) -> set[str]:
    """The ballots whose electoral list writing this row changes (an entry deleted or written)."""
    removed, added = list_changes(row, stored)
    return {ballot_id for ballot_id, _ in removed} | {ballot_id for ballot_id, _ in added}


def entries_in_flight(stored: StoredVoter | None, added: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """What the voter item must say is being written before the import writes `added`.

    The import writes a chunk's list entries before its voter items. Stopped in between, the
    entries under the new name or ballots exist while the voter item still shows the old ones;
    a next run with another file would compute its changes from the old ones and leave those
    entries behind for good. Marked first, they are known to every later run (`list_changes`)."""
    return set(added) | (set(stored.pending_entries) if stored else set())


@dataclass(frozen=True)
class RowProblem:
    code: str
    message: str


def wrong_column_count(found: int, expected: int) -> RowProblem:
    return RowProblem("wrong_column_count", f"{found} colonnes au lieu de {expected}")


# The problems found by comparing rows with each other or with the stored voters: each is
# found as facts (the row's value and what it collides with), and worded here.
_CONFLICT_WORDING = {
    "duplicate_voter_id": "identifiant électeur « {value} » présent plusieurs fois (lignes {other})",
    "duplicate_email": "adresse « {value} » utilisée par plusieurs électeurs (lignes {other})",
    "email_taken": "adresse « {value} » déjà celle de l'électeur « {other} », qui la garde après cet import",
}


def conflict_problem(code: str, value: str, other: str) -> RowProblem:
    """A row rejected for colliding with others: `other` is their lines, or the holder's id."""
    return RowProblem(code, _CONFLICT_WORDING[code].format(value=value, other=other))


def header_problem(header: list[str]) -> str | None:
    """What is wrong with a file's header, in French, or None if it has exactly `COLUMNS`
    and perhaps some of `OPTIONAL_COLUMNS`."""
    missing = [c for c in COLUMNS if c not in header]
    unexpected = [h for h in header if h not in COLUMNS + OPTIONAL_COLUMNS]
    if not missing and not unexpected:
        return None
    return (
        "en-tête incorrect : attendu "
        + ";".join(COLUMNS)
        + f" (et, si le fichier les fournit : {';'.join(OPTIONAL_COLUMNS)})"
        + (f" ; colonnes manquantes : {', '.join(missing)}" if missing else "")
        + (f" ; colonnes inconnues : {', '.join(unexpected)}" if unexpected else "")
    )


def parse_row(
    fields: dict[str, str | None], known_ballots: set[str], birth_date_key: bytes | None = None
) -> tuple[VoterRow | None, list[RowProblem]]:
    """Validate one row; return the voter (or None) and every problem found. A file with the
    `birth_date` column is read with `birth_date_key` (the voter codes' pepper), which keys
    the hash the voter is kept with; an empty birth date is allowed (that voter has no
    self-service re-issue)."""
    problems: list[RowProblem] = []
    values: dict[str, str] = {}
    for column in COLUMNS:
        value = (fields.get(column) or "").strip()
        if not value:
            problems.append(RowProblem("missing_field", f"champ « {column} » manquant"))
        limit = MAX_LENGTHS.get(column)
        if limit and len(value) > limit:
            problems.append(
                RowProblem("field_too_long", f"champ « {column} » trop long ({len(value)} caractères, {limit} au plus)")
            )
        values[column] = value

    voter_id = values["voter_id"]
    if voter_id and not VOTER_ID.match(voter_id):
        problems.append(
            RowProblem(
                "invalid_voter_id",
                f"identifiant électeur « {voter_id} » invalide (lettres, chiffres, « _ », « - », « . »)",
            )
        )

    email = normalise_email(values["email"])
    if email and not is_well_formed(email):
        problems.append(RowProblem("invalid_email", f"adresse électronique mal formée : « {values['email']} »"))

    ballot_ids = tuple(sorted({b.strip() for b in values["ballots"].split(BALLOT_SEPARATOR) if b.strip()}))
    if values["ballots"] and not ballot_ids:
        problems.append(RowProblem("missing_field", "champ « ballots » sans aucun scrutin"))
    unknown = [b for b in ballot_ids if b not in known_ballots]
    if unknown:
        problems.append(
            RowProblem(
                "unknown_ballot", f"scrutin(s) inconnu(s) : {', '.join(unknown)} (importez d'abord les scrutins)"
            )
        )

    check = None
    written = (fields.get("birth_date") or "").strip()
    if written:
        born = parse_birth_date(written)
        if born is None:
            problems.append(
                RowProblem("invalid_birth_date", f"date de naissance « {written[:40]} » invalide (JJ/MM/AAAA attendu)")
            )
        elif birth_date_key is None:
            raise ValueError("a file with birth dates is read with the key that hashes them")
        else:
            check = birth_date_check(born, birth_date_key)

    if problems:
        return None, problems
    return (
        VoterRow(
            voter_id=voter_id,
            last_name=values["last_name"],
            first_name=values["first_name"],
            email=email,
            academy=values["academy"],
            department=values["department"],
            workplace=values["workplace"],
            code_delivery=values["code_delivery"],
            ballot_ids=ballot_ids,
            birth_date_check=check,
        ),
        [],
    )
