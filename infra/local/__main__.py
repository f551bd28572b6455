"""`make run`: the whole portal on this machine, at http://127.0.0.1:8000.

1. moto serves as the local AWS on 127.0.0.1:5000, DynamoDB one request at a time;
2. the tables, queues and SES sender of the `local` stage are created there;
3. the demo election is generated and imported (unless --no-demo);
4. the app's SQS handlers are polled, and every email sent is printed and kept;
5. `chalice local --stage local` serves the app. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m infra.local", description="Run the portal locally on moto.")
    parser.add_argument("--port", type=int, default=8000, help="the portal's port (default 8000)")
    parser.add_argument("--aws-port", type=int, default=5000, help="the local AWS's port (default 5000)")
    parser.add_argument("--voters", type=int, default=2000, help="demo voters to load (default 2000)")
    parser.add_argument("--no-demo", action="store_true", help="start with empty tables")
    parser.add_argument(
        "--no-autoreload",
        action="store_true",
        help="do not restart the app when files change (tests write files as they run)",
    )
    parser.add_argument("--outbox", default=str(ROOT / ".local" / "outbox"), help="where to keep sent emails")
    return parser.parse_args(argv)


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"chalice local stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop_process_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    # Ctrl-C arrives as SIGINT; a process manager or `kill` sends SIGTERM: stop cleanly on both.
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from infra.local.aws import LocalAws, use_local_stage

    use_local_stage(args.aws_port)

    from chalicelib import settings
    from infra.local.outbox import Outbox
    from infra.local.poller import SqsPoller
    from infra.local.provision import provision

    aws = LocalAws(port=args.aws_port).start()
    print(f"Local AWS (moto, DynamoDB one request at a time) on {aws.endpoint}", flush=True)
    created = provision()
    print(f"Tables: {len(created['tables'])} created; mail queue and sender {created['sender']} ready.", flush=True)
    outbox = Outbox(Path(args.outbox), settings.region()).start()

    if not args.no_demo:
        from chalicelib.admin.cli import main as admin

        print(f"Loading the demo election ({args.voters} voters)…", flush=True)
        status = admin(["--stage", "local", "demo", "--voters", str(args.voters)])
        if status:
            print("The demo data could not be loaded.", file=sys.stderr)
            aws.stop()
            return status

    from app import app

    poller = SqsPoller(app).start()
    chalice = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("chalice")),
            "local",
            "--stage",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
        ]
        + (["--no-autoreload"] if args.no_autoreload else []),
        env=dict(os.environ),
        cwd=ROOT,
        # Its own process group: chalice's reloader runs the server in a child process, and
        # both must stop with us.
        start_new_session=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{args.port}/api/health", chalice)
        print(f"\nEspace électeur is ready: http://127.0.0.1:{args.port}  (Ctrl-C to stop)", flush=True)
        print(f"Emails sent are printed here and kept in {outbox.directory}", flush=True)
        chalice.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_process_group(chalice)
        poller.stop()
        outbox.stop()
        aws.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
