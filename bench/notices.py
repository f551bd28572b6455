"""`voter-codes generate` for a whole roll, measured: `python -m bench.notices --voters N`.

In-process on moto (one DynamoDB request at a time, as the local stack): the demo roll of N
voters is imported, then `generate_codes` gives each a code and writes the printing house's
files. Measured: the walk (voters read, codes written) and the files (CSV, notices) apart, each
with its wall time and how much the process's resident memory grew during it; the DynamoDB
requests counted per 1,000 voters; the files' sizes and pages. Written to
`bench/notices-results.json`; `docs/capacity.md` quotes it.

Memory is read from /proc (VmRSS, sampled at every progress call) rather than traced, so the
timing is not slowed. During the walk moto stores each new code, so that phase's growth is
moto's as much as ours; the files are written with DynamoDB untouched, so their growth is the
writers' own: what "bounded memory" means.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import TEST_ENVIRONMENT  # noqa: E402, F401  (sets the environment)

RESULTS = ROOT / "bench" / "notices-results.json"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Phases:
    """The progress callback: when each stage starts and ends, and the memory it reached."""

    def __init__(self):
        self.started = time.perf_counter()
        self.stage = None
        self.phases: dict[str, dict] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now, memory = time.perf_counter(), rss_mib()
        if stage != self.stage:
            self.stage = stage
            self.phases[stage] = {"started": now, "rss_start_mib": memory, "rss_peak_mib": memory}
        phase = self.phases[stage]
        phase["ended"], phase["done"] = now, done
        phase["rss_peak_mib"] = max(phase["rss_peak_mib"], memory)


def measure(voters: int) -> dict:
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from bench.counting import counting
    from chalicelib.admin.demo import write_demo_files
    from chalicelib.services.ballot_import import import_ballots
    from chalicelib.services.voter_codes import NOTICES_STAGE, PROGRESS_STAGE, generate_codes
    from chalicelib.services.voter_import import import_voters
    from chalicelib.store.tables import create_tables
    from chalicelib.wiring import voter_code_pepper
    from infra.local.provision import create_secret

    logging.getLogger("espace_electeur").setLevel(logging.WARNING)
    lock = threading.Lock()  # moto one request at a time, as the local stack
    original = BotocoreStubber.__call__

    def serialised(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    BotocoreStubber.__call__ = serialised
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as work, mock_aws():
        create_tables()
        create_secret("VOTER_CODE_PEPPER_ID")
        ballots_file, voters_file = write_demo_files(Path(work) / "demo", voters=voters, now=now)
        import_ballots(ballots_file, now=now)
        started = time.perf_counter()
        import_voters(voters_file, now=now)
        import_seconds = time.perf_counter() - started
        output = Path(work) / "impression"
        phases = Phases()
        before = rss_mib()
        with counting() as counted:
            started = time.perf_counter()
            report = generate_codes(pepper=voter_code_pepper(), output=output, now=now,
                                    portal_url="https://elections-pro.example.gouv.fr", progress=phases)  # fmt: skip
            total_seconds = time.perf_counter() - started
        walk, files = phases.phases[PROGRESS_STAGE], phases.phases.get(NOTICES_STAGE, {})
        csv_files = sorted(output.glob("imprimerie-*.csv"))
        pdf_files = sorted(output.glob("notices-*.pdf"))
        pages = sum(p.read_bytes().count(b"/Type /Page ") for p in pdf_files)
        per_thousand = {k: round(1000 * v / max(report.voters, 1), 1) for k, v in sorted(counted.dynamodb.items())}
        return {
            "measured_at": now.isoformat(timespec="seconds"),
            "machine": f"{os.cpu_count()} cores; in-process on moto (one DynamoDB request at a time), not on AWS",
            "voters": report.voters,
            "codes_generated": report.generated,
            "import_seconds": round(import_seconds, 1),
            "generate_seconds": round(total_seconds, 1),
            "walk_seconds": round(walk["ended"] - started, 1),
            "walk_voters_per_second": round(report.voters / max(walk["ended"] - started, 1e-9)),
            "walk_rss_growth_mib": round(walk["rss_peak_mib"] - before, 1),
            # The CSV is written between the walk's end and the first notice.
            "files_seconds": round(total_seconds - (walk["ended"] - started), 1),
            "notices_per_second": round(
                files.get("done", 0) / max(files.get("ended", 0) - files.get("started", 0), 1e-9)
            ),
            "files_rss_growth_mib": round(files.get("rss_peak_mib", 0) - files.get("rss_start_mib", 0), 1),
            "rss_before_mib": round(before, 1),
            "dynamodb_requests_per_1000_voters": per_thousand,
            "csv_files": len(csv_files),
            "csv_bytes": sum(p.stat().st_size for p in csv_files),
            "pdf_files": len(pdf_files),
            "pdf_pages": pages,
            "pdf_bytes": sum(p.stat().st_size for p in pdf_files),
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notices", description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=100_000)
    args = parser.parse_args(argv)
    results = measure(args.voters)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
