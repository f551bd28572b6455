"""Shared fixtures: a test stage's environment, moto's in-process AWS, and a serialised moto.

The environment is set here, before any test module imports the application, and never
points at a real AWS: fake credentials, no endpoint, test table names.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

# Models read their table names when they first talk to DynamoDB, so importing them is safe.
from chalicelib.store.base import table_suffix, table_variable
from chalicelib.store.tables import ALL_MODELS

TEST_ENVIRONMENT = {
    "STAGE": "test",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "PORTAL_URL": "https://portail.test",
    "MAIL_SENDER": "Élections professionnelles <ne-pas-repondre@portail.test>",
    "MAIL_QUEUE_NAME": "test-mail",
    "DELIVERY_EVENTS_QUEUE_NAME": "test-delivery-events",
    "CAMPAIGN_WALK_QUEUE_NAME": "test-campaign-walk",
    "CAMPAIGN_MAIL_QUEUE_NAME": "test-campaign-mail",
    "COUNT_QUEUE_NAME": "test-count",
    # Campaign pacing off in tests (no SQS delays, no sleeps); CAMPAIGN_SCAN_SEGMENTS small.
    "SES_SEND_RATE": "1000000",
    "CAMPAIGN_WORKER_RATE": "1000000",
    "CAMPAIGN_SCAN_SEGMENTS": "4",
    "VOTER_CODE_PEPPER_ID": "test-voter-code-pepper",
    "SERVER_SIGNING_KEY_ID": "test-server-signing-key",
    # Cheap argon2 for the many hashes tests make; the defaults are tested on their own.
    "ARGON2_MEMORY_KIB": "1024",
    "ARGON2_TIME_COST": "1",
}
TEST_ENVIRONMENT.update({table_variable(model): f"test-{table_suffix(model)}" for model in ALL_MODELS})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
os.environ.update(TEST_ENVIRONMENT)

from moto import mock_aws  # noqa: E402  (after the environment is set)
from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402

from chalicelib.store.tables import create_tables  # noqa: E402

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def aws():
    """A fresh, empty in-process AWS with every table created."""
    from chalicelib.mail.clients import forget_clients
    from chalicelib.mail.queue import forget_queue_urls
    from chalicelib.services.campaign_mail import forget_caches
    from chalicelib.store.base import forget_transaction_connections

    forget_transaction_connections()
    forget_clients()
    forget_queue_urls()
    forget_caches()
    from chalicelib.wiring import server_signing_seed, voter_code_pepper

    voter_code_pepper.cache_clear()
    server_signing_seed.cache_clear()
    with mock_aws():
        create_tables()
        boto3.client("secretsmanager", region_name="eu-west-3").create_secret(
            Name=TEST_ENVIRONMENT["VOTER_CODE_PEPPER_ID"], SecretString="test-pepper-" + "x" * 40
        )
        boto3.client("secretsmanager", region_name="eu-west-3").create_secret(
            Name=TEST_ENVIRONMENT["SERVER_SIGNING_KEY_ID"], SecretString="test-server-signing-" + "y" * 40
        )
        yield


@pytest.fixture
def serialised_aws(aws, monkeypatch):
    """moto handling one request at a time, as the local stack does.

    moto's conditional writes are not atomic under concurrent requests; DynamoDB's are.
    Tests that exercise concurrency run against this so that they test our code, not moto.
    """
    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def one_at_a_time(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)
    yield


@pytest.fixture
def faults(aws, monkeypatch):
    """AWS errors on demand (tests/fault_injection.py), with botocore's retries kept but not
    their waiting, and the mail worker's redelivery made immediate."""
    from botocore.retries.standard import ExponentialBackoff

    from chalicelib.workers import mail as mail_worker
    from tests import fault_injection

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(mail_worker, "retry_delay", lambda receive_count: 0)
    injected = fault_injection.Faults()
    fault_injection.install(injected, monkeypatch)
    return injected


@pytest.fixture
def test_stage_config(tmp_path) -> Path:
    """A `.chalice/config.json` whose `test` stage is this test run's environment."""
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "version": "2.0",
                "app_name": "espace-electeur",
                "stages": {"test": {"environment_variables": TEST_ENVIRONMENT}},
            }
        )
    )
    return path


@pytest.fixture
def chalice_project(tmp_path) -> dict:
    """Arguments for `chalice.test.Client`: a project whose `test` stage is this environment.

    The test client applies a stage's environment variables from `.chalice/config.json`
    around each call; without this it would apply the real `dev` stage's table names.
    """
    project = tmp_path / "chalice-project"
    (project / ".chalice").mkdir(parents=True)
    (project / ".chalice" / "config.json").write_text(
        json.dumps(
            {
                "version": "2.0",
                "app_name": "espace-electeur",
                "stages": {"test": {"environment_variables": TEST_ENVIRONMENT}},
            }
        )
    )
    return {"stage_name": "test", "project_dir": str(project)}
