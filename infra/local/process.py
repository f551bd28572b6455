"""`python -m infra.local` started as a child process, as the end-to-end tests and `make load` use it.

On free ports and with its own outbox, in its own process group so that stopping it stops
everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local.aws import free_port

ROOT = Path(__file__).resolve().parents[2]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_local_stack(
    outbox: Path, *, voters: int, output, timeout: float = 120, extra_args=(), sigint_ignored: bool = False
):
    """Start the stack; returns (process, base URL, AWS port) once /api/health answers, or
        (process, None, AWS port) if the process ended or the time ran out first. The demo voters'
        codes and the demo bureau's files are written beside the outbox (`notices_of(outbox)`,
    `bureaus_of(outbox)`), not in .local/.

        `voters=0` starts with empty tables (--no-demo); `sigint_ignored` starts it the way a
        shell starts a background job (`make run &`), with SIGINT ignored.
    """
    port, aws_port = free_port(), free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    demo = ["--voters", str(voters)] if voters else ["--no-demo"]
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--aws-port", str(aws_port)]
        + demo
        + ["--outbox", str(outbox), "--notices", str(notices_of(outbox)), "--bureaus", str(bureaus_of(outbox))]
        + list(extra_args),
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                return process, base, aws_port
        except OSError:
            time.sleep(0.5)
    return process, None, aws_port


def notices_of(outbox: Path) -> Path:
    """Where a stack started here writes the demo voters' codes and notices."""
    return Path(outbox).with_name(Path(outbox).name + "-notices")


def bureaus_of(outbox: Path) -> Path:
    """Where a stack started here keeps its demo bureau's folder and key files."""
    return Path(outbox).with_name(Path(outbox).name + "-bureaus")


def stop_local_stack(process: subprocess.Popen, timeout: float = 60) -> None:
    """Ctrl-C to the whole group, as in a terminal; killed if it has not stopped in `timeout`."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
