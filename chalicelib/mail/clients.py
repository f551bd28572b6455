"""boto3 clients, created on first use from the environment and then kept for the
Lambda container's life (one TLS connection pool per container, not per request)."""

from __future__ import annotations

from functools import cache

import boto3
from botocore.config import Config

from chalicelib import settings

RETRIES = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)


# For a call that must not be repeated behind our back: a campaign's SendRawEmail. A timeout
# after SES took the email would make botocore send it again; the campaign worker decides
# instead (it never sends twice, `services.campaign_mail`).
SINGLE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str):
    return boto3.client(service, region_name=settings.region(), config=RETRIES)


@cache
def single_attempt_client(service: str):
    return boto3.client(service, region_name=settings.region(), config=SINGLE_ATTEMPT)


def forget_clients() -> None:
    """Tests: the next call builds clients again (new environment or new mock)."""
    client.cache_clear()
    single_attempt_client.cache_clear()
