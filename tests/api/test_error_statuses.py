"""The API's one table from domain error to HTTP status and headers."""

from chalicelib.api.responses import STATUS, error_response, headers_of, status_of
from chalicelib.domain import errors
from tests.domain.test_errors import all_errors


def test_every_domain_error_has_a_status():
    for cls in all_errors():
        assert status_of(cls.__new__(cls)) in {400, 401, 403, 404, 405, 409, 410, 415, 429, 500, 503}, cls


def test_the_most_specific_entry_wins():
    assert status_of(errors.TokenExpired("c*****@ac-lyon.fr")) == STATUS[errors.LinkError] == 410
    assert status_of(errors.TooManyRequests(3)) == 429
    assert status_of(errors.InvalidEmail()) == 400


def test_retry_after_agrees_with_the_body_and_the_message():
    assert headers_of(errors.TooManyAttempts(7)) == {"Retry-After": "7"}
    busy = errors.ServiceBusy()
    assert headers_of(busy) == {"Retry-After": str(busy.RETRY_AFTER)}
    response = error_response(busy, request_id="req-1")
    assert response.status_code == 503 and '"request_id": "req-1"' in response.body
    assert f"{busy.RETRY_AFTER} secondes" in response.body


def test_a_4xx_carries_no_request_id():
    assert "request_id" not in error_response(errors.InvalidEmail(), request_id="req-1").body
