"""Secrets Manager, the adapter: a secret's value, for the composition (`chalicelib.wiring`)."""

from __future__ import annotations

from chalicelib.mail.clients import client
from chalicelib.transient import translate_transient


def secret_value(secret_id: str) -> str:
    """The current value of a secret (its name or ARN); AWS's "not now" is `ServiceBusy`."""
    with translate_transient():
        return client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
