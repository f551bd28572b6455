"""AWS saying "not now", recognised in one place for every adapter.

A call that AWS throttled, or that failed on AWS's side or on the network even after
botocore's retries, did not happen: nothing was written, and the same request will work a
little later. Adapters wrap their calls in `translate_transient()`, so such a failure leaves
them as the domain's `ServiceBusy` (answered 503 with a request id) and every other failure
stays what it is: a bug, answered 500.
"""

from __future__ import annotations

from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.domain.errors import ServiceBusy

# AWS's error codes that mean "throttled, busy or failing for a moment" (DynamoDB, SQS, SES).
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "InternalError",
        "RequestThrottled",
        "Throttling",
        "ServiceUnavailableException",
    }
)


def response_code(error: PynamoDBException) -> str | None:
    """The error code AWS answered, or None when no answer came (a timeout, a lost
    connection). PynamoDB's own `cause_response_code` fails on botocore's read timeouts, which
    carry `response=None`: a cast whose answer was lost must be a 503, not a 500."""
    response = getattr(error.cause, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


# Why DynamoDB cancels a transaction that may simply be tried again: another transaction held
# an item, or an item's partition was throttled (DynamoDB reports a throttled transaction as a
# cancellation, not as ThrottlingException: "Transactions conflicts and throttling", Developer
# Guide, transaction-apis.html).
RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def cancelled_by_conflict(error: PynamoDBException) -> bool:
    """A transaction cancelled only because another one held an item, or a partition was
    throttled: nothing was written, and no condition failed, so the same transaction may be
    tried again (and, when the attempts are spent, the answer is AWS's "not now")."""
    reasons = [reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason]
    return (
        response_code(error) == "TransactionCanceledException"
        and bool(reasons)
        and all(code in RETRYABLE_CANCELLATIONS for code in reasons)
    )


def is_transient(error: BaseException) -> bool:
    """AWS could not serve a call even after botocore's retries (throttled, busy,
    unreachable): the call did not happen, and the same request will work a little later."""
    if isinstance(error, PynamoDBException):
        return (
            response_code(error) in TRANSIENT_CODES
            or cancelled_by_conflict(error)
            or isinstance(error.cause, BotoCoreError)
        )
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES
    return isinstance(error, BotoCoreError)


@contextmanager
def translate_transient():
    """Within this block, AWS's "not now" becomes `ServiceBusy`; nothing else changes."""
    try:
        yield
    except ServiceBusy:
        raise
    except Exception as error:
        if is_transient(error):
            raise ServiceBusy() from error
        raise
