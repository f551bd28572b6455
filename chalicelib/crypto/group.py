"""The group: the prime-order subgroup of edwards25519 (libsodium through PyNaCl).

Points are their 32-byte RFC 8032 encodings (`Point`), scalars Python integers modulo ℓ.
Every point and scalar that comes from outside goes through `point_from_hex` and
`scalar_from_hex` before any arithmetic: canonical encoding, on the curve, in the
prime-order subgroup, not of small order (the identity included); a scalar is 64 hex
characters below ℓ. The pitfalls VOTING.md measured are handled here, once: libsodium's
`add` accepts torsion points (so only validated points enter), `noclamp` multiplication
fails on a zero scalar or an identity result (so those cases are computed, not asked).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from nacl import bindings

ORDER = 2**252 + 27742317777372353535851937790883648493  # ℓ
DOMAIN = b"EV1-2026"
IDENTITY_BYTES = b"\x01" + b"\x00" * 31


class InvalidElement(ValueError):
    """A point or scalar that is not a canonical element of the group (named in `what`)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Point:
    """A group element by its canonical encoding (so equality is equality of bytes)."""

    encoded: bytes

    @property
    def is_identity(self) -> bool:
        return self.encoded == IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        if self.is_identity:
            return other
        if other.is_identity:
            return self
        return Point(bindings.crypto_core_ed25519_add(self.encoded, other.encoded))

    def __neg__(self) -> Point:
        if self.is_identity:
            return self
        return Point(bindings.crypto_core_ed25519_sub(IDENTITY_BYTES, self.encoded))

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __rmul__(self, scalar: int) -> Point:
        """`k * P`: noclamp, with the cases libsodium refuses computed here."""
        k = scalar % ORDER
        if k == 0 or self.is_identity:
            return IDENTITY
        if self.encoded == G.encoded:
            return Point(bindings.crypto_scalarmult_ed25519_base_noclamp(scalar_bytes(k)))
        return Point(bindings.crypto_scalarmult_ed25519_noclamp(scalar_bytes(k), self.encoded))

    def hex(self) -> str:
        return self.encoded.hex()


IDENTITY = Point(IDENTITY_BYTES)
G = Point(bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666"))


def scalar_bytes(k: int) -> bytes:
    return (k % ORDER).to_bytes(32, "little")


def scalar_hex(k: int) -> str:
    return scalar_bytes(k).hex()


def _hex32(value, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidElement(what)
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise InvalidElement(what) from None
    if raw.hex() != value:  # lowercase only, as the record writes it
        raise InvalidElement(what)
    return raw


def point_from_hex(value, what: str = "point") -> Point:
    """A received point, validated (see the module's docstring) or `InvalidElement`."""
    raw = _hex32(value, what)
    if not bindings.crypto_core_ed25519_is_valid_point(raw):
        raise InvalidElement(what)
    return Point(raw)


def scalar_from_hex(value, what: str = "scalar") -> int:
    """A received scalar: 64 lowercase hex characters, little-endian, below ℓ."""
    k = int.from_bytes(_hex32(value, what), "little")
    if k >= ORDER:
        raise InvalidElement(what)
    return k


def frame(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def u32(i: int) -> bytes:
    return struct.pack(">I", i)


def _bytes(x) -> bytes:
    if isinstance(x, Point):
        return x.encoded
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, bytes | bytearray | memoryview):
        return bytes(x)
    raise TypeError(f"hash input must be bytes, str or Point, not {type(x).__name__}")  # bytes(5) is 5 zeros


def hash_to_scalar(label: str, *parts) -> int:
    """H(label, x1…xn): SHA-512 over the framed domain, label and parts, little-endian mod ℓ."""
    digest = hashlib.sha512(frame(DOMAIN) + frame(label.encode()) + b"".join(frame(_bytes(p)) for p in parts))
    return int.from_bytes(digest.digest(), "little") % ORDER


def framed_digest(algorithm: str, label: str, *parts) -> bytes:
    """SHA-256 or SHA-512 of frame(domain) ‖ frame(label) ‖ frame(each part)."""
    data = frame(DOMAIN) + frame(label.encode()) + b"".join(frame(_bytes(p)) for p in parts)
    return hashlib.new(algorithm, data).digest()
