"""The portal's HTTP server for `make run`: Chalice's local gateway, in this process, in threads.

`chalice local` ran as a child process behind Chalice's reloader, which watched the whole
project (so every email written to `.local/outbox/` restarted it), could outlive a killed
parent, and listened with a backlog of 5. Here the same request handler as `chalice local`
(`chalice.local.ChaliceRequestHandler`: API Gateway's event, the app's handler, the
response) serves the app this process already imports for the SQS poller:

- the listening socket is bound before anything else starts, so a busy port stops the
  stack at once with a message (`PortBusy`), instead of a « ready » that talks to someone
  else's server;
- it dies with this process: there is no child to leave behind;
- one thread per connection, and a listen backlog of 1024 (the kernel may cap it lower);
- code reload is opt-in (`--reload`): `CodeWatcher` looks at chalicelib/ and app.py only, and
  `reload_app` imports a fresh app that the server and the poller switch to, without
  closing the socket, so no request fails while it happens.
"""

from __future__ import annotations

import errno
import importlib
import json
import socket
import sys
import threading
import traceback
import uuid
from http.server import HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn

from chalice.cli import validate_routes
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, ForbiddenError, LocalChalice

ROOT = Path(__file__).resolve().parents[2]
BACKLOG = 1024


class PortBusy(Exception):
    """Another program listens on a port the stack needs."""

    def __init__(self, what: str, port: int):
        self.what, self.port = what, port
        super().__init__(
            f"Port {port} ({what}) is already in use by another program: stop that program, "
            f"or choose another port ({'--port' if what == 'portal' else '--aws-port'} N)."
        )


def listening_socket(host: str, port: int, what: str) -> socket.socket:
    """A TCP socket bound to (host, port) and listening, or `PortBusy`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Lets a restarted stack reuse a port whose old connections are in TIME_WAIT; on Linux it
    # never allows two programs to listen on the same port.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortBusy(what, port) from None
        raise
    return sock


class _Handler(ChaliceRequestHandler):
    """`chalice local`'s handler. The app logs one JSON line per request, so nothing is printed
    here: Python's server would print request lines, query strings included (a refused one
    whole). The gateway's own answers look as in AWS: an unknown route is API Gateway's
    `not_found` (infra/aws/deploy.py), and every answer has the headers CloudFront adds."""

    def log_message(self, format, *args) -> None:
        pass

    def _generic_handle(self) -> None:
        # API Gateway's sourceIp is the TCP peer; `chalice local` says 127.0.0.1 for everyone.
        # The peer here too, so per-client limits see clients as AWS would (loopback has many).
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]
        super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _send_error_response(self, error) -> None:
        if not isinstance(error, ForbiddenError):  # the only one without authorizers: no route
            return super()._send_error_response(error)
        from infra.aws.deploy import gateway_response_bodies

        status, body = gateway_response_bodies()["MISSING_AUTHENTICATION_TOKEN"]
        body = body.replace("$context.requestId", str(uuid.uuid4()))
        self._send_http_response(int(status), {"Content-Type": "application/json", "Cache-Control": "no-store"}, body)

    def _send_headers(self, headers) -> None:
        from chalicelib.api.middleware import SECURITY_HEADERS

        super()._send_headers({**SECURITY_HEADERS, **headers})


class PortalServer(ThreadingMixIn, HTTPServer):
    """Serves whichever app `self.app` is when a connection arrives (see `reload_app`)."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, sock: socket.socket, app):
        HTTPServer.__init__(self, sock.getsockname(), _Handler, bind_and_activate=False)
        self.socket.close()  # the one HTTPServer made; ours is already bound and listening
        self.socket = sock
        self.config = Config(
            chalice_stage="local",
            config_from_disk=json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8")),
        )
        self.app = prepare(app)
        self.thread = threading.Thread(target=self.serve_forever, name="portal-http", daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def finish_request(self, request, client_address) -> None:
        _Handler(request, client_address, self, app_object=self.app, config=self.config)

    def start(self) -> PortalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.thread.join(timeout=5)
        self.server_close()


class _Requests(threading.local):
    current_request = None  # in threads that serve no request: the SQS poller's


def prepare(app):
    """What `chalice local` does to the app: routes API Gateway would accept, and a
    `current_request` per thread (concurrent requests would otherwise share one)."""
    validate_routes(app.routes)
    if not isinstance(app, LocalChalice):
        app.__class__ = type("LocalPortal", (LocalChalice, type(app)), {"_THREAD_LOCAL": _Requests()})
    return app


class CodeWatcher:
    """Notices changes to the app's code: the files under chalicelib/ (pages and scripts
    included, the copied DSFR excepted) and app.py. Never .local/, tests or anything else."""

    def __init__(self, roots=(ROOT / "chalicelib", ROOT / "app.py"), ignored=("__pycache__", "dsfr")):
        self.roots = [Path(r) for r in roots]
        self.ignored = set(ignored)
        self.snapshot = self.scan()

    def scan(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for root in self.roots:
            if root.is_file():
                found[str(root)] = root.stat().st_mtime_ns
                continue
            for path in root.rglob("*"):
                if self.ignored.intersection(path.relative_to(root).parts) or not path.is_file():
                    continue
                try:
                    found[str(path)] = path.stat().st_mtime_ns
                except FileNotFoundError:
                    pass
        return found

    def changed(self) -> list[str]:
        """The files added, removed or modified since the last call."""
        now = self.scan()
        changes = sorted(p for p in now.keys() | self.snapshot.keys() if now.get(p) != self.snapshot.get(p))
        self.snapshot = now
        return changes


def reload_app(echo=print):
    """A freshly imported `app` (app.py and chalicelib re-read from disk), or None if the new
    code does not import; the old app keeps serving then."""
    for name in list(sys.modules):
        if name == "app" or name == "chalicelib" or name.startswith("chalicelib."):
            del sys.modules[name]
    try:
        return prepare(importlib.import_module("app").app)
    except Exception:
        echo("The changed code does not load; still serving the previous version:")
        echo(traceback.format_exc())
        return None
