"""Domain errors carry a code and their public details, and nothing of HTTP."""

from chalicelib.domain import errors
from chalicelib.domain.errors import PortalError


def all_errors() -> list[type[PortalError]]:
    found, todo = [], [PortalError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_errors_know_nothing_of_http():
    for cls in all_errors():
        assert not hasattr(cls, "status") and not hasattr(cls, "headers"), cls


def test_public_details_are_declared_once_and_only_they_are_shown():
    assert errors.InvalidRequest("email").public_details() == {"field": "email"}
    assert errors.PasswordPolicyError(["password_too_short"]).public_details() == {"violations": ["password_too_short"]}
    assert errors.TooManyAttempts(5).public_details() == {"retry_after": 5}
    assert errors.InvalidMessage(1, 2000).public_details() == {"field": "message", "minimum": 1, "maximum": 2000}
    assert errors.ServiceBusy().public_details() == {}


def test_service_busy_says_the_wait_it_announces():
    busy = errors.ServiceBusy()
    assert f"{busy.RETRY_AFTER} secondes" in busy.message
