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
