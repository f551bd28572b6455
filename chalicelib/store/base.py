"""What every table model shares: its name and region come from the environment.

PynamoDB reads `Meta.table_name` and `Meta.region` when a model first talks to DynamoDB, not
when the class is defined, so a descriptor lets each stage (and each test run) choose its
names through environment variables without any code change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from chalicelib import settings
from chalicelib.transient import response_code


class _FromEnvironment:
    def __init__(self, read, variable: str | None = None):
        self._read = read
        self._variable = variable  # which environment variable names the table (infra reads it)

    def __get__(self, instance, owner):
        return self._read()


def table_meta(variable: str) -> type:
    """A PynamoDB `Meta` class whose table name is read from `variable`."""

    class Meta:
        table_name = _FromEnvironment(lambda: settings.required(variable), variable)
        region = _FromEnvironment(settings.region)
        host = None  # botocore resolves AWS_ENDPOINT_URL itself when set (local stack).
        billing_mode = "PAY_PER_REQUEST"
        # botocore's standard retries, with throttling backoff of up to 1, 2, then 4 s: the
        # worst case (7 s of waiting) stays inside the API function's 15 s timeout, so a
        # voter gets our answer rather than the gateway's.
        max_retry_attempts = 3

    return Meta


@cache
def _connection(region: str) -> Connection:
    return Connection(region=region)


def transaction_connection() -> Connection:
    """The connection transactions go through, made once per container: each new PynamoDB
    `Connection` builds its own botocore session, which reads the service's model files
    from disk again (milliseconds of CPU per transaction, and memory that is never given back)."""
    return _connection(settings.region())


def forget_transaction_connections() -> None:
    """Tests: the next transaction connects again (another mock, another environment)."""
    _connection.cache_clear()


def get_or_none(model: type[Model], *key, **options):
    """The item with this key, or None: one GetItem, "not found" being an answer, not an error."""
    try:
        return model.get(*key, **options)
    except model.DoesNotExist:
        return None


def reset_connections(models: list[type[Model]]) -> None:
    """Forget cached connections, so the next call reads the environment again (tests)."""
    for model in models:
        model._connection = None


def table_variable(model: type[Model]) -> str:
    """The environment variable that names this model's table, e.g. VOTERS_TABLE."""
    return model.Meta.__dict__["table_name"]._variable


def table_suffix(model: type[Model]) -> str:
    """The end of the table's name in every stage: VOTERS_TABLE -> 'voters'."""
    return table_variable(model).removesuffix("_TABLE").lower().replace("_", "-")


# A transaction cancelled only by a concurrent one is tried again, this many times in all.
CONFLICT_ATTEMPTS = 3


def condition_held(write: Callable[[], object]) -> bool:
    """Run a conditional PutItem or UpdateItem; False when DynamoDB refused it because its
    condition failed (nothing was written), True when it was written. Other errors propagate."""
    try:
        write()
    except (PutError, UpdateError) as error:
        if response_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True
