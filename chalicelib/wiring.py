"""Composition: the objects the entrypoints hand to services, built once per container from
the settings (cosmicpython's `bootstrap.py`). Tests clear a cache to rebuild one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache

from chalicelib.domain.password_hashing import HashingParameters, PasswordHasher
from chalicelib.domain.passwords import PasswordPolicy
from chalicelib.domain.sending_rate import SendingPlan
from chalicelib.domain.sessions import SessionPolicy
from chalicelib.secrets import secret_value
from chalicelib.settings import integer, optional, required


@cache
def password_policy() -> PasswordPolicy:
    return PasswordPolicy(min_length=integer("PASSWORD_MIN_LENGTH", 8), max_length=integer("PASSWORD_MAX_LENGTH", 24))


@cache
def password_hasher() -> PasswordHasher:
    """argon2id; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane)."""
    return PasswordHasher(
        HashingParameters(
            memory_kib=integer("ARGON2_MEMORY_KIB", 19 * 1024),
            time_cost=integer("ARGON2_TIME_COST", 2),
            parallelism=integer("ARGON2_PARALLELISM", 1),
        )
    )


@cache
def session_policy() -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=integer("SESSION_IDLE_MINUTES", 30)),
        absolute=timedelta(hours=integer("SESSION_ABSOLUTE_HOURS", 12)),
        refresh_every=timedelta(minutes=integer("SESSION_REFRESH_MINUTES", 5)),
    )


@cache
def origin_secret() -> str | None:
    """What CloudFront must send in X-Origin-Verify, read once per container (a rotation
    reaches a container when it is recycled: docs/threat-model.md); None: no check."""
    secret_id = optional("ORIGIN_SECRET_ID")
    return secret_value(secret_id) if secret_id else None


@cache
def voter_code_pepper() -> bytes:
    """The secret key of the voter codes' HMAC (`domain.voter_codes`), read once per container
    from Secrets Manager: the admin CLI that generates codes and the API that checks them read
    the same secret; the database holds only the HMACs."""
    return secret_value(required("VOTER_CODE_PEPPER_ID")).encode("utf-8")


@cache
def server_signing_seed() -> bytes:
    """The server's Ed25519 signing seed: the seal names its public key (`server_sign_pk`,
    signed by the key holders before the vote), and the close is signed with it. Derived from
    a secret CloudFormation generates (SERVER_SIGNING_KEY_ID), read by the bureau's CLI only."""
    secret = secret_value(required("SERVER_SIGNING_KEY_ID")).encode("utf-8")
    return hashlib.sha256(b"EV1-2026 server signing key\n" + secret).digest()


@cache
def cursor_key() -> bytes:
    """The key that signs electoral-list cursors (`domain.list_pages`).

    Derived from the origin secret, so every container of a stage signs alike without one
    more secret to deploy; without it (the local stack, the tests) a random key for this
    process, which is all a single-process server needs.
    """
    origin = origin_secret()
    if origin is None:
        return secrets.token_bytes(32)
    return hmac.new(origin.encode(), b"electoral-list cursors", hashlib.sha256).digest()


def sending_plan() -> SendingPlan:
    """How fast campaigns send: from the account's SES rate and one worker's pace."""
    return SendingPlan(
        ses_rate=float(integer("SES_SEND_RATE", 14)),
        per_worker_rate=float(integer("CAMPAIGN_WORKER_RATE", 8)),
    )
