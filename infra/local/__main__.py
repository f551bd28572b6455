"""`make run`: the whole portal on this machine, at http://127.0.0.1:8000.

1. both ports are taken first: if one is busy, the stack says which and stops (exit 2);
2. moto serves as the local AWS on 127.0.0.1:5000, DynamoDB one request at a time;
3. the tables, queues and SES sender of the `local` stage are created there;
4. the demo election is generated and imported, its polling bureau keyed and sealed with
   demo key holders, and the demo voters given their voter codes, written to .local/notices/
   as for the printing house (unless --no-demo);
5. the app's SQS handlers are polled, and every email sent is printed and kept;
6. the app is served over HTTP from this process (`infra/local/server.py`), with code reload
   only if asked (--reload). Ctrl-C (SIGINT) or SIGTERM stops everything.

Everything runs in this one process, in threads: nothing outlives it, not even a SIGKILL.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m infra.local", description="Run the portal locally on moto.")
    parser.add_argument("--port", type=int, default=8000, help="the portal's port (default 8000)")
    parser.add_argument("--aws-port", type=int, default=5000, help="the local AWS's port (default 5000)")
    parser.add_argument("--voters", type=int, default=2000, help="demo voters to load (default 2000)")
    parser.add_argument("--no-demo", action="store_true", help="start with empty tables")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="load the app's code again when chalicelib/ or app.py change (the data stays)",
    )
    parser.add_argument("--no-autoreload", action="store_true", help=argparse.SUPPRESS)  # the old default, now
    parser.add_argument("--outbox", default=str(ROOT / ".local" / "outbox"), help="where to keep sent emails")
    parser.add_argument(
        "--notices",
        default=str(ROOT / ".local" / "notices"),
        help="where to write the demo voters' codes: the printing house's CSV and the notices (PDF)",
    )
    parser.add_argument(
        "--bureaus",
        default=str(ROOT / ".local" / "bureau"),
        help="where to keep the demo polling bureau's folder and key files",
    )
    return parser.parse_args(argv)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM both stop the stack cleanly. Set explicitly: a shell starts
    background jobs with SIGINT ignored, and Python then installs no handler of its own."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def write_demo_notices(folder: Path, portal_url: str) -> None:
    """The demo voters' codes, as `voter-codes generate` writes them for the printing house:
    a demo voter finds theirs in the CSV (or on their notice) to vote in the browser."""
    import shutil

    from chalicelib.clock import utc_now
    from chalicelib.services.voter_codes import generate_codes
    from chalicelib.wiring import voter_code_pepper

    shutil.rmtree(folder, ignore_errors=True)  # the last run's codes died with its moto
    report = generate_codes(pepper=voter_code_pepper(), output=folder, now=utc_now(), portal_url=portal_url)
    shown = os.path.relpath(folder, ROOT) if folder.is_relative_to(ROOT) else str(folder)
    print(
        f"Voter codes: {report.generated} demo voters have one; the printing house's CSV and the "
        f"notices are in {shown}/ (imprimerie-*.csv: voter_id, email, code).",
        flush=True,
    )


def main(argv=None) -> int:
    stop_on_signals()
    args = parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    # Like `chalice local`: the app's log lines (one JSON object per request) on stdout.
    logging.basicConfig(stream=sys.stdout, format="%(message)s")

    from infra.local.aws import LocalAws, use_local_stage
    from infra.local.server import PortBusy, listening_socket

    portal_socket = None
    try:
        portal_socket = listening_socket("127.0.0.1", args.port, "portal")
        aws = LocalAws(port=args.aws_port)
    except PortBusy as busy:
        if portal_socket is not None:
            portal_socket.close()
        print(f"The local stack cannot start. {busy}", file=sys.stderr, flush=True)
        return 2

    running = []  # what to stop, in reverse order
    try:
        running.append(aws.start().stop)
        print(f"Local AWS (moto, DynamoDB one request at a time) on {aws.endpoint}", flush=True)
        use_local_stage(args.aws_port)
        portal_url = f"http://127.0.0.1:{args.port}"

        from chalicelib import settings
        from infra.local.outbox import Outbox
        from infra.local.poller import SqsPoller
        from infra.local.provision import provision
        from infra.local.server import CodeWatcher, PortalServer, reload_app

        created = provision()
        print(f"Tables: {len(created['tables'])} created; mail queue and sender {created['sender']} ready.", flush=True)
        outbox = Outbox(Path(args.outbox), settings.region()).start()
        running.append(outbox.stop)

        if not args.no_demo:
            from chalicelib.admin.cli import main as admin

            print(f"Loading the demo election ({args.voters} voters)…", flush=True)
            status = admin(["--stage", "local", "demo", "--voters", str(args.voters)])
            if status:
                print("The demo data could not be loaded.", file=sys.stderr)
                return status
            import shutil

            from infra.local.demo_bureau import seal_demo_bureaus

            print("Sealing the demo polling bureau (key ceremony with demo key holders)…", flush=True)
            bureaus = Path(args.bureaus)
            shutil.rmtree(bureaus, ignore_errors=True)  # the last run's bureaus died with its moto
            seal_demo_bureaus(bureaus, echo=lambda line: print(line, flush=True))

        # Emailed links point at this server, whatever its port (set after the demo import,
        # which enters the stage's configuration again).
        os.environ["PORTAL_URL"] = portal_url
        if not args.no_demo:
            write_demo_notices(Path(args.notices), portal_url)
        from app import app

        server = PortalServer(portal_socket, app).start()
        running.append(server.stop)
        poller = SqsPoller(server.app).start()
        running.append(poller.stop)
        print(f"\nEspace électeur is ready: {portal_url}  (Ctrl-C to stop)", flush=True)
        print(f"Emails sent are printed here and kept in {outbox.directory}", flush=True)
        watcher = CodeWatcher() if args.reload else None
        if watcher:
            print("Code reload is on: changes to chalicelib/ and app.py are loaded as they are saved.", flush=True)
        while True:
            time.sleep(1)
            changes = watcher.changed() if watcher else None
            if changes:
                fresh = reload_app(echo=lambda line: print(line, flush=True))
                if fresh is not None:
                    server.app = poller.app = fresh
                    shown = ", ".join(os.path.relpath(p, ROOT) for p in changes[:3])
                    print(f"Code reloaded ({shown}{', …' if len(changes) > 3 else ''}).", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while stopping ends the process at once.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for stop in reversed(running):
            stop()
        portal_socket.close()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
