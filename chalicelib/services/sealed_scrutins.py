"""The sealed scrutins, as voting needs them: dates, the election's key, φ, options and grace.

A sealed scrutin never changes (imports refuse it, a sealed bureau cannot restart its
ceremony), so what the cast and the booth's list need of it is read once per container and
kept: a GetItem for the ballot, one for the sealed index and one for election.json, then
nothing (except under the local demo's switches, where `bureau demo-close` may end a vote
early: read each time there). An unsealed scrutin is read again each time (it may be sealed any minute).
election.json must hash to the φ the seal recorded and list the scrutin, or nothing is
served or accepted (a 500, logged) rather than votes under a wrong key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib import settings
from chalicelib.domain.elections import ELECTION_FILE
from chalicelib.domain.errors import BallotNotFound
from chalicelib.services.demo_close import ends_early
from chalicelib.store import bureaus as bureau_store
from chalicelib.store.ballots import BallotItem, find_ballot

if TYPE_CHECKING:
    from chalicelib.crypto.group import Point


class InconsistentElection(Exception):
    """A sealed scrutin whose election.json is missing, does not hash to the sealed φ or does
    not list it: no vote is taken (a 500, logged), rather than votes under a wrong key."""


@dataclass(frozen=True)
class SealedScrutin:
    ballot_id: str
    label: str
    opens: datetime
    closes: datetime
    election_id: str | None  # the bureau's election; None while it is not sealed
    grace: timedelta = timedelta(0)
    phi: bytes = b""
    public_key: Point | None = None
    options: int = 0
    option_ids: tuple[str, ...] = ()  # "blank", then the candidate lists' ids in ballot order

    @property
    def sealed(self) -> bool:
        return self.public_key is not None


_sealed: dict[str, SealedScrutin] = {}


def forget_sealed_scrutins() -> None:
    """Tests: the next cast reads the scrutins again."""
    _sealed.clear()


def sealed_scrutin(ballot_id: str) -> SealedScrutin:
    """The scrutin as the cast checks it; kept for the container's life once sealed."""
    known = _sealed.get(ballot_id)
    if known is not None and not settings.demo_switches():
        return known
    ballot = find_ballot(ballot_id)
    if ballot is None:
        raise BallotNotFound()
    return _from_item(ballot)


def known_scrutin(ballot: BallotItem) -> SealedScrutin:
    """The same, from a ballot item already read (the booth's list reads them in one batch)."""
    known = _sealed.get(ballot.ballot_id)
    return known if known is not None and not settings.demo_switches() else _from_item(ballot)


def _from_item(ballot: BallotItem) -> SealedScrutin:
    ballot_id = ballot.ballot_id
    scrutin = SealedScrutin(ballot_id, ballot.label, ballot.voting_opens_at, ballot.voting_closes_at, None)
    if ballot.sealed_at is None or not ballot.bureau_id:
        return scrutin
    entry = bureau_store.sealed_election(ballot.bureau_id)
    data = bureau_store.get_file(ballot.bureau_id, ELECTION_FILE) if entry else None
    if entry is None or data is None or hashlib.sha256(data).hexdigest() != entry.phi:
        raise InconsistentElection(f"{ballot_id}: sealed without its election")
    from chalicelib.crypto.record import read_election  # PyNaCl on the first sealed scrutin, not at cold start

    election = read_election(data)
    if ballot_id not in election.options:
        raise InconsistentElection(f"{ballot_id}: not in its election.json")
    closes, grace = ballot.voting_closes_at, timedelta(minutes=int(election.document["grace_minutes"]))
    early = ends_early(ballot)  # the local demo's `bureau demo-close`: None in any other stage
    if early is not None:
        closes, grace = min(closes, early), timedelta(0)
    scrutin = SealedScrutin(
        ballot_id,
        ballot.label,
        ballot.voting_opens_at,
        closes,
        election.uuid,
        grace=grace,
        phi=election.phi,
        public_key=election.public_key,
        options=election.options[ballot_id],
        option_ids=tuple(next(s["options"] for s in election.document["scrutins"] if s["id"] == ballot_id)),
    )
    _sealed[ballot_id] = scrutin
    return scrutin
