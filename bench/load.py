"""`make load`: a bounded opening rush against the local stack, then a check that nothing was
lost, duplicated or half-written.

1. Starts the stack of `make run` (moto on loopback, DynamoDB serialised, the mail worker,
   its threaded HTTP server) on free ports, with its demo election and its own outbox.
2. Picks listed voters without an account, and addresses on no list, from the stores.
3. Runs Locust headless (bench/locustfile.py, in .venv-load) for a fixed number of users and
   seconds; it stops by itself.
4. Waits for the mail queue to drain, then checks the stores and the outbox:
   - no 5xx;
   - every listed voter who registered got exactly one email, and no unlisted address any;
   - every active account signs in with the password its voter chose;
   - no account is half-written: an active account has its password and a used link, a
     pending one an unused link it was emailed; no mail log entry is stuck in "sending";
   - throughput and p95 per request, measured on moto on this machine.
5. Stops the stack, writes bench/out/load-report.json and exits 1 if a check failed.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import email
import email.policy
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from infra.local.aws import use_local_stage
from infra.local.process import start_local_stack, stop_local_stack

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LOCUST = ROOT / ".venv-load" / "bin" / "locust"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40, help="simulated people at once (default 40)")
    parser.add_argument("--spawn-rate", type=float, default=4, help="new people per second (default 4)")
    parser.add_argument("--seconds", type=int, default=90, help="how long the rush lasts (default 90)")
    parser.add_argument("--voters", type=int, default=2000, help="demo voters loaded (default 2000)")
    return parser.parse_args(argv)


def start_stack(outbox: Path, voters: int, log_path: Path) -> tuple[subprocess.Popen, str, int]:
    log = open(log_path, "w", encoding="utf-8")
    process, base, aws_port = start_local_stack(outbox, voters=voters, output=log, timeout=600)
    if base is None:
        if process.poll() is not None:
            raise SystemExit(f"the local stack stopped (exit {process.returncode}); see {log_path}")
        stop_local_stack(process)
        raise SystemExit(f"the local stack did not answer within 10 minutes; see {log_path}")
    return process, base, aws_port


def pick_addresses(listed_count: int, unlisted_count: int) -> dict:
    from chalicelib.store.accounts import Account
    from chalicelib.store.voters import Voter

    with_account = {a.voter_id for a in Account.scan()}
    listed = sorted(v.email for v in Voter.scan() if v.is_listed and v.voter_id not in with_account)
    unlisted = [f"personne.inconnue{n}@ac-nulle-part.fr" for n in range(unlisted_count)]
    return {"listed": listed[:listed_count], "unlisted": unlisted}


def wait_for_mail_queue(timeout: float = 300) -> bool:
    """True once the mail queue is empty, nothing in flight, for a few seconds in a row."""
    import boto3

    from chalicelib import settings

    sqs = boto3.client("sqs", region_name=settings.region())
    url = sqs.get_queue_url(QueueName=settings.required("MAIL_QUEUE_NAME"))["QueueUrl"]
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    quiet_since, deadline = None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        if all(attributes.get(name, "0") == "0" for name in names):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 5:
                return True
        else:
            quiet_since = None
        time.sleep(1)
    return False


def emails_by_recipient(outbox: Path) -> Counter:
    received = Counter()
    for path in outbox.glob("*.eml"):
        message = email.message_from_string(path.read_text(encoding="utf-8"), policy=email.policy.default)
        received[str(message["To"]).lower()] += 1
    return received


def sign_in(base: str, address: str, password: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/sessions",
        method="POST",
        data=json.dumps({"email": address, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def check_stores(record: dict, outbox: Path, base: str, queue_drained: bool) -> list[tuple[str, bool, str]]:
    from chalicelib.store.accounts import ACTIVE, Account
    from chalicelib.store.mail_log import SENT, MailLogEntry
    from chalicelib.store.tokens import Token
    from chalicelib.store.voters import Voter

    checks = []
    server_errors = sum(count for status, count in record["statuses"].items() if int(status) >= 500)
    checks.append(("no 5xx", server_errors == 0, f"{server_errors} responses 5xx"))
    checks.append(("the mail queue drained", queue_drained, "empty, nothing in flight"))

    received = emails_by_recipient(outbox)
    registered = record["registered_listed"]
    wrong = {a: received.get(a, 0) for a in registered if received.get(a, 0) != 1}
    checks.append(
        (
            "every listed voter who registered got exactly one email",
            not wrong,
            f"{len(registered)} registered; wrong counts: {dict(list(wrong.items())[:5])}",
        )
    )
    leaked = [a for a in record["registered_unlisted"] if received.get(a)]
    checks.append(("no email to an address on no list", not leaked, f"{len(record['registered_unlisted'])} asked"))

    voters_by_id = {v.voter_id: v for v in Voter.scan()}
    accounts = list(Account.scan())
    tokens_by_voter: dict[str, list] = {}
    for token in Token.scan():
        tokens_by_voter.setdefault(token.voter_id, []).append(token)
    active = [a for a in accounts if a.status == ACTIVE]
    passwords = record["passwords"]
    refused = []
    for account in active:
        address = voters_by_id[account.voter_id].email
        if address not in passwords or sign_in(base, address, passwords[address]) != 200:
            refused.append(address)
    checks.append(
        (
            "every active account signs in with its voter's password",
            not refused and len(active) == len(passwords),
            f"{len(active)} active, {len(passwords)} passwords set; refused: {refused[:5]}",
        )
    )

    half = []
    for account in accounts:
        tokens = tokens_by_voter.get(account.voter_id, [])
        if account.status == ACTIVE:
            whole = account.password_hash and account.activated_at and any(t.used_at for t in tokens)
        else:
            whole = not account.password_hash and any(t.used_at is None for t in tokens)
        if not whole or account.voter_id not in voters_by_id:
            half.append(account.voter_id)
    orphans = [
        t.voter_id
        for tokens in tokens_by_voter.values()
        for t in tokens
        if t.voter_id not in {a.voter_id for a in accounts}
    ]
    stuck = [e.address for e in MailLogEntry.scan() if e.status != SENT]
    checks.append(
        (
            "no account half-written",
            not half and not orphans and not stuck,
            f"{len(accounts)} accounts; half-written {half[:5]}, links without account {orphans[:5]}, "
            f"mail log entries not sent {stuck[:5]}",
        )
    )
    return checks


def read_locust_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(argv=None) -> int:
    args = parse_args(argv)
    if not LOCUST.exists():
        raise SystemExit("Locust is missing: run `make load` (it installs requirements-load.txt into .venv-load)")
    OUT.mkdir(parents=True, exist_ok=True)
    outbox = OUT / "load-outbox"
    for old in outbox.glob("*.eml"):
        old.unlink()
    print(f"Starting the local stack with {args.voters} demo voters…", flush=True)
    process, base, aws_port = start_stack(outbox, args.voters, OUT / "load-stack.log")
    try:
        use_local_stage(aws_port)  # this process reads the stack's stores and queue
        journeys = int(args.users * args.seconds / 10) + 50  # more than the rush can use
        addresses = pick_addresses(journeys, journeys // 4)
        addresses_path, record_path, stats_prefix = OUT / "load-addresses.json", OUT / "load-record.json", OUT / "load"
        addresses_path.write_text(json.dumps(addresses), encoding="utf-8")
        print(f"Rush: {args.users} people, {args.spawn_rate}/s, {args.seconds} s, against {base}", flush=True)
        started = time.monotonic()
        subprocess.run(
            [
                str(LOCUST),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--stop-timeout",
                "150",
                "--csv",
                str(stats_prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            check=False,
            timeout=args.seconds + 600,
            env={
                **os.environ,
                "LOAD_ADDRESSES": str(addresses_path),
                "LOAD_OUTBOX": str(outbox),
                "LOAD_RECORD": str(record_path),
            },
        )
        elapsed = time.monotonic() - started
        drained = wait_for_mail_queue()
        record = json.loads(record_path.read_text(encoding="utf-8"))
        checks = check_stores(record, outbox, base, drained)
        stats = read_locust_stats(stats_prefix)
    finally:
        stop_local_stack(process)

    total = next(row for row in stats if row["Name"] == "Aggregated")
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": "measured against the local stack: moto over HTTP with DynamoDB serialised, the in-process threaded HTTP server, on this machine",
        "users": args.users,
        "seconds": args.seconds,
        "elapsed_seconds": round(elapsed, 1),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": float(total["Requests/s"]),
        "p95_ms": float(total["95%"]),
        "median_ms": float(total["50%"]),
        "journeys_completed": record["journeys_completed"],
        "registered_listed": len(record["registered_listed"]),
        "registered_unlisted": len(record["registered_unlisted"]),
        "stopped_before_email": len(record["stopped_before_email"]),
        "statuses": record["statuses"],
        "per_request": [
            {
                "name": f"{r['Type']} {r['Name']}",
                "count": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "median_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
            }
            for r in stats
            if r["Name"] != "Aggregated"
        ],
        "checks": [{"check": name, "passed": passed, "detail": detail} for name, passed, detail in checks],
    }
    (OUT / "load-report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"\n{'request':<52}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}")
    for row in report["per_request"]:
        print(f"{row['name']:<52}{row['count']:>7}{row['failures']:>6}{row['median_ms']:>9.0f}{row['p95_ms']:>9.0f}")
    print(
        f"\n{report['requests']} requests in {args.seconds} s: {report['requests_per_second']:.1f} requests/s, "
        f"p95 {report['p95_ms']:.0f} ms, median {report['median_ms']:.0f} ms ({report['label']})"
    )
    print(
        f"{report['journeys_completed']} voters went from the email to the electoral list "
        f"({report['stopped_before_email']} more stopped when the rush ended, before their email came); "
        f"{report['registered_unlisted']} unlisted addresses asked; statuses {report['statuses']}\n"
    )
    for check in report["checks"]:
        print(f"{'PASS' if check['passed'] else 'FAIL'}  {check['check']}  ({check['detail']})")
    print(f"\nwritten to {(OUT / 'load-report.json').relative_to(ROOT)}")
    return 0 if all(c["passed"] for c in report["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
