"""The bureau's key, shared in two groups, and a whole count decrypted by 1 adm + 2 del."""

from __future__ import annotations

import hashlib
import random

import pytest

from chalicelib.crypto import ballots, threshold
from chalicelib.crypto.group import IDENTITY, ORDER, G
from chalicelib.crypto.threshold import (
    NotACount,
    Proof,
    combine,
    commitments,
    decryption_label,
    discrete_log,
    group_key,
    knowledge_is_proven,
    lagrange_at_zero,
    partial_decrypt,
    partial_is_valid,
    pok_context,
    prove_knowledge,
    share,
    share_is_valid,
    verification_key,
)

CEREMONY = hashlib.sha256(b"ceremony").digest()
PHI = hashlib.sha256(b"election.json").digest()


class SeededRandom(ballots.SystemRandom):
    def __init__(self, seed):
        self.random = random.Random(seed)

    def scalar(self):
        return self.random.randrange(1, ORDER)


def ceremony(group: str, members: int, threshold_: int, rng):
    """Every member's polynomial, commitments and proof; every share checked; the keys."""
    polynomials = [[rng.scalar() for _ in range(threshold_)] for _ in range(members)]
    published = [commitments(p) for p in polynomials]
    for i, (p, A) in enumerate(zip(polynomials, published, strict=True), start=1):
        proof = prove_knowledge("pok", p[0], A[0], pok_context(CEREMONY, group, i), rng)
        assert knowledge_is_proven("pok", A[0], proof, pok_context(CEREMONY, group, i))
        assert not knowledge_is_proven("pok", A[0], proof, pok_context(CEREMONY, group, i + 1))
    keys = {}
    for j in range(1, members + 1):
        received = [share(p, j) for p in polynomials]
        assert all(share_is_valid(s, A, j) for s, A in zip(received, published, strict=True))
        assert not share_is_valid(received[0] + 1, published[0], j)  # a bad share is caught
        keys[j] = sum(received) % ORDER
        assert keys[j] * G == verification_key(published, j)  # anyone can recompute X_j
    return keys, group_key(published)


def test_a_count_needs_one_adm_and_two_del_and_gives_the_right_numbers():
    rng = SeededRandom(1)
    adm, Y_adm = ceremony("adm", 2, 1, rng)
    dele, Y_del = ceremony("del", 4, 2, rng)
    Y = Y_adm + Y_del
    votes = [0, 2, 2, 1, 2, 0, 2]
    cast = [
        ballots.verify(
            ballots.encrypt(public_key=Y, phi=PHI, scrutin="S", options=3, choice=v),
            public_key=Y,
            phi=PHI,
            scrutin="S",
            options=3,
        )
        for v in votes
    ]
    sums = []
    for i in range(3):
        A = B = IDENTITY
        for checked in cast:
            A, B = A + checked.pairs[i][0], B + checked.pairs[i][1]
        sums.append((A, B))

    def decrypt(present):
        counts = []
        for i, (A, B) in enumerate(sums):
            removed = IDENTITY
            for group, keys in present.items():
                partials = {}
                for j, x in keys.items():
                    label = decryption_label(group, "S", i)
                    D, proof = partial_decrypt(x, x * G, A, phi=PHI, label=label, index=j, rng=rng)
                    assert partial_is_valid(x * G, A, D, proof, phi=PHI, label=label, index=j)
                    assert not partial_is_valid(x * G, A, D + G, proof, phi=PHI, label=label, index=j)
                    partials[j] = D
                removed = removed + combine(partials)
            counts.append(discrete_log(B - removed, len(cast)))
        return counts

    assert decrypt({"adm": {2: adm[2]}, "del": {1: dele[1], 4: dele[4]}}) == [2, 1, 4]
    assert decrypt({"adm": {1: adm[1]}, "del": {2: dele[2], 3: dele[3], 4: dele[4]}}) == [2, 1, 4]
    with pytest.raises(NotACount):  # one délégué is not enough
        decrypt({"adm": {1: adm[1]}, "del": {2: dele[2]}})


def test_lagrange_recombines_the_secret():
    coefficients = [123456789, 987654321, 42]
    shares = {j: share(coefficients, j) for j in (2, 5, 7)}
    assert sum(lagrange_at_zero(list(shares), j) * s for j, s in shares.items()) % ORDER == coefficients[0]


def test_baby_step_giant_step_finds_every_count_in_range_and_nothing_outside():
    for m in (0, 1, 2, 999, 1000, 1001, 123_457):
        assert discrete_log(m * G, 123_457) == m
    with pytest.raises(NotACount):
        discrete_log(1002 * G, 1001)


def test_a_proof_of_another_kind_does_not_pass():
    rng = SeededRandom(2)
    x = rng.scalar()
    proof = prove_knowledge("pok", x, x * G, pok_context(CEREMONY, "adm", 1), rng)
    assert not knowledge_is_proven("pok-vk", x * G, proof, pok_context(CEREMONY, "adm", 1))
    assert not knowledge_is_proven("pok", x * G, Proof(proof.c, proof.s + 1), pok_context(CEREMONY, "adm", 1))
    assert threshold.decryption_label("del", "CSA-MEN", 3) == "del/CSA-MEN/3"
