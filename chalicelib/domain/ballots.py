"""Ballots (scrutins): what one is, and what makes an imported definition acceptable."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from itertools import pairwise
from typing import NamedTuple

LEVELS = ("national", "academique", "departemental")

# The dates of a ballot, in the order they must follow.
DATE_FIELDS = (
    "lists_published_at",
    "claims_close_at",
    "candidates_published_at",
    "voting_opens_at",
    "voting_closes_at",
)

BALLOT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


class CandidateList(NamedTuple):
    list_id: str
    name: str
    acronym: str
    statement_url: str


class Ballot(NamedTuple):
    ballot_id: str
    label: str
    kind: str
    level: str
    perimeter: str
    lists_published_at: datetime
    claims_close_at: datetime
    candidates_published_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime
    candidate_lists: tuple[CandidateList, ...] = ()

    def fingerprint(self) -> str:
        """A digest of the content: equal digests mean a re-import has nothing to change."""
        content = self._asdict()
        content["candidate_lists"] = [candidate._asdict() for candidate in self.candidate_lists]
        for field in DATE_FIELDS:
            content[field] = content[field].astimezone(UTC).isoformat()
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class BallotDefinitionError(ValueError):
    """Every problem found in one ballot definition (French, for the administrator)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _text(definition: dict, field: str, problems: list[str], where: str = "") -> str:
    value = definition.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}champ « {field} » manquant ou vide")
        return ""
    return value.strip()


def parse_datetime(value) -> datetime | None:
    """An ISO 8601 date and time with an explicit offset, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_ballot(definition) -> Ballot:
    """Validate one ballot of an import file; raise BallotDefinitionError listing every problem."""
    if not isinstance(definition, dict):
        raise BallotDefinitionError(["chaque scrutin doit être un objet JSON"])
    problems: list[str] = []
    ballot_id = _text(definition, "id", problems)
    if ballot_id and not BALLOT_ID.match(ballot_id):
        problems.append(
            f"identifiant « {ballot_id} » invalide (lettres, chiffres, « _ », « - » et « . », 64 caractères au plus)"
        )
    label = _text(definition, "label", problems)
    kind = _text(definition, "kind", problems)
    level = _text(definition, "level", problems)
    if level and level not in LEVELS:
        problems.append(f"niveau « {level} » inconnu (attendu : {', '.join(LEVELS)})")
    perimeter = _text(definition, "perimeter", problems)

    dates: dict[str, datetime] = {}
    for field in DATE_FIELDS:
        if field not in definition:
            problems.append(f"date « {field} » manquante")
            continue
        parsed = parse_datetime(definition[field])
        if parsed is None:
            problems.append(
                f"date « {field} » invalide : {definition[field]!r} (attendu : ISO 8601 avec "
                "décalage horaire, par exemple 2026-11-29T10:00:00+01:00)"
            )
        else:
            dates[field] = parsed
    if len(dates) == len(DATE_FIELDS):
        for earlier, later in pairwise(DATE_FIELDS):
            if not dates[earlier] < dates[later]:
                problems.append(f"« {later} » doit être postérieure à « {earlier} »")

    candidate_lists = _parse_candidate_lists(definition.get("candidate_lists"), problems)
    if problems:
        raise BallotDefinitionError(problems)
    return Ballot(
        ballot_id=ballot_id,
        label=label,
        kind=kind,
        level=level,
        perimeter=perimeter,
        candidate_lists=candidate_lists,
        **dates,
    )


def _parse_candidate_lists(raw, problems: list[str]) -> tuple[CandidateList, ...]:
    if raw is None:
        problems.append("champ « candidate_lists » manquant (une liste, vide si inconnue)")
        return ()
    if not isinstance(raw, list):
        problems.append("« candidate_lists » doit être une liste")
        return ()
    result = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f"liste de candidats n° {position} : "
        if not isinstance(item, dict):
            problems.append(f"{where}doit être un objet JSON")
            continue
        list_id = _text(item, "id", problems, where)
        if list_id in seen:
            problems.append(f"{where}identifiant « {list_id} » en double")
        seen.add(list_id)
        name = _text(item, "name", problems, where)
        acronym = _text(item, "acronym", problems, where)
        url = _text(item, "statement_url", problems, where)
        if url and not URL.match(url):
            problems.append(f"{where}« statement_url » doit être une adresse http(s)")
        result.append(CandidateList(list_id, name, acronym, url))
    return tuple(result)
