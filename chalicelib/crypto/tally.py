"""The count's arithmetic (VOTING.md, "Counting"): every ballot re-verified, no nonce and no
`a_i` twice, the ciphertexts summed per option; sums of independent parts added in any order.

A part is any run of ballots of one scrutin (a shard of the box, a file of the record): each
is verified against the election (φ, key, options), its nonces must come in strictly
increasing order (the box's sort key and the record's order), and within it no `a_i` may
repeat. Parts add up (`Sums.__add__`) to the same tally whatever their order or grouping, so
a count fanned out over workers, interrupted and resumed, or run twice, gives the same tally.
Pure: the EV1 library and the standard library only (the verifier imports it by itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.crypto import ballots as ev1
from chalicelib.crypto.group import IDENTITY, InvalidElement, Point, point_from_hex


class CountError(ValueError):
    """A ballot the count must reject, or parts that cannot be added: `what` names it."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Sums:
    """A part's ballots and, per option, (ΣA, ΣB)."""

    ballots: int
    options: tuple[tuple[Point, Point], ...]

    @classmethod
    def zero(cls, options: int) -> Sums:
        return cls(0, ((IDENTITY, IDENTITY),) * options)

    def __add__(self, other: Sums) -> Sums:
        if len(self.options) != len(other.options):
            raise CountError("options")
        pairs = tuple((A + a, B + b) for (A, B), (a, b) in zip(self.options, other.options, strict=True))
        return Sums(self.ballots + other.ballots, pairs)

    def to_json(self) -> dict:
        return {"ballots": self.ballots, "options": [{"a": A.hex(), "b": B.hex()} for A, B in self.options]}

    @classmethod
    def from_json(cls, document: dict) -> Sums:
        try:
            pairs = tuple((_sum_from_hex(o["a"], "a"), _sum_from_hex(o["b"], "b")) for o in document["options"])
            ballots = document["ballots"]
        except (KeyError, TypeError, InvalidElement):
            raise CountError("sums") from None
        if type(ballots) is not int or ballots < 0:
            raise CountError("sums")
        return cls(ballots, pairs)


def _sum_from_hex(value, what: str) -> Point:
    """A sum as the record writes it: a valid point, or the identity (no ballot, or ciphertexts
    that cancel out), which a ballot's own points may never be."""
    return IDENTITY if value == IDENTITY.hex() else point_from_hex(value, what)


def verified_sums(lines: Iterable, *, public_key: Point, phi: bytes, scrutin: str, options: int) -> Sums:
    """The sums of one part, every ballot verified (each line one ballot's JSON, str or bytes)."""
    total_a = [IDENTITY] * options
    total_b = [IDENTITY] * options
    seen_points: set[bytes] = set()
    previous, count = b"", 0
    for line in lines:
        count += 1
        try:
            ballot = json.loads(line)
            checked = ev1.verify(ballot, public_key=public_key, phi=phi, scrutin=scrutin, options=options)
        except (ValueError, RecursionError) as error:
            reason = error.reason if isinstance(error, ev1.InvalidBallot) else "json"
            raise CountError(f"{scrutin}: ballot {count} ({reason})") from None
        if checked.nonce <= previous:
            raise CountError(f"{scrutin}: ballot {count} (nonce out of order or repeated)")
        previous = checked.nonce
        for i, (a, b) in enumerate(checked.pairs):
            if a.encoded in seen_points:
                raise CountError(f"{scrutin}: ballot {count} (a_{i} repeated)")
            seen_points.add(a.encoded)
            total_a[i] = total_a[i] + a
            total_b[i] = total_b[i] + b
    return Sums(count, tuple(zip(total_a, total_b, strict=True)))


def tally_document(phi: bytes, scrutins: list[tuple[str, Sums]]) -> dict:
    """tally.json (VOTING.md): per scrutin, its ballots and (ΣA, ΣB) per option."""
    return {
        "v": 1,
        "election": phi.hex(),
        "scrutins": [{"id": scrutin, **sums.to_json()} for scrutin, sums in scrutins],
    }
