"""Password hashing with argon2id.

Parameters come from configuration and default to OWASP's minimum for argon2id (19 MiB of
memory, 2 passes, 1 lane). A hash made with older parameters still verifies, and is
replaced at the next successful sign-in (`needs_rehash`). Unknown addresses are verified
against a dummy hash so that a sign-in takes the same time whether or not the address
exists.
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chalicelib.domain.passwords import normalise_password


class HashingParameters(NamedTuple):
    memory_kib: int = 19 * 1024
    time_cost: int = 2
    parallelism: int = 1


class PasswordHasher:
    def __init__(self, parameters: HashingParameters = HashingParameters()):
        self.parameters = parameters
        self._argon2 = Argon2Hasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._argon2.hash(normalise_password(password))

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; a missing hash costs the same time as a wrong one."""
        try:
            return (
                self._argon2.verify(password_hash or self._dummy_hash, normalise_password(password))
                and password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._argon2.hash("not a password: only here to spend the same time")
