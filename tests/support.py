"""Small helpers shared by the tests that start processes."""

from pathlib import Path

from infra.local.aws import free_port

ROOT = Path(__file__).resolve().parents[1]


def start_local_stack(outbox, *, voters: int, output, timeout: float = 120):
    """`python -m infra.local` as `make run` starts it, on free ports, with its own outbox;
    returns the process and the portal's base URL once /api/health answers."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port, aws_port = free_port(), free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local",
            "--port",
            str(port),
            "--aws-port",
            str(aws_port),
            "--voters",
            str(voters),
            "--outbox",
            str(outbox),
            "--no-autoreload",
        ],
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.5)
    return process, None
