"""`make bench`: what every operation costs, counted exactly, and timed on this machine.

Counts (DynamoDB requests by kind, items, bytes, read and write units; SQS and SES requests)
come from botocore's calls and DynamoDB's published size rules, so they are what AWS would
see. Times (CPU, latency) are measured in-process against moto on this machine: they say how
heavy our code is, not how fast DynamoDB is. EV1's ballots and the booth's bundle are measured
by bench/voting.py. Results go to bench/results.json.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
RUNS = int(os.environ.get("BENCH_RUNS", "30"))

# The test stage's environment, but with the configured (default) argon2 cost.
sys.path.insert(0, str(ROOT))
from bench import voting  # noqa: E402
from tests.conftest import TEST_ENVIRONMENT  # noqa: E402  (sets the environment)

for variable in ("ARGON2_MEMORY_KIB", "ARGON2_TIME_COST"):
    os.environ.pop(variable, None)

# Floors: the fewest DynamoDB round trips each operation's design allows, and why.
FLOORS = {
    "registration request": (
        1,
        "counts the client (one UpdateItem), then queues: the answer must not depend on the address",
    ),
    "registration worker": (
        8,
        "find voter, account, mail log (idempotency); reserve the budget (one transaction); claim the request; create the pending account; store the link; mark sent",
    ),
    "token check": (2, "the token, then its account (voided links)"),
    "password creation": (
        5,
        "token, account, voter (the email rule), one transaction, then the session a first password opens",
    ),
    "sign-in": (4, "throttle counters (one batch), voter by email, account, new session"),
    "sign-out": (3, "session, account (sessions voided after a reset), delete"),
    "me": (3, "session, account, voter"),
    "my ballots": (4, "session, account, voter, ballots (one batch)"),
    "electoral-list page": (6, "session, account, voter (membership), ballot (phase), rate limit, one Query"),
    "claim": (6, "session, account, voter, ballot (window), the voter's hourly claim count, conditional put"),
    "voter code": (5, "session, account, throttle counters (one batch), the code's hash, the session marked"),
    "booth list": (5, "session, account, voter, the voter's ballots (one batch), their émargements (one batch)"),
    "election file": (2, "the sealed-elections entry (sealed? its φ), then the file (consistent)"),
    "cast": (
        4,
        "session, account, voter (on the list now), then one transaction: émargement and ballot "
        "(the sealed scrutin is cached per container)",
    ),
    "invitation email": (
        7,
        "claim the voter's entry, voter and address report (still due?), prepare the espace, the link, "
        "settle the entry, count it on its unit (the ballots come from a cache)",
    ),
}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(name, operation, prepare=None):
    from bench.counting import counting

    cpu, wall, counts = [], [], None
    for run in range(RUNS):
        argument = prepare(run) if prepare else None
        with counting() as counted:
            started_cpu, started = time.process_time(), time.perf_counter()
            operation(argument)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        counts = counted
    return {
        "operation": name,
        "dynamodb": dict(counts.dynamodb),
        "round_trips": counts.round_trips(),
        "items_read": counts.items_read,
        "items_written": counts.items_written,
        "bytes_read": counts.bytes_read,
        "bytes_written": counts.bytes_written,
        "read_units": counts.read_units,
        "write_units": counts.write_units,
        "sqs": dict(counts.sqs),
        "ses": dict(counts.ses),
        "cpu_ms_median": 1000 * statistics.median(cpu),
        "latency_ms_median": 1000 * statistics.median(wall),
        "latency_ms_p95": 1000 * percentile(wall, 0.95),
        "runs": RUNS,
    }


def cold_start() -> dict:
    """Importing `app` in a fresh interpreter, as the deployment package ships it.

    `make package` and `make deploy` add compiled bytecode to the package (infra/aws/bytecode.py),
    because Lambda's code directory is read-only: without it every cold start would compile
    every module again. So the app is measured from a copy of app.py and chalicelib/ compiled
    the same way (checked-hash), beside the bare imports (whose installed bytecode is used) in
    the same run; the figure from source alone is kept for comparison.
    """
    environment = {**os.environ, **TEST_ENVIRONMENT, "PYTHONDONTWRITEBYTECODE": "1"}
    for variable in ("ARGON2_MEMORY_KIB", "ARGON2_TIME_COST", "PYTHONPYCACHEPREFIX"):
        environment.pop(variable, None)

    def once(statement: str, where: Path) -> float:
        code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        return float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=where, env=environment, capture_output=True, text=True, check=True
            ).stdout
        )

    with tempfile.TemporaryDirectory() as directory:
        shipped, source = Path(directory, "shipped"), Path(directory, "source")
        for copy in (shipped, source):
            shutil.copytree(ROOT / "chalicelib", copy / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(ROOT / "app.py", copy / "app.py")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "--invalidation-mode",
                "checked-hash",
                str(shipped / "chalicelib"),
            ],
            check=True,
        )
        # Interleaved, so that a busy moment of the machine weighs on every side alike.
        samples = {"bare": [], "shipped": [], "source": []}
        for _ in range(15):
            samples["bare"].append(once("import boto3, pynamodb.models", shipped))
            samples["shipped"].append(once("import app", shipped))
            samples["source"].append(once("import app", source))
    bare, app, from_source = (statistics.median(samples[k]) for k in ("bare", "shipped", "source"))
    return {
        "import_app_ms": 1000 * app,
        "import_bare_ms": 1000 * bare,
        "ratio": app / bare,
        "import_app_from_source_ms": 1000 * from_source,
        "ratio_from_source": from_source / bare,
        "python": ".".join(map(str, sys.version_info[:3])),
    }


def argon2_timing() -> dict:
    from chalicelib import wiring

    hasher = wiring.password_hasher()
    hashes, verifies = [], []
    for _ in range(20):
        started = time.perf_counter()
        digest = hasher.hash("Bonjour2026")
        hashes.append(time.perf_counter() - started)
        started = time.perf_counter()
        hasher.verify(digest, "Bonjour2026")
        verifies.append(time.perf_counter() - started)
    p = hasher.parameters
    return {
        "memory_kib": p.memory_kib,
        "time_cost": p.time_cost,
        "parallelism": p.parallelism,
        "hash_ms_median": 1000 * statistics.median(hashes),
        "verify_ms_median": 1000 * statistics.median(verifies),
    }


def operations() -> list[dict]:
    from chalice.test import Client
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from app import app

    logging.getLogger("espace_electeur").setLevel(logging.WARNING)  # one line per request would drown the table
    from bench.counting import counting, fresh_sessions
    from chalicelib import clock
    from chalicelib.admin.demo import write_demo_files
    from chalicelib.api.auth import COOKIE
    from chalicelib.domain.mail_policy import MailRequestKind
    from chalicelib.mail.clients import forget_clients
    from chalicelib.mail.queue import forget_queue_urls
    from chalicelib.services import outgoing_mail, registration
    from chalicelib.services.ballot_import import import_ballots
    from chalicelib.services.voter_import import import_voters
    from chalicelib.store.tables import create_tables
    from chalicelib.store.voters import Voter
    from infra.local.provision import create_all_queues, create_secret, verify_sender

    fresh_sessions()
    lock = threading.Lock()
    original = BotocoreStubber.__call__
    BotocoreStubber.__call__ = lambda self, *a, **k: _locked(lock, original, self, *a, **k)
    now = datetime.now(UTC).replace(microsecond=0)
    clock.utc_now = lambda: now
    results = []
    with tempfile.TemporaryDirectory() as work, mock_aws():
        forget_clients()
        forget_queue_urls()
        fresh_sessions()
        create_tables()
        create_all_queues()
        verify_sender(os.environ["MAIL_SENDER"])
        create_secret("VOTER_CODE_PEPPER_ID")
        project = Path(work) / "project"
        (project / ".chalice").mkdir(parents=True)
        (project / ".chalice" / "config.json").write_text(
            json.dumps(
                {
                    "version": "2.0",
                    "app_name": "espace-electeur",
                    "stages": {
                        "test": {
                            "environment_variables": {
                                k: v for k, v in TEST_ENVIRONMENT.items() if not k.startswith("ARGON2")
                            }
                        }
                    },
                }
            )
        )
        ballots_file, voters_file = write_demo_files(Path(work) / "demo", voters=1000, now=now)
        import_ballots(ballots_file, now=now)
        with counting() as imported:
            started = time.perf_counter()
            import_voters(voters_file, now=now)
            seconds = time.perf_counter() - started
        results.append(
            {
                "operation": "import per 1,000 voters",
                "dynamodb": dict(imported.dynamodb),
                "round_trips": imported.round_trips(),
                "items_read": imported.items_read,
                "items_written": imported.items_written,
                "bytes_read": imported.bytes_read,
                "bytes_written": imported.bytes_written,
                "read_units": imported.read_units,
                "write_units": imported.write_units,
                "sqs": {},
                "ses": {},
                "latency_ms_median": 1000 * seconds,
                "latency_ms_p95": 1000 * seconds,
                "cpu_ms_median": None,
                "runs": 1,
            }
        )
        voters = sorted((v for v in Voter.scan()), key=lambda v: v.voter_id)
        claimers = [v for v in voters if v.ballot_ids and "CSA-SD-86" in v.ballot_ids]
        client = Client(app, stage_name="test", project_dir=str(project)).http

        def post(path, body, cookie=None):
            headers = {"Content-Type": "application/json", **({"Cookie": f"{COOKIE}={cookie}"} if cookie else {})}
            return client.post(path, body=json.dumps(body).encode(), headers=headers)

        def get(path, cookie):
            return client.get(path, headers={"Cookie": f"{COOKIE}={cookie}"})

        def worker_body(voter):
            captured = {}
            registration.enqueue, saved = captured.update, registration.enqueue
            registration.request_email(MailRequestKind.REGISTRATION, voter.email, now=now)
            registration.enqueue = saved
            return captured

        def link_for(voter):
            import re

            from moto.core import DEFAULT_ACCOUNT_ID
            from moto.ses.models import ses_backends

            outgoing_mail.handle_mail_request(worker_body(voter), now=now)
            raw = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sent_messages[-1].raw_data
            import email as email_module
            import email.policy

            text = email_module.message_from_string(raw, policy=email.policy.default).get_body(("plain",)).get_content()
            return re.search(r"#jeton=([A-Za-z0-9_-]{43})", text).group(1)

        pool = iter(voters[: 5 * RUNS + 10])  # registration, passwords, then the booth
        results.append(
            measure("registration request", lambda _: post("/api/registrations", {"email": voters[0].email}))
        )
        results.append(
            measure(
                "registration worker",
                lambda body: outgoing_mail.handle_mail_request(body, now=now),
                prepare=lambda run: worker_body(next(pool)),
            )
        )
        token = link_for(next(pool))
        results.append(measure("token check", lambda _: post("/api/token-checks", {"token": token})))
        fresh = [(v, link_for(v)) for v in [next(pool) for _ in range(RUNS)]]
        results.append(
            measure(
                "password creation",
                lambda pair: post(
                    "/api/passwords",
                    {"token": pair[1], "password": "Bonjour2026", "password_confirmation": "Bonjour2026"},
                ),
                prepare=lambda run: fresh[run],
            )
        )
        active = fresh[0][0]
        results.append(
            measure("sign-in", lambda _: post("/api/sessions", {"email": active.email, "password": "Bonjour2026"}))
        )

        def session_of(voter):
            response = post("/api/sessions", {"email": voter.email, "password": "Bonjour2026"})
            return response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

        results.append(
            measure(
                "sign-out",
                lambda cookie: client.delete("/api/sessions/current", headers={"Cookie": f"{COOKIE}={cookie}"}),
                prepare=lambda run: session_of(active),
            )
        )
        cookie = session_of(active)
        results.append(measure("me", lambda _: get("/api/me", cookie)))
        results.append(measure("my ballots", lambda _: get("/api/me/ballots", cookie)))
        results.append(measure("electoral-list page", lambda _: get("/api/ballots/CSA-MEN/electoral-list", cookie)))
        claimer = claimers[0]
        claimer_token = link_for(claimer)
        post(
            "/api/passwords",
            {"token": claimer_token, "password": "Bonjour2026", "password_confirmation": "Bonjour2026"},
        )
        claimer_cookie = session_of(claimer)
        # One voter files RUNS claims within a minute here: lift the per-voter hourly limit so
        # that every run is a real claim (its counter's UpdateItem is still counted).
        from chalicelib.services import claims as claim_service

        claim_service.BALLOT_CLAIMS_PER_VOTER_PER_HOUR = RUNS + 1
        results.append(
            measure(
                "claim",
                lambda run: post(
                    "/api/ballots/CSA-SD-86/claims",
                    {"message": f"Une personne manque sur la liste (essai {run})."},
                    claimer_cookie,
                ),
                prepare=lambda run: run,
            )
        )
        results += voting_operations(now, fresh_voter=lambda: next(pool), post=post, get=get, link_for=link_for)
        results += campaign_operations(now)
    BotocoreStubber.__call__ = original
    return results


def voting_operations(now, *, fresh_voter, post, get, link_for) -> list[dict]:
    """The booth on a sealed bureau (the tests' known-key election, options as the demo's):
    the voter code typed, the voter's scrutins listed, and a cast, each run by a voter who has
    not voted (a vote is final), with its proofs verified. The counts are the last run's, so
    warm: the sealed scrutin is cached after a container's first cast (see casting.py)."""
    from chalicelib.domain.voter_codes import code_hash, normalised
    from chalicelib.store.ballots import BallotItem
    from chalicelib.store.voter_codes import issue_first_code
    from chalicelib.wiring import voter_code_pepper
    from tests.voting_support import seal_for_tests

    code = "7K3M-9QRT-2WXA"
    opened = now - timedelta(minutes=1)  # as at 10:01 on day 1
    BallotItem.get("CSA-MEN").update(
        actions=[BallotItem.voting_opens_at.set(opened), BallotItem.voting_closes_at.set(now + timedelta(days=7))]
    )
    election = seal_for_tests(["CSA-MEN"], now=opened)

    def booth_voter(_run):
        voter = fresh_voter()
        while "CSA-MEN" not in (voter.ballot_ids or ()):
            voter = fresh_voter()
        token = link_for(voter)
        post("/api/passwords", {"token": token, "password": "Bonjour2026", "password_confirmation": "Bonjour2026"})
        response = post("/api/sessions", {"email": voter.email, "password": "Bonjour2026"})
        cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        issue_first_code(voter.voter_id, code_hash(normalised(code), voter_code_pepper()), now=now)
        return cookie

    def code_typed(run):
        cookie = booth_voter(run)
        assert post("/api/me/voter-code", {"code": code}, cookie).status_code == 204
        return cookie, election.ballot("CSA-MEN", run % len(election.options["CSA-MEN"]))

    def cast(prepared):
        cookie, ballot = prepared
        response = post("/api/ballots/CSA-MEN/votes", {"ballot": ballot}, cookie)
        assert response.status_code == 201, response.body

    typed = code_typed(0)[0]
    return [
        measure("voter code", lambda cookie: post("/api/me/voter-code", {"code": code}, cookie), prepare=booth_voter),
        measure("booth list", lambda _: get("/api/me/votes", typed)),
        measure("election file", lambda _: get(f"/api/elections/{election.election_id}/election.json", typed)),
        measure("cast", cast, prepare=code_typed),
    ]


