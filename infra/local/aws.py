"""moto as the local AWS, over HTTP on loopback, DynamoDB one request at a time.

moto keeps its data in memory and does not make DynamoDB's conditional writes and
transactions atomic under concurrent requests. Serving DynamoDB requests one at a time
restores the guarantees the code relies on in AWS (a conditional write or a transaction is
all or nothing, one winner among concurrent writers), at the cost of throughput, which is
not what the local stack is for. SQS and SES need no such care, and must not wait: a
queue's long poll would otherwise hold every table for a second at a time.
"""

from __future__ import annotations

import os
import socket
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

from infra.local.server import listening_socket


class SerialisedApp:
    """WSGI middleware: one DynamoDB request inside the wrapped application at a time."""

    def __init__(self, app, lock: threading.Lock):
        self.app = app
        self.lock = lock

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            # Materialise the body inside the lock: moto's work happens while it is built.
            return list(self.app(environ, start_response))


class _QuietHandler(WSGIRequestHandler):
    """moto's every request would drown the portal's own output."""

    def log_request(self, code="-", size="-") -> None:
        pass


class LocalAws:
    """moto's server in a background thread, bound to 127.0.0.1 only."""

    def __init__(self, port: int = 5000, host: str = "127.0.0.1"):
        self.lock = threading.Lock()
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app), self.lock)
        # Bound here, so that a busy port raises PortBusy (werkzeug would print and exit).
        self.socket = listening_socket(host, port, "local AWS")
        self.server = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler, fd=self.socket.fileno()
        )
        self.thread = threading.Thread(target=self.server.serve_forever, name="local-aws", daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalAws:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join(timeout=5)
        self.server.server_close()
        self.socket.close()


def use_local_stage(aws_port: int) -> None:
    """This process talks to the `local` stage's tables, queues and sender on the local AWS.

    `chalice local` re-applies the stage's AWS_ENDPOINT_URL over ours; botocore gives the
    per-service variables precedence, so they carry a non-default port to every process.
    """
    from chalicelib.admin.stage import enter_stage

    enter_stage("local")
    endpoint = f"http://127.0.0.1:{aws_port}"
    for service in ("DYNAMODB", "SQS", "SES", "SECRETS_MANAGER"):
        os.environ[f"AWS_ENDPOINT_URL_{service}"] = endpoint
    os.environ["AWS_ENDPOINT_URL"] = endpoint


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
