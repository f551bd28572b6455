"""Small helpers shared by the tests that start processes."""

import json
import urllib.error
import urllib.request
from pathlib import Path

from chalicelib.api.auth import COOKIE
from infra.local.aws import free_port  # noqa: F401  (re-exported for the tests)
from infra.local.process import start_local_stack as _start

ROOT = Path(__file__).resolve().parents[1]


def start_local_stack(outbox, *, voters: int, output, timeout: float = 120, with_aws_port: bool = False):
    """`python -m infra.local` as `make run` starts it, on free ports, with its own outbox;
    returns the process and the portal's base URL once /api/health answers (None if not),
    and the local AWS's port if asked."""
    process, base, aws_port = _start(outbox, voters=voters, output=output, timeout=timeout)
    return (process, base, aws_port) if with_aws_port else (process, base)


def call(base, method, path, body=None, cookie=None):
    """One JSON request to a running stack: (status, headers, raw body), errors included."""
    request = urllib.request.Request(
        f"{base}{path}", method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
