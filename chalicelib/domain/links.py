"""Emailed links (confirmation and reset): their secrets, lifetimes and validity.

Why this is safe (in the spirit of Django's `PasswordResetTokenGenerator`):

- the secret is 32 random bytes, URL-safe; only its SHA-256 is stored, so a copy of the table
  gives no usable link;
- it travels in the URL fragment (`#jeton=`), which browsers never send to a server, and then
  in POST bodies: never in a path or query string, so no access log or Referer holds it;
- every unexpired link of an account stays valid until one is used (a late first email still
  works); using one sets the account's `tokens_valid_after`, which voids all the others at
  once, inside the same transaction that marks the link used;
- opening a link changes nothing: only submitting the password form uses it, so a mail
  scanner that follows links cannot burn them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from enum import Enum

from chalicelib.domain.errors import LinkError, TokenExpired, TokenUsed

SECRET_BYTES = 32


class LinkPurpose(str, Enum):
    REGISTRATION = "registration"
    RESET = "reset"


LIFETIMES = {
    LinkPurpose.REGISTRATION: timedelta(hours=24),
    LinkPurpose.RESET: timedelta(hours=1),
}


def new_secret(random_bytes=secrets.token_bytes) -> str:
    return base64.urlsafe_b64encode(random_bytes(SECRET_BYTES)).rstrip(b"=").decode()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_secret(value: str) -> bool:
    """Cheap shape check before any lookup (43 URL-safe characters)."""
    return len(value) == 43 and all(c.isalnum() or c in "-_" for c in value)


def link_problem(
    *,
    created_at: datetime,
    expires_at: datetime,
    used_at: datetime | None,
    tokens_valid_after: datetime | None,
    now: datetime,
) -> type[LinkError] | None:
    """None for a usable link, or the error the voter sees: TokenUsed or TokenExpired.

    `store.accounts.activate_with_link` writes the same rule as the transaction's conditions,
    so that a link checked here and used by someone else meanwhile still cannot be used twice.
    """
    if used_at is not None or (tokens_valid_after is not None and created_at <= tokens_valid_after):
        return TokenUsed
    if now >= expires_at:
        return TokenExpired
    return None


def mask_email(address: str) -> str:
    """c*****.m*****@ac-poitiers.fr: enough to recognise one's address, not to harvest it."""
    local, _, domain = address.partition("@")
    masked = ".".join(part[:1] + "*" * max(len(part) - 1, 1) for part in local.split("."))
    return f"{masked}@{domain}"
