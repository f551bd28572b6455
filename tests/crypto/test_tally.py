"""The count's arithmetic: parts verified and summed, added in any order to the same tally."""

from __future__ import annotations

import json
import random

import pytest

from chalicelib.crypto import ballots
from chalicelib.crypto.group import IDENTITY, G, hash_to_scalar
from chalicelib.crypto.tally import CountError, Sums, tally_document, verified_sums

SECRET = hash_to_scalar("test-key", b"tally")
Y = SECRET * G
PHI = bytes(32)
OPTIONS = 3


def cast(choice: int, rng=None) -> dict:
    return ballots.encrypt(public_key=Y, phi=PHI, scrutin="S", options=OPTIONS, choice=choice, rng=rng)


def lines(cast_ballots) -> list[str]:
    return [json.dumps(b) for b in sorted(cast_ballots, key=lambda b: b["nonce"])]


def part(cast_ballots) -> Sums:
    return verified_sums(lines(cast_ballots), public_key=Y, phi=PHI, scrutin="S", options=OPTIONS)


def decrypt(sums: Sums) -> list[int]:
    found = []
    for A, B in sums.options:
        M, m, point = B - SECRET * A, 0, IDENTITY
        while point != M:
            point, m = point + G, m + 1
        found.append(m)
    return found


def test_parts_add_up_in_any_order_to_the_counts():
    choices = [0, 1, 2, 2, 1, 2, 0, 2]
    cast_ballots = [cast(c) for c in choices]
    random.Random(1).shuffle(cast_ballots)
    parts = [part(cast_ballots[:3]), part(cast_ballots[3:5]), part(cast_ballots[5:])]
    forward = parts[0] + parts[1] + parts[2]
    backward = Sums.zero(OPTIONS) + parts[2] + parts[0] + parts[1]
    assert forward == backward and forward.ballots == 8
    assert decrypt(forward) == [choices.count(i) for i in range(OPTIONS)]
    assert Sums.from_json(json.loads(json.dumps(forward.to_json()))) == forward
    assert Sums.from_json(Sums.zero(OPTIONS).to_json()) == Sums.zero(OPTIONS)  # the identity, for an empty shard
    document = tally_document(PHI, [("S", forward)])
    assert document["scrutins"][0]["ballots"] == 8 and len(document["scrutins"][0]["options"]) == OPTIONS


def test_a_part_refuses_a_bad_ballot_a_nonce_out_of_order_and_a_repeated_point():
    good = [cast(1), cast(2)]
    text = lines(good)
    with pytest.raises(CountError, match="nonce out of order"):
        verified_sums(list(reversed(text)), public_key=Y, phi=PHI, scrutin="S", options=OPTIONS)
    tampered = json.loads(text[0])
    tampered["proofs"][0], tampered["proofs"][1] = tampered["proofs"][1], tampered["proofs"][0]
    with pytest.raises(CountError, match="ballot 1"):
        verified_sums([json.dumps(tampered), text[1]], public_key=Y, phi=PHI, scrutin="S", options=OPTIONS)

    class Shared(ballots.SystemRandom):
        def __init__(self):
            self.draws = 0

        def scalar(self):
            self.draws += 1
            return 99 if self.draws == 1 else super().scalar()

    twins = [cast(0, Shared()), cast(1, Shared())]  # the same a_0, each ballot valid alone
    with pytest.raises(CountError, match="a_0 repeated"):
        part(twins)
    with pytest.raises(CountError):
        Sums.from_json({"ballots": -1, "options": []})
