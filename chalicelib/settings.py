"""Settings read from the environment.

The same code runs in every stage; only these values differ. Chalice sets them from
`.chalice/config.json` (per stage), the admin CLI loads the same file for `--stage`, and AWS
Lambda provides the region. Local runs point every AWS client at the local stack with the
standard `AWS_ENDPOINT_URL` variable, which boto3 and PynamoDB honour, so no code knows it is
local.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from typing import NamedTuple

from chalicelib.domain.password_hashing import HashingParameters, PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.sessions import SessionPolicy

class MissingSetting(RuntimeError):
    """A required environment variable is not set: a deployment mistake, never a user error."""


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSetting(f"environment variable {name} is not set")
    return value


def integer(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-3"


class Settings(NamedTuple):
    stage: str
    portal_url: str
    mail_sender: str
    mail_queue_name: str

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            stage=required("STAGE"),
            portal_url=required("PORTAL_URL").rstrip("/"),
            mail_sender=required("MAIL_SENDER"),
            mail_queue_name=required("MAIL_QUEUE_NAME"),
        )


@lru_cache(maxsize=None)
def password_policy() -> PasswordPolicy:
    return PasswordPolicy(min_length=integer("PASSWORD_MIN_LENGTH", 8), max_length=integer("PASSWORD_MAX_LENGTH", 24))


@lru_cache(maxsize=None)
def password_hasher() -> PasswordHasher:
    """argon2id; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane)."""
    return PasswordHasher(
        HashingParameters(
            memory_kib=integer("ARGON2_MEMORY_KIB", 19 * 1024),
            time_cost=integer("ARGON2_TIME_COST", 2),
            parallelism=integer("ARGON2_PARALLELISM", 1),
        )
    )


@lru_cache(maxsize=None)
def session_policy() -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=integer("SESSION_IDLE_MINUTES", 30)),
        absolute=timedelta(hours=integer("SESSION_ABSOLUTE_HOURS", 12)),
        refresh_every=timedelta(minutes=integer("SESSION_REFRESH_MINUTES", 5)),
    )
