"""A ballot for one scrutin: k ElGamal ciphertexts of 0 or 1 summing to 1, with their proofs.

`encrypt` is what the booth does (the browser's bundle does the same in JavaScript);
`verify` is what the server does before accepting a ballot and the count does again;
`receipt` is the voter's accusé de réception. Every hash input is VOTING.md's: the label
stops a proof of one kind passing as another, φ binds group, key and options, σ stops replay
into another scrutin, the nonce and all k ciphertexts stop Cortier–Smyth replays and
mix-and-match, and the option's index stops permuting proofs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib.crypto.group import (
    IDENTITY,
    ORDER,
    G,
    InvalidElement,
    Point,
    framed_digest,
    hash_to_scalar,
    point_from_hex,
    scalar_bytes,
    scalar_from_hex,
    scalar_hex,
    u32,
)


class InvalidBallot(ValueError):
    """A ballot that must be refused; `reason` says which check failed (never the choice)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SystemRandom:
    """The booth's randomness: scalars uniform in [1, ℓ), 32-byte nonces."""

    def scalar(self) -> int:
        while True:
            k = int.from_bytes(secrets.token_bytes(64), "little") % ORDER
            if k:
                return k

    def nonce(self) -> bytes:
        return secrets.token_bytes(32)


class TestVectorRandom:
    """VOTING.md's deterministic draws, for test vectors only: the n-th draw (n = 1, 2, …) is
    the scalar H("test-rng", seed, u32(n)), or for a nonce the framed SHA-256 "test-nonce"."""

    def __init__(self, seed: bytes):
        self.seed, self.count = seed, 0

    def _next(self) -> int:
        self.count += 1
        return self.count

    def scalar(self) -> int:
        return hash_to_scalar("test-rng", self.seed, u32(self._next()))

    def nonce(self) -> bytes:
        return framed_digest("sha256", "test-nonce", self.seed, u32(self._next()))


def context(phi: bytes, scrutin: str, nonce: bytes, pairs: list[tuple[Point, Point]]) -> bytes:
    """S, the hash every proof of the ballot is bound to."""
    return framed_digest("sha512", "ctx", phi, scrutin, nonce, b"".join(a.encoded + b.encoded for a, b in pairs))


def _bit_challenge(S: bytes, i: int, a: Point, b: Point, commitments: list[Point]) -> int:
    return hash_to_scalar("bit", S, u32(i), a, b, *commitments)


def encrypt(*, public_key: Point, phi: bytes, scrutin: str, options: int, choice: int, rng=None) -> dict:
    """The ballot for `choice` (0 is blank) among `options`, as the JSON object VOTING.md gives."""
    if not 0 <= choice < options or options < 2:
        raise ValueError("choice out of range")
    rng = rng or SystemRandom()
    Y = public_key
    nonce = rng.nonce()
    rs = [rng.scalar() for _ in range(options)]
    pairs = [(r * G, r * Y + (G if i == choice else IDENTITY)) for i, r in enumerate(rs)]
    S = context(phi, scrutin, nonce, pairs)
    proofs = []
    for i, ((a, b), r) in enumerate(zip(pairs, rs, strict=True)):
        m = 1 if i == choice else 0
        f = 1 - m
        c_f, s_f, w = rng.scalar(), rng.scalar(), rng.scalar()
        commit = {f: (s_f * G + c_f * a, s_f * Y + c_f * (b - f * G)), m: (w * G, w * Y)}
        challenge = _bit_challenge(S, i, a, b, [commit[0][0], commit[0][1], commit[1][0], commit[1][1]])
        c_m = (challenge - c_f) % ORDER
        s_m = (w - r * c_m) % ORDER
        c, s = {m: c_m, f: c_f}, {m: s_m, f: s_f}
        proofs.append({"c0": scalar_hex(c[0]), "c1": scalar_hex(c[1]), "s0": scalar_hex(s[0]), "s1": scalar_hex(s[1])})
    total_a, total_b = _sums(pairs)
    R = sum(rs) % ORDER
    w = rng.scalar()
    U, V = w * G, w * Y
    c = hash_to_scalar("sum", S, total_a, total_b - G, U, V)
    s = (w - R * c) % ORDER
    return {
        "v": 1,
        "group": "ed25519",
        "election": phi.hex(),
        "scrutin": scrutin,
        "nonce": nonce.hex(),
        "choices": [{"a": a.hex(), "b": b.hex()} for a, b in pairs],
        "proofs": proofs,
        "sum_proof": {"c": scalar_hex(c), "s": scalar_hex(s)},
    }


def _sums(pairs: list[tuple[Point, Point]]) -> tuple[Point, Point]:
    total_a, total_b = IDENTITY, IDENTITY
    for a, b in pairs:
        total_a, total_b = total_a + a, total_b + b
    return total_a, total_b


@dataclass(frozen=True)
class CheckedBallot:
    """A ballot that passed every check, decoded (for the tally and the receipt)."""

    scrutin: str
    nonce: bytes
    pairs: tuple[tuple[Point, Point], ...]
    proofs: tuple[tuple[int, int, int, int], ...]
    sum_proof: tuple[int, int]


def _field(ballot: dict, name: str):
    if name not in ballot:
        raise InvalidBallot(f"missing_{name}")
    return ballot[name]


FIELDS = frozenset(("v", "group", "election", "scrutin", "nonce", "choices", "proofs", "sum_proof"))