def campaign_operations(now) -> list[dict]:
    """An invitation to every demo voter not yet in: its walk per 1,000 voters (pages of 100:
    Scans by design, the workers' not a request's), then one email, RUNS times."""
    import boto3

    from bench.counting import counting
    from chalicelib.domain.campaigns import CampaignKind
    from chalicelib.services import campaign_mail, campaign_walk, campaigns
    from chalicelib.store.campaigns import units_of
    from chalicelib.wiring import sending_plan

    planned = campaigns.plan_campaign(CampaignKind.INVITATION, ballot_ids=[], academy=None, name="bench", now=now)
    campaigns.start_campaign(planned.campaign_id, now=now)
    sqs = boto3.client("sqs", region_name="eu-west-3")
    walk_url = sqs.get_queue_url(QueueName=os.environ["CAMPAIGN_WALK_QUEUE_NAME"])["QueueUrl"]
    mail_url = sqs.get_queue_url(QueueName=os.environ["CAMPAIGN_MAIL_QUEUE_NAME"])["QueueUrl"]

    def messages(url):
        while found := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in found:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                yield json.loads(message["Body"])

    with counting() as walked:
        started = time.perf_counter()
        while True:
            pages = list(messages(walk_url))
            if not pages:
                break
            for page in pages:
                campaign_walk.walk_page(page, now=now, plan=sending_plan())
        seconds = time.perf_counter() - started
    scanned = sum(u.counters()["scanned"] for u in units_of(planned.campaign_id)) or 1
    per_thousand = 1000 / scanned
    walk = {
        "operation": "campaign walk per 1,000 voters",
        "dynamodb": {k: round(v * per_thousand, 1) for k, v in walked.dynamodb.items()},
        "round_trips": round(walked.round_trips() * per_thousand, 1),
        "items_read": walked.items_read * per_thousand,
        "items_written": walked.items_written * per_thousand,
        "bytes_read": walked.bytes_read * per_thousand,
        "bytes_written": walked.bytes_written * per_thousand,
        "read_units": walked.read_units * per_thousand,
        "write_units": walked.write_units * per_thousand,
        "sqs": {k: round(v * per_thousand, 1) for k, v in walked.sqs.items()},
        "ses": {},
        "latency_ms_median": 1000 * seconds * per_thousand,
        "latency_ms_p95": 1000 * seconds * per_thousand,
        "cpu_ms_median": None,
        "runs": 1,
        "queued_per_thousand": sum(u.counters()["queued"] for u in units_of(planned.campaign_id)) * per_thousand,
    }
    bodies = list(messages(mail_url))
    email = measure(
        "invitation email",
        lambda body: campaign_mail.send_campaign_email(body, now=now),
        prepare=lambda run: bodies[run],
    )
    return [walk, email]


