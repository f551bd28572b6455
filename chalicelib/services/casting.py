"""Casting a vote: one encrypted ballot of one scrutin, accepted once, final (`POST /api/ballots/{id}/votes`).

The checks, in this order, each refusal writing nothing: the voter code typed in this session;
the voter on the scrutin's list; voting open by the server's clock (after the close, only a
session whose code was typed before it, within the election's grace); the polling bureau's
seal; then the ballot itself, against the sealed election.json: its φ, its scrutin, every
element and every proof (`chalicelib.crypto.ballots.verify`). Then **one transaction**: the
émargement (scrutin, voter, time; condition: absent) and the ballot in the box (partition
`scrutin#shard`, key its nonce; condition: absent). Twenty tabs casting at once give one vote.

Why this cannot link a voter to a ballot: the box's item holds the key and the ballot,
rebuilt from the checked values in VOTING.md's field order (so no extra field a client
added, such as an identifier, ever reaches the box), and no time, no voter, no request id;
DynamoDB keeps no order of arrival that a reader of the box can see. The receipt is computed
here from the ballot and returned once; nothing stores it next to the voter. This module
reads no voter and no sign-in entry (the entrypoint hands it the voter's rights) and is
the one module that writes to the box (pyproject.toml's import-linter contracts).

A sealed scrutin never changes (imports refuse it, a sealed bureau cannot restart its
ceremony), so what the checks need of it (dates, election key, φ, options, grace) is read
once per container and kept. Round trips when warm: the TransactWriteItems and the SQS message
of the "vous avez voté" email; cold, a GetItem for the ballot, one for the sealed index and
one for election.json, per scrutin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.crypto import ballots as ev1
from chalicelib.crypto.group import scalar_hex
from chalicelib.crypto.record import compact
from chalicelib.domain.ballots import BALLOT_ID
from chalicelib.domain.errors import (
    AlreadyVoted,
    BallotNotFound,
    BallotRefused,
    ElectionNotSealed,
    NotOnList,
    VoterCodeRequired,
    VotingClosed,
)
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.voting import may_cast
from chalicelib.services.after_commit import best_effort
from chalicelib.services.registration import request_notice
from chalicelib.services.sealed_scrutins import sealed_scrutin
from chalicelib.store import ballot_box, sign_in
from chalicelib.store.mail_log import time_key


@dataclass(frozen=True)
class Caster:
    """What the cast needs to know of the voter, handed in by the entrypoint."""

    voter_id: str
    ballot_ids: frozenset[str]  # the scrutins whose list they are on
    code_verified_at: datetime | None  # when they typed their voter code in this session


@dataclass(frozen=True)
class CastVote:
    receipt: str  # ρ in hex
    short_receipt: str
    voted_at: datetime
    election_fingerprint: str  # φ in hex


def stored_form(checked: ev1.CheckedBallot, phi: bytes) -> str:
    """The ballot as the box and the public record hold it: the checked values re-encoded
    (lowercase hex, as they had to be), VOTING.md's fields in its order, nothing else."""
    return (
        compact(
            {
                "v": 1,
                "group": "ed25519",
                "election": phi.hex(),
                "scrutin": checked.scrutin,
                "nonce": checked.nonce.hex(),
                "choices": [{"a": a.hex(), "b": b.hex()} for a, b in checked.pairs],
                "proofs": [
                    dict(zip(("c0", "c1", "s0", "s1"), map(scalar_hex, p), strict=True)) for p in checked.proofs
                ],
                "sum_proof": {"c": scalar_hex(checked.sum_proof[0]), "s": scalar_hex(checked.sum_proof[1])},
            }
        )
        .decode("utf-8")
        .rstrip("\n")
    )


def cast_vote(caster: Caster, ballot_id: str, ballot, *, now: datetime) -> CastVote:
    """Record this voter's final vote in this scrutin, or refuse it having written nothing."""
    if caster.code_verified_at is None:
        raise VoterCodeRequired()
    if not BALLOT_ID.fullmatch(ballot_id):
        raise BallotNotFound()
    if ballot_id not in caster.ballot_ids:
        raise NotOnList()
    scrutin = sealed_scrutin(ballot_id)
    if not may_cast(
        opens=scrutin.opens,
        closes=scrutin.closes,
        grace=scrutin.grace,
        code_verified_at=caster.code_verified_at,
        now=now,
    ):
        raise VotingClosed()
    if not scrutin.sealed:
        raise ElectionNotSealed()
    try:
        checked = ev1.verify(
            ballot, public_key=scrutin.public_key, phi=scrutin.phi, scrutin=ballot_id, options=scrutin.options
        )
    except ev1.InvalidBallot as refused:
        raise BallotRefused(refused.reason) from None
    try:
        sign_in.record_vote(
            ballot_id,
            caster.voter_id,
            now,
            together_with=ballot_box.new_entries(
                ballot_id, checked.nonce, stored_form(checked, scrutin.phi), [a.encoded for a, _ in checked.pairs]
            ),
        )
    except sign_in.AlreadySignedIn as signed:
        raise AlreadyVoted(this_ballot=signed.with_these_items) from None
    except sign_in.BallotTaken as taken:
        raise BallotRefused("duplicate_nonce" if taken.index == 0 else "duplicate_point") from None
    best_effort(
        "notify_vote_recorded",
        request_notice,
        MailRequestKind.VOTE_RECORDED,
        now=now,
        voter_id=caster.voter_id,
        ballot_id=ballot_id,
        voted_at=time_key(now),
    )
    rho = ev1.receipt(checked, scrutin.phi)
    return CastVote(
        receipt=rho.hex(),
        short_receipt=ev1.short_receipt(rho),
        voted_at=now,
        election_fingerprint=scrutin.phi.hex(),
    )
