"""Rules about the code itself that no import contract can state."""

import re
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from chalicelib.domain.errors import ServiceBusy
from chalicelib.transient import is_transient, translate_transient

CHALICELIB = Path(__file__).resolve().parent.parent / "chalicelib"
# The two places allowed to touch the environment: settings reads it, the CLI loads a stage.
READS_ENVIRONMENT = {"settings.py", "admin/stage.py"}
# Store modules that describe tables (names, keys, creation for the local stack), not read or write them.
TABLE_PLUMBING = {"base", "tables"}


def test_only_settings_reads_the_environment():
    offenders = [
        str(path.relative_to(CHALICELIB))
        for path in CHALICELIB.rglob("*.py")
        if str(path.relative_to(CHALICELIB)) not in READS_ENVIRONMENT
        and re.search(r"\bos\.environ\b|\bgetenv\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, "Operation")


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException"),
        client_error("RequestThrottled"),
        client_error("InternalError"),
        EndpointConnectionError(endpoint_url="x"),
    ],
)
def test_aws_not_now_becomes_service_busy(error):
    assert is_transient(error)
    with pytest.raises(ServiceBusy) as caught, translate_transient():
        raise error
    assert caught.value.__cause__ is error


@pytest.mark.parametrize(
    "error", [client_error("ValidationException"), client_error("AccessDeniedException"), KeyError("bug")]
)
def test_other_failures_stay_what_they_are(error):
    assert not is_transient(error)
    with pytest.raises(type(error)), translate_transient():
        raise error


def test_botocore_base_error_is_transient():
    assert is_transient(BotoCoreError())


def test_every_store_function_turns_aws_not_now_into_service_busy():
    """A store function that uses a table either carries `@translate_transient()` or, for a
    generator that reads lazily, runs its body inside `with translate_transient():`."""
    import importlib
    import inspect
    import pkgutil

    from pynamodb.models import Model

    import chalicelib.store

    unwrapped = []
    for module_info in pkgutil.iter_modules(chalicelib.store.__path__):
        module = importlib.import_module(f"chalicelib.store.{module_info.name}")
        models = [name for name, value in vars(module).items() if inspect.isclass(value) and issubclass(value, Model)]
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__ or module_info.name in TABLE_PLUMBING:
                continue
            source = inspect.getsource(function)
            if not any(re.search(rf"\b{model}\b", source) for model in models):
                continue  # a key or a name, computed without AWS
            if "@translate_transient()" not in source and "with translate_transient():" not in source:
                unwrapped.append(f"{module.__name__}.{name}")
    assert unwrapped == []
