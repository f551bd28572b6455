"""The bureau's shared key and the count's decryption (VOTING.md, "Key ceremony", "Counting").

Two key groups, each a Pedersen/Feldman sharing: `adm` (président, secrétaire; threshold 1)
and `del` (one délégué per list; threshold 2). Member i of a group draws a polynomial f_i of
degree t−1, publishes A_ik = a_ik·G and a Schnorr proof of a_i0, and hands member j the share
f_i(j), which j checks against the commitments. j's key is x_j = Σ_i f_i(j), its public
verification key X_j = x_j·G, which anyone recomputes from the commitments. The group's key is
Y_γ = Σ_i A_i0, the election's Y = Y_adm + Y_del. To decrypt a sum (A, B), each key holder
present gives D_j = x_j·A with a Chaum–Pedersen proof; Lagrange at 0 per group recombines
them, and baby-step giant-step finds the count m with m·G = B − Σ_γ Σ_j λ_j·D_j.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt

from chalicelib.crypto.group import IDENTITY, ORDER, G, Point, hash_to_scalar, u32

# --- polynomials and shares (Feldman) ---------------------------------------------------


def share(coefficients: list[int], j: int) -> int:
    """f(j) for the polynomial of these coefficients (a_0 first)."""
    return sum(a * pow(j, k, ORDER) for k, a in enumerate(coefficients)) % ORDER


def commitments(coefficients: list[int]) -> list[Point]:
    return [a * G for a in coefficients]


def committed_share(commitments_: list[Point], j: int) -> Point:
    """Σ_k j^k·A_k: what f(j)·G must be."""
    total = IDENTITY
    for k, A in enumerate(commitments_):
        total = total + pow(j, k, ORDER) * A
    return total


def share_is_valid(s: int, commitments_: list[Point], j: int) -> bool:
    return s * G == committed_share(commitments_, j)


def verification_key(all_commitments: list[list[Point]], j: int) -> Point:
    """X_j = Σ_i Σ_k j^k·A_ik, from the public commitments alone."""
    total = IDENTITY
    for commitments_ in all_commitments:
        total = total + committed_share(commitments_, j)
    return total


def group_key(all_commitments: list[list[Point]]) -> Point:
    """Y_γ = Σ_i A_i0."""
    total = IDENTITY
    for commitments_ in all_commitments:
        total = total + commitments_[0]
    return total


# --- Schnorr proofs of knowledge (pok, pok-vk) --------------------------------------------


@dataclass(frozen=True)
class Proof:
    c: int
    s: int


def prove_knowledge(label: str, secret: int, public: Point, context: tuple, rng) -> Proof:
    """U = w·G, c = H(label, *context, public, U), s = w − secret·c."""
    w = rng.scalar()
    c = hash_to_scalar(label, *context, public, w * G)
    return Proof(c, (w - secret * c) % ORDER)


def knowledge_is_proven(label: str, public: Point, proof: Proof, context: tuple) -> bool:
    """U = s·G + c·public; accept iff c = H(label, *context, public, U)."""
    return proof.c == hash_to_scalar(label, *context, public, proof.s * G + proof.c * public)


def pok_context(ceremony_hash: bytes, group: str, index: int) -> tuple:
    """The inputs before A (or X) in "pok" and "pok-vk": ceremony hash, γ, u32(i)."""
    return (ceremony_hash, group, u32(index))


# --- partial decryption (Chaum–Pedersen) --------------------------------------------------


def decryption_label(group: str, scrutin: str, option: int) -> str:
    """ "<γ>/<σ>/<i>", for example del/CSA-MEN/3."""
    return f"{group}/{scrutin}/{option}"


def partial_decrypt(x: int, X: Point, A: Point, *, phi: bytes, label: str, index: int, rng) -> tuple[Point, Proof]:
    """D = x·A and its proof: U = w·G, V = w·A, c = H("dec", φ, label, u32(j), X, A, D, U, V), s = w − x·c."""
    D = x * A
    w = rng.scalar()
    c = hash_to_scalar("dec", phi, label, u32(index), X, A, D, w * G, w * A)
    return D, Proof(c, (w - x * c) % ORDER)


def partial_is_valid(X: Point, A: Point, D: Point, proof: Proof, *, phi: bytes, label: str, index: int) -> bool:
    U = proof.s * G + proof.c * X
    V = proof.s * A + proof.c * D
    return proof.c == hash_to_scalar("dec", phi, label, u32(index), X, A, D, U, V)


# --- recombination and the discrete logarithm ---------------------------------------------


def lagrange_at_zero(indices: list[int], j: int) -> int:
    """λ_j = Π_{m ≠ j} m / (m − j) mod ℓ, over these distinct member indices."""
    numerator, denominator = 1, 1
    for m in indices:
        if m != j:
            numerator = numerator * m % ORDER
            denominator = denominator * (m - j) % ORDER
    return numerator * pow(denominator, -1, ORDER) % ORDER


def combine(partials: dict[int, Point]) -> Point:
    """Σ_j λ_j·D_j over one group's partial decryptions (by member index): x_γ·A."""
    indices = sorted(partials)
    total = IDENTITY
    for j in indices:
        total = total + lagrange_at_zero(indices, j) * partials[j]
    return total


class NotACount(ValueError):
    """No m in [0, bound] with m·G = M: the shares do not belong to this key, or a sum is wrong."""


def discrete_log(M: Point, bound: int) -> int:
    """m in [0, bound] with m·G = M, by baby-step giant-step (about 2·√bound additions)."""
    step = isqrt(bound) + 1
    baby, point = {}, IDENTITY
    for i in range(step):
        baby.setdefault(point.encoded, i)
        point = point + G
    giant = -(step * G)
    current = M
    for j in range(step + 1):
        i = baby.get(current.encoded)
        if i is not None and j * step + i <= bound:
            return j * step + i
        current = current + giant
    raise NotACount(M.hex())
