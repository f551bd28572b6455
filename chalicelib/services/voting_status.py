"""The booth's list: each of the voter's scrutins to vote, voted (when), not yet open, closed.

Reads the voter's scrutins (one BatchGetItem), their émargements (one BatchGetItem on the
sign-in list, by the voter's own keys) and the sealed elections (kept per container,
`services.sealed_scrutins`). Never the ballot box: this module reads the sign-in list, and
pyproject.toml's import-linter contracts keep the box's module out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.voting import BoothState, booth_state
from chalicelib.services.ballots import BallotView, my_ballots
from chalicelib.services.sealed_scrutins import SealedScrutin, known_scrutin
from chalicelib.store import sign_in
from chalicelib.store.voters import Voter


@dataclass(frozen=True)
class BoothEntry:
    view: BallotView
    scrutin: SealedScrutin
    state: BoothState
    voted_at: datetime | None


def booth_list(voter: Voter, *, code_verified_at: datetime | None, now: datetime) -> list[BoothEntry]:
    views = my_ballots(voter, now=now)
    voted = sign_in.votes_of(voter.voter_id, [v.ballot.ballot_id for v in views]) if views else {}
    entries = []
    for view in views:
        scrutin = known_scrutin(view.ballot)
        state = booth_state(
            opens=scrutin.opens,
            closes=scrutin.closes,
            grace=scrutin.grace,
            code_verified_at=code_verified_at,
            voted=view.ballot.ballot_id in voted,
            now=now,
        )
        if state is BoothState.TO_VOTE and not scrutin.sealed:
            state = BoothState.NOT_OPEN  # voting cannot start before the bureau's seal
        entries.append(BoothEntry(view, scrutin, state, voted.get(view.ballot.ballot_id)))
    return entries
