"""A whole invitation campaign on the local stack, measured: `python -m bench.campaign --voters N`.

Starts `python -m infra.local` with N demo voters (its own ports and outbox), then as an
administrator would: `campaign plan` (the planner's scan rate), `campaign start`, and
`campaign status --json` every few seconds until the campaign is done. Prints and writes
(`bench/campaign-results.json`) the throughput, the planner's rate, and the peak memory of
every process: the stack (moto, the portal, the workers) and each CLI command.

Figures are moto's: one DynamoDB request at a time, in memory, on this machine; AWS runs the
walk and the emails on many workers at the rate SES allows (docs/capacity.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from infra.local.process import start_local_stack, stop_local_stack

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "campaign-results.json"


def peak_rss_mib(pid: int) -> float:
    """A live process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def admin(aws_port: int, *argv: str) -> tuple[dict | list, float]:
    """One CLI command against the stack: its JSON answer and how long it took."""
    environment = dict(os.environ)
    for service in ("DYNAMODB", "SQS", "SES"):
        environment[f"AWS_ENDPOINT_URL_{service}"] = f"http://127.0.0.1:{aws_port}"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "chalicelib.admin", "--stage", "local", *argv, "--json"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"campaign {' '.join(argv)} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return json.loads(done.stdout), time.monotonic() - started


def largest_cli_mib() -> float:
    """The peak memory of the largest CLI process so far (the stack, still running, is not counted)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.campaign")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between two status reads")
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="stop following after this long (the throughput so far)"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="campaign-"))
    log = open(work / "stack.log", "w")
    started = time.monotonic()
    process, base, aws_port = start_local_stack(
        work / "outbox", voters=args.voters, output=log, timeout=120 + args.voters / 50
    )
    if base is None:
        print(f"the local stack did not start: see {work / 'stack.log'}", file=sys.stderr)
        stop_local_stack(process)
        return 1
    loaded = time.monotonic() - started
    print(f"stack up with {args.voters:,} demo voters in {loaded:.0f} s", flush=True)
    try:
        planned, plan_seconds = admin(aws_port, "campaign", "plan", "--kind", "invitation")
        plan_peak = largest_cli_mib()
        scanned = planned["planned"].get("scanned", 0)
        print(f"plan: {planned['targeted']:,} targeted, {scanned:,} read in {plan_seconds:.1f} s", flush=True)
        admin(aws_port, "campaign", "start", planned["id"])
        sent_at_start = time.monotonic()
        samples = []
        while True:
            time.sleep(args.interval)
            report, _ = admin(aws_port, "campaign", "status", planned["id"])
            elapsed = time.monotonic() - sent_at_start
            counters = report["counters"]
            samples.append({"seconds": round(elapsed, 1), **{k: counters[k] for k in ("queued", "sent", "failed")}})
            print(f"  {elapsed:7.0f} s  queued {counters['queued']:>8,}  sent {counters['sent']:>8,}", flush=True)
            if report["state"] == "finished" or (args.max_seconds and elapsed >= args.max_seconds):
                break
        stack_peak = peak_rss_mib(process.pid)
        cli_peak = largest_cli_mib()
    finally:
        stop_local_stack(process)
        log.close()
    duration = samples[-1]["seconds"]
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores; the local stack on moto (DynamoDB one request at a time)",
        "voters": args.voters,
        "stack_load_seconds": round(loaded, 1),
        "targeted": planned["targeted"],
        "planner": {
            "scanned": scanned,
            "seconds": round(plan_seconds, 1),
            "voters_per_second": round(scanned / planned["planned"]["seconds"])
            if planned["planned"]["seconds"]
            else None,
        },
        "campaign": {
            "seconds": duration,
            "sent": samples[-1]["sent"],
            "failed": samples[-1]["failed"],
            "emails_per_second": round(samples[-1]["sent"] / duration, 1) if duration else None,
            "finished": report["state"] == "finished",
        },
        "peak_memory_mib": {
            "local stack (moto, portal, workers, outbox)": round(stack_peak),
            "campaign plan": round(plan_peak),
            "largest CLI command (plan, start, status)": round(cli_peak),
        },
        "samples": samples,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "samples"}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
