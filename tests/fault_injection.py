"""AWS failing the way AWS fails, injected below botocore's retries.

moto answers botocore's calls from a `before-send` hook. In front of it, chosen calls get
the error response AWS would send (HTTP status, protocol, error code) or the connection
error a network outage raises, and moto never sees them: nothing is written. botocore then
does with the answer exactly what it does in production: parses it, retries it or not, and
finally raises it to PynamoDB, boto3 and our code. Nothing above botocore is patched.

Retries keep their number but not their waiting: tests set botocore's backoff to zero.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

# (HTTP status, code) of each fault, as the service's protocol carries it.
DYNAMODB = {
    "throughput": (400, "ProvisionedThroughputExceededException"),
    "throttling": (400, "ThrottlingException"),
    "conflict": (400, "TransactionCanceledException"),  # cancelled: another transaction holds an item
    "cancelled_throttled": (400, "TransactionCanceledException"),  # cancelled: a partition throttled
    "unavailable": (500, "InternalServerError"),
    "invalid": (400, "ValidationException"),  # not a fault of AWS: our bug, never retried
}
SES = {"throttling": (400, "Throttling"), "unavailable": (503, "ServiceUnavailable")}
SQS = {"unavailable": (500, "InternalError"), "throttling": (400, "RequestThrottled")}


class _Body(io.BytesIO):
    def stream(self, **kwargs):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _dynamodb_error(status: int, code: str, request, reason: str = "TransactionConflict") -> AWSResponse:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"injected {code}"}
    if code == "TransactionCanceledException":
        count = len(json.loads(request.body)["TransactItems"])
        body["CancellationReasons"] = [{"Code": reason, "Message": f"injected {reason}"}] + [{"Code": "None"}] * (
            count - 1
        )
        body["message"] = f"Transaction cancelled, please refer cancellation reasons for specific reasons [{reason}]"
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
    return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))


def _ses_error(status: int, code: str, request) -> AWSResponse:
    body = (
        f'<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>injected {code}</Message></Error><RequestId>injected</RequestId></ErrorResponse>"
    )
    return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Body(body.encode()))


def _sqs_error(status: int, code: str, request) -> AWSResponse:
    body = {"__type": f"com.amazonaws.sqs#{code}", "message": f"injected {code}"}
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{code};Sender"}
    return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))


RESPONDERS = {"dynamodb": (DYNAMODB, _dynamodb_error), "ses": (SES, _ses_error), "sqs": (SQS, _sqs_error)}
ANSWER_LOST = object()  # let AWS (moto) do the call, then lose its answer


@dataclass
class Fault:
    service: str
    operation: str
    # a key of the service's table above, "connection", "timeout" (sent, no answer), or
    # "answer_lost" (done by AWS, its answer lost on the way back: the ambiguous failure)
    kind: str
    times: int | None  # None: until cleared
    when: object = None  # optional predicate on the request body (bytes)
    hits: int = 0

    def matches(self, service: str, operation: str, body: bytes) -> bool:
        if self.service != service or self.operation not in (operation, "*"):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        return self.when is None or self.when(body)


@dataclass
class Faults:
    armed: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, service: str, operation: str, kind: str, times: int | None = 1, when=None) -> Fault:
        """The next `times` calls (None: every call) of `operation` fail with `kind`."""
        if kind not in ("connection", "timeout", "answer_lost"):
            assert kind in RESPONDERS[service][0], kind
        fault = Fault(service, operation, kind, times, when)
        with self.lock:
            self.armed.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.armed.clear()

    def respond(self, service: str, operation: str, request):
        with self.lock:
            fault = next((f for f in self.armed if f.matches(service, operation, request.body or b"")), None)
            if fault is None:
                return None
            fault.hits += 1
        if fault.kind == "connection":
            raise EndpointConnectionError(endpoint_url=request.url)
        if fault.kind == "timeout":  # the request went out; its answer never came
            raise ReadTimeoutError(endpoint_url=request.url)
        if fault.kind == "answer_lost":
            return ANSWER_LOST
        table, build = RESPONDERS[service]
        status, code = table[fault.kind]
        if fault.kind == "cancelled_throttled":
            return build(status, code, request, reason="ThrottlingError")
        return build(status, code, request)


def respond_or_pass(faults: Faults, event_name: str, request):
    """The injected answer to this call, or None to let moto answer it."""
    _, service_id, operation = event_name.split(".", 2)
    return faults.respond(service_id, operation, request) if service_id in RESPONDERS else None


def install(faults: Faults, monkeypatch) -> None:
    """Put `faults` in front of moto for the rest of the test."""
    from moto.core.botocore_stubber import BotocoreStubber

    moto_answers = BotocoreStubber.__call__

    def answer(self, event_name, request, **kwargs):
        if self.enabled:
            injected = respond_or_pass(faults, event_name, request)
            if injected is ANSWER_LOST:
                moto_answers(self, event_name, request, **kwargs)
                raise ReadTimeoutError(endpoint_url=request.url)
            if injected is not None:
                return injected
        return moto_answers(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", answer)
