"""Small helpers shared by the tests that start processes."""

from pathlib import Path

from infra.local.aws import free_port  # noqa: F401  (re-exported for the tests)
from infra.local.process import start_local_stack as _start

ROOT = Path(__file__).resolve().parents[1]


def start_local_stack(outbox, *, voters: int, output, timeout: float = 120):
    """`python -m infra.local` as `make run` starts it, on free ports, with its own outbox;
    returns the process and the portal's base URL once /api/health answers (None if not)."""
    process, base, _ = _start(outbox, voters=voters, output=output, timeout=timeout)
    return process, base
