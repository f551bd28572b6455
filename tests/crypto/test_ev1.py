"""EV1 in Python: VOTING.md's test vector, its negative cases, and random ballots round-tripping."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from chalicelib.crypto import ballots
from chalicelib.crypto.group import (
    IDENTITY,
    ORDER,
    G,
    InvalidElement,
    hash_to_scalar,
    point_from_hex,
    scalar_from_hex,
    scalar_hex,
)

# A copy of shared/docs/ev1-test-vector.json (VOTING.md's vector), kept beside the tests so
# that a fresh clone, wherever it is, has it.
VECTOR = json.loads((Path(__file__).parent / "ev1-test-vector.json").read_text(encoding="utf-8"))
SEED = VECTOR["seed_utf8"].encode()
SECRET = hash_to_scalar("test-key", SEED)
PUBLIC = SECRET * G
PHI = hashlib.sha256(VECTOR["election_json_bytes_utf8"].encode()).digest()
ORDER_8 = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
SMALL_ORDER = "0000000000000000000000000000000000000000000000000000000000000080"  # order 4
Y_NOT_CANONICAL = "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"  # y = p + 1


def _verify(ballot):
    return ballots.verify(ballot, public_key=PUBLIC, phi=PHI, scrutin="TV-1", options=3)


def test_the_vector_key_and_election_fingerprint():
    assert scalar_hex(SECRET) == VECTOR["secret_key_le"]
    assert PUBLIC.hex() == VECTOR["public_key"]
    assert PHI.hex() == VECTOR["phi"]


def test_the_vector_ballot_is_reproduced_byte_for_byte():
    made = ballots.encrypt(
        public_key=PUBLIC, phi=PHI, scrutin="TV-1", options=3, choice=2, rng=ballots.TestVectorRandom(SEED)
    )
    assert made == VECTOR["ballot"]


def test_the_vector_ballot_verifies_gives_its_receipt_and_decrypts():
    checked = _verify(VECTOR["ballot"])
    assert ballots.receipt(checked, PHI).hex() == VECTOR["receipt"]
    assert ballots.receipt_of_published(VECTOR["ballot"], PHI).hex() == VECTOR["receipt"]  # from the JSON alone
    decrypted = [1 if b - SECRET * a == G else 0 if b - SECRET * a == IDENTITY else None for a, b in checked.pairs]
    assert decrypted == VECTOR["decrypted"]


def _mutated(change):
    ballot = copy.deepcopy(VECTOR["ballot"])
    change(ballot)
    return ballot


def _swap(items, i, j):
    items[i], items[j] = items[j], items[i]


def _plus_order_8(ballot):
    a = bytes.fromhex(ballot["choices"][0]["a"])
    ballot["choices"][0]["a"] = bindings.crypto_core_ed25519_add(a, bytes.fromhex(ORDER_8)).hex()


NEGATIVE = {
    "two ciphertexts swapped": lambda b: _swap(b["choices"], 0, 2),
    "two proofs swapped": lambda b: _swap(b["proofs"], 0, 1),
    # One bit flipped, so that the change is never a no-op (a fixed "00" prefix was one for a
    # random nonce that already began with it: 1 in 256 of the cast tests).
    "a changed nonce": lambda b: b.update(nonce=f"{int(b['nonce'][:2], 16) ^ 1:02x}" + b["nonce"][2:]),
    "a scalar s + ℓ": lambda b: b["sum_proof"].update(
        s=scalar_hex_unreduced(scalar_from_hex(b["sum_proof"]["s"]) + ORDER)
    ),
    "c0 + 1": lambda b: b["proofs"][1].update(c0=scalar_hex(scalar_from_hex(b["proofs"][1]["c0"]) + 1)),
    "the identity": lambda b: b["choices"][1].update(b=IDENTITY.hex()),
    "a + a point of order 8": _plus_order_8,
    "a small-order point": lambda b: b["choices"][2].update(a=SMALL_ORDER),
    "a non-canonical y ≥ p": lambda b: b["choices"][0].update(b=Y_NOT_CANONICAL),
    "another scrutin": lambda b: b.update(scrutin="TV-2"),
    "another election": lambda b: b.update(election="00" * 32),
    "an option missing": lambda b: (b["choices"].pop(), b["proofs"].pop()),
    "upper-case hex": lambda b: b["choices"][0].update(a=b["choices"][0]["a"].upper()),
}


def scalar_hex_unreduced(k: int) -> str:
    return k.to_bytes(32, "little").hex()


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_every_negative_case_is_refused(case):
    with pytest.raises(ballots.InvalidBallot):
        _verify(_mutated(NEGATIVE[case]))


@pytest.mark.parametrize("version", [True, 1.0, "1", 2])
def test_the_version_is_the_integer_one(version):
    ballot = dict(VECTOR["ballot"], v=version)
    with pytest.raises(ballots.InvalidBallot) as refused:
        _verify(ballot)
    assert refused.value.reason == "version_or_group"


@pytest.mark.parametrize("bad", [IDENTITY.hex(), ORDER_8, SMALL_ORDER, Y_NOT_CANONICAL, "zz" * 32, "00" * 31, None])
def test_points_are_validated_before_any_arithmetic(bad):
    with pytest.raises(InvalidElement):
        point_from_hex(bad)


def test_scalars_must_be_canonical():
    with pytest.raises(InvalidElement):
        scalar_from_hex(scalar_hex_unreduced(ORDER))
    assert scalar_from_hex(scalar_hex(ORDER - 1)) == ORDER - 1
    assert 0 * G == IDENTITY and ORDER * G == IDENTITY and (ORDER + 1) * G == G


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=13).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, k - 1))))
def test_random_ballots_verify_and_decrypt_to_their_choice(shape):
    options, choice = shape
    made = ballots.encrypt(public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options, choice=choice)
    checked = ballots.verify(made, public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options)
    plain = [b - SECRET * a for a, b in checked.pairs]
    assert plain == [G if i == choice else IDENTITY for i in range(options)]
    with pytest.raises(ballots.InvalidBallot):
        ballots.verify(made, public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options + 1)


def test_the_short_receipt_is_the_first_ten_crockford_characters_grouped():
    rho = bytes.fromhex(VECTOR["receipt"])
    full = ballots.crockford_base32(rho)
    assert len(full) == 52 and not set(full) & set("ILOU")
    assert ballots.short_receipt(rho) == f"{full[:5]}-{full[5:10]}"
    assert ballots.crockford_base32(b"\xff") == "ZW"  # 11111 111(00)
    assert ballots.crockford_base32(b"\x00\x00\x00\x00\x00") == "00000000"


def test_a_ballot_with_a_repeated_a_is_refused_though_its_proofs_hold():
    class Same(ballots.SystemRandom):
        def scalar(self):
            return 777

    ballot = ballots.encrypt(public_key=PUBLIC, phi=PHI, scrutin="TV-1", options=3, choice=2, rng=Same())
    assert len({c["a"] for c in ballot["choices"]}) == 1
    with pytest.raises(ballots.InvalidBallot) as refused:
        _verify(ballot)
    assert refused.value.reason == "repeated_a"


@pytest.mark.parametrize("where", ["top", "choice", "proof", "sum_proof"])
def test_a_field_the_protocol_does_not_define_is_refused_at_any_depth(where):
    ballot = copy.deepcopy(VECTOR["ballot"])
    {"top": ballot, "choice": ballot["choices"][1], "proof": ballot["proofs"][2], "sum_proof": ballot["sum_proof"]}[
        where
    ]["extra"] = 1
    with pytest.raises(ballots.InvalidBallot) as refused:
        _verify(ballot)
    assert refused.value.reason == "unknown_field"
