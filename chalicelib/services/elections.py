"""The sealed elections, as anyone may read them: the list, and each one's public files.

Nothing is public before the seal: an election is known here only through its entry in the
bureaus table's "sealed-elections" partition, which `bureau seal` writes in the same
transaction that seals the bureau (`store.bureaus.record_seal`). From then on its
`election.json` and `trustees.json` never change (a sealed bureau cannot restart its
ceremony), so the API may let them be cached for good.

Round trips: the list is one Query; a file is one GetItem for the index entry and, when the
election is sealed, one strongly consistent GetItem for the file (none at all for an id or a
name that cannot be). The file is checked against the index: election.json must hash to the
φ the seal recorded, or nothing is served (a 500, logged) rather than a file cached for a year
that contradicts the list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.elections import ELECTION_FILE, ELECTION_ID, PUBLISHED_FILES
from chalicelib.domain.errors import ElectionNotFound
from chalicelib.store import bureaus as store


@dataclass(frozen=True)
class Scrutin:
    id: str
    label: str


@dataclass(frozen=True)
class SealedElection:
    id: str
    name: str
    scrutins: tuple[Scrutin, ...]
    fingerprint: str  # φ: the SHA-256 of election.json's exact bytes, in hex
    sealed_at: datetime


@dataclass(frozen=True)
class PublishedFile:
    data: bytes
    sha256: str  # hex, of `data`


class InconsistentRecord(Exception):
    """A sealed election without its file, or whose election.json does not hash to the φ the
    seal recorded: nothing is served (a 500, logged), rather than a file the index contradicts."""


def sealed_elections() -> list[SealedElection]:
    """Every sealed election, by name (one Query)."""
    elections = [
        SealedElection(
            id=item.part,
            name=item.name or "",
            scrutins=tuple(Scrutin(id=s["id"], label=s["label"]) for s in item.scrutins or ()),
            fingerprint=item.phi,
            sealed_at=item.sealed_at,
        )
        for item in store.sealed_elections()
    ]
    return sorted(elections, key=lambda e: (e.name, e.id))


def published_file(election_id: str, name: str) -> PublishedFile:
    """The exact bytes of one public file of a sealed election; `ElectionNotFound` for an
    unknown or unsealed election and for any other file name. An id that is not a uuid is not
    looked up (DynamoDB refuses keys over 2,048 bytes: a 500, not a 404)."""
    if name not in PUBLISHED_FILES or not ELECTION_ID.fullmatch(election_id):
        raise ElectionNotFound()
    entry = store.sealed_election(election_id)
    if entry is None:
        raise ElectionNotFound()
    data = store.get_file(election_id, name)
    if data is None:
        raise InconsistentRecord(f"{election_id}: sealed without {name}")
    digest = hashlib.sha256(data).hexdigest()
    if name == ELECTION_FILE and digest != entry.phi:
        raise InconsistentRecord(f"{election_id}: election.json is not the sealed one")
    return PublishedFile(data=data, sha256=digest)
