"""boto3 clients, created on first use from the environment and then kept for the
Lambda container's life (one TLS connection pool per container, not per request)."""

from __future__ import annotations

from functools import cache

import boto3
from botocore.config import Config

from chalicelib import settings

RETRIES = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str):
    return boto3.client(service, region_name=settings.region(), config=RETRIES)


def forget_clients() -> None:
    """Tests: the next call builds clients again (new environment or new mock)."""
    client.cache_clear()