def _locked(lock, original, *args, **kwargs):
    with lock:
        return original(*args, **kwargs)


def main() -> int:
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores; times measured in-process on moto, not on AWS",
        "operations": operations(),
        "cold_start": cold_start(),
        "argon2": argon2_timing(),
        "voting": voting.measure(),
    }
    checks = []
    for row in results["operations"]:
        scans = row["dynamodb"].get("Scan", 0)
        if row["operation"] in FLOORS:
            floor, reason = FLOORS[row["operation"]]
            row["floor"], row["floor_reason"] = floor, reason
            checks.append((f"{row['operation']}: no Scan", scans == 0))
            checks.append(
                (f"{row['operation']}: {row['round_trips']} round trips, floor {floor}", row["round_trips"] <= floor)
            )
    ratio = results["cold_start"]["ratio"]
    checks.append((f"import app (as shipped) is {ratio:.2f} x the bare imports (target 1.3)", ratio <= 1.3))
    results["checks"] = [{"check": name, "passed": passed} for name, passed in checks]
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(
        f"{'operation':<32}{'DDB':>7}{'floor':>6}{'RU':>8}{'WU':>8}{'SQS':>5}{'SES':>5}{'CPU ms':>9}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for row in results["operations"]:
        cpu = f"{row['cpu_ms_median']:.1f}" if row["cpu_ms_median"] is not None else "—"
        print(
            f"{row['operation']:<32}{row['round_trips']:>7}{row.get('floor', '—'):>6}{row['read_units']:>8.1f}{row['write_units']:>8.1f}"
            f"{sum(row['sqs'].values()):>5}{sum(row['ses'].values()):>5}{cpu:>9}{row['latency_ms_median']:>9.1f}{row['latency_ms_p95']:>9.1f}"
        )
    cold, argon = results["cold_start"], results["argon2"]
    print(
        f"\ncold start: import app {cold['import_app_ms']:.0f} ms as shipped (compiled), "
        f"{cold['import_app_from_source_ms']:.0f} ms from source; bare boto3 + pynamodb {cold['import_bare_ms']:.0f} ms"
    )
    print(
        f"argon2id m={argon['memory_kib']} KiB t={argon['time_cost']} p={argon['parallelism']}: "
        f"hash {argon['hash_ms_median']:.1f} ms, verify {argon['verify_ms_median']:.1f} ms"
    )
    print("(times: in-process on moto, on this machine; counts: what AWS would see)\n")
    print(voting.summary(results["voting"]) + "\n")
    for check in results["checks"]:
        print(f"{'PASS' if check['passed'] else 'FAIL'}  {check['check']}")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0 if all(c["passed"] for c in results["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
