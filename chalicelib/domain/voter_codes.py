"""Voter codes (codes électeur): what is printed on the paper notice, and how it is checked.

A code is 60 random bits written as 12 characters of Crockford's base32 (digits and
letters without I, L, O and U: nothing that reads as another character, no accent, no
symbol), shown `XXXX-XXXX-XXXX`. A voter types it in any case, with or without the dashes or
spaces, and Crockford's look-alikes are read as he meant them: I and L as 1, O as 0. One
code per voter, for all their scrutins, as on the ministry's notice.

The portal keeps only a keyed hash of the normalised code: HMAC-SHA256 under a secret pepper
that lives outside the database (SSM Parameter Store or Secrets Manager on AWS). A copy of the
table alone does not let anyone test 2⁶⁰ codes, and the plain code exists only on paper and in
the printing house's file.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
LENGTH = 12
GROUP = 4
LOOK_ALIKES = {"I": "1", "L": "1", "O": "0"}
SEPARATORS = " -\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\t"


def new_code(randbits=secrets.randbits) -> str:
    """12 characters, 60 bits from the system's random source."""
    value = randbits(5 * LENGTH)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(LENGTH)))


def shown(code: str) -> str:
    """XXXX-XXXX-XXXX, as printed."""
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalised(typed: str) -> str | None:
    """The code a voter meant, or None if what was typed cannot be one."""
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    kept = [LOOK_ALIKES.get(ch, ch) for ch in typed.strip().upper() if ch not in SEPARATORS]
    code = "".join(kept)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_hash(code: str, pepper: bytes) -> str:
    """The stored form: HMAC-SHA256(pepper, normalised code), hex."""
    return hmac.new(pepper, code.encode("ascii"), hashlib.sha256).hexdigest()


def matches(typed: str, stored_hash: str, pepper: bytes) -> bool:
    code = normalised(typed)
    candidate = code_hash(code if code else "-" * LENGTH, pepper)  # same work either way
    return code is not None and hmac.compare_digest(candidate, stored_hash)