def decode(ballot, *, phi: bytes, scrutin: str, options: int) -> CheckedBallot:
    """Every field checked for shape and every element validated; no proof checked yet. A
    field VOTING.md does not define is refused, at any depth: the box keeps a ballot exactly
    as cast, and what it keeps is then exactly its re-encoding."""
    if not isinstance(ballot, dict):
        raise InvalidBallot("not_an_object")
    if not set(ballot) <= FIELDS:
        raise InvalidBallot("unknown_field")
    version = _field(ballot, "v")
    if type(version) is not int or version != 1 or _field(ballot, "group") != "ed25519":  # True == 1 in Python
        raise InvalidBallot("version_or_group")
    if _field(ballot, "election") != phi.hex():
        raise InvalidBallot("wrong_election")
    if _field(ballot, "scrutin") != scrutin:
        raise InvalidBallot("wrong_scrutin")
    nonce_hex, choices, proofs = _field(ballot, "nonce"), _field(ballot, "choices"), _field(ballot, "proofs")
    sum_proof = _field(ballot, "sum_proof")
    if not isinstance(nonce_hex, str) or len(nonce_hex) != 64:
        raise InvalidBallot("nonce")
    try:
        nonce = bytes.fromhex(nonce_hex)
    except ValueError:
        raise InvalidBallot("nonce") from None
    if nonce.hex() != nonce_hex:
        raise InvalidBallot("nonce")
    if not isinstance(choices, list) or not isinstance(proofs, list) or not isinstance(sum_proof, dict):
        raise InvalidBallot("shape")
    if len(choices) != options or len(proofs) != options:
        raise InvalidBallot("options")
    shapes = [(c, {"a", "b"}) for c in choices] + [(p, {"c0", "c1", "s0", "s1"}) for p in proofs]
    if any(isinstance(part, dict) and not set(part) <= keys for part, keys in [*shapes, (sum_proof, {"c", "s"})]):
        raise InvalidBallot("unknown_field")
    try:
        pairs = tuple(
            (point_from_hex(c.get("a"), "a"), point_from_hex(c.get("b"), "b")) if isinstance(c, dict) else _bad()
            for c in choices
        )
        decoded = tuple(
            tuple(scalar_from_hex(p.get(k), k) for k in ("c0", "c1", "s0", "s1")) if isinstance(p, dict) else _bad()
            for p in proofs
        )
        total = (scalar_from_hex(sum_proof.get("c"), "c"), scalar_from_hex(sum_proof.get("s"), "s"))
    except InvalidElement as error:
        raise InvalidBallot(f"invalid_{error.what}") from None
    if len({a for a, _ in pairs}) != len(pairs):
        # One randomness for two options: its proofs may hold, but the count rejects a record
        # where any a_i repeats (VOTING.md, "Weeding"), so the box must never take it.
        raise InvalidBallot("repeated_a")
    return CheckedBallot(scrutin, nonce, pairs, decoded, total)


def _bad():
    raise InvalidElement("shape")


def verify(ballot, *, public_key: Point, phi: bytes, scrutin: str, options: int) -> CheckedBallot:
    """The ballot, checked: shape, elements, every bit proof and the sum proof; or `InvalidBallot`."""
    checked = decode(ballot, phi=phi, scrutin=scrutin, options=options)
    Y = public_key
    S = context(phi, scrutin, checked.nonce, list(checked.pairs))
    for i, ((a, b), (c0, c1, s0, s1)) in enumerate(zip(checked.pairs, checked.proofs, strict=True)):
        A0, B0 = s0 * G + c0 * a, s0 * Y + c0 * b
        A1, B1 = s1 * G + c1 * a, s1 * Y + c1 * (b - G)
        if (c0 + c1) % ORDER != _bit_challenge(S, i, a, b, [A0, B0, A1, B1]):
            raise InvalidBallot("bit_proof")
    total_a, total_b = _sums(list(checked.pairs))
    c, s = checked.sum_proof
    U, V = s * G + c * total_a, s * Y + c * (total_b - G)
    if c != hash_to_scalar("sum", S, total_a, total_b - G, U, V):
        raise InvalidBallot("sum_proof")
    return checked


def receipt(checked: CheckedBallot, phi: bytes) -> bytes:
    """ρ, the voter's receipt: SHA-256 over the ballot's decoded bytes (never the choice)."""
    parts: list = [phi, checked.scrutin, checked.nonce]
    for a, b in checked.pairs:
        parts += [a, b]
    for proof in checked.proofs:
        parts += [scalar_bytes(x) for x in proof]
    parts += [scalar_bytes(x) for x in checked.sum_proof]
    return framed_digest("sha256", "receipt", *parts)


def receipt_of_published(document: dict, phi: bytes) -> bytes:
    """ρ of a ballot of the public record, from its JSON alone: the same bytes `receipt` hashes,
    read from their hex without decoding a point. For ballots already verified (the count did),
    to index the receipts the portal lets voters look up; the verifier recomputes them itself."""
    parts: list = [phi, document["scrutin"], bytes.fromhex(document["nonce"])]
    for choice in document["choices"]:
        parts += [bytes.fromhex(choice["a"]), bytes.fromhex(choice["b"])]
    for proof in document["proofs"]:
        parts += [bytes.fromhex(proof[name]) for name in ("c0", "c1", "s0", "s1")]
    parts += [bytes.fromhex(document["sum_proof"][name]) for name in ("c", "s")]
    return framed_digest("sha256", "receipt", *parts)


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U


def crockford_base32(data: bytes) -> str:
    """Crockford's base32 of these bytes, most significant bits first, without padding."""
    bits = int.from_bytes(data, "big")
    length = (len(data) * 8 + 4) // 5
    bits <<= length * 5 - len(data) * 8
    return "".join(CROCKFORD[(bits >> (5 * (length - 1 - i))) & 31] for i in range(length))


def short_receipt(rho: bytes) -> str:
    """What the voter reads first: the receipt's first 10 Crockford characters, XXXXX-XXXXX."""
    code = crockford_base32(rho)[:10]
    return f"{code[:5]}-{code[5:]}"
