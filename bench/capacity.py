"""Writes docs/capacity.md from bench/results.json: never edit the page by hand.

Counts come from the benchmark (what AWS would see); the model's assumptions and AWS's
prices are written down here, each with its source, so a reader can change one and
regenerate.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from chalicelib.store.public_record import PAGE_BYTES
from infra.aws.functions import BY_HANDLER

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
NOTICES = ROOT / "bench" / "notices-results.json"  # python -m bench.notices (not part of make bench)
PAGE = ROOT / "docs" / "capacity.md"

VOTERS = 1_100_000
TURNOUT = 0.42  # 2018: 42.6 %, 2022: 39.8 %
ESPACES_CREATED = 0.55  # voters who create their espace: everyone who votes, and some more
PEAK_SIGN_INS_PER_SECOND = 300  # the opening's peak minute (PRODUCT.md)
DESIGN_FACTOR = 10

# Per voter who creates their espace, over the whole election (assumptions, not measurements).
JOURNEY = {
    "registration request": 1.3,  # some ask twice
    "registration worker": 1.3,
    "token check": 1.2,
    "password creation": 1.0,
    "sign-in": 3.0,  # after creation, to read the lists, to vote
    "me": 3.0,
    "my ballots": 3.0,
    "electoral-list page": 2.0,
    "claim": 0.02,
    "sign-out": 1.0,
}
# One "arrival" at the opening: sign in, then the espace's two calls.
ARRIVAL = {"sign-in": 1, "me": 1, "my ballots": 1}
PAGE_VIEWS_PER_ARRIVAL = 2  # HTML pages (not cached); assets are served by CloudFront

# One voter at the voting opening (10:00 on day 1): an arrival, then the booth: the code typed
# once, the list of their scrutins (again after each vote, as the page shows it), the sealed
# election.json once, and three casts (issue 16: every sign-in followed by 3 casts).
VOTING_ARRIVAL = {
    "sign-in": 1,
    "me": 1,
    "my ballots": 1,
    "voter code": 1,
    "booth list": 4,
    "election file": 1,
    "cast": 3,
}
# Per voter who votes (TURNOUT of the roll), over the week: the code typed in 1.2 sessions on
# average, the booth's list and election.json as above, three casts (a voter is on 1 to 7).
VOTING_JOURNEY = {"voter code": 1.2, "booth list": 4.0, "election file": 1.2, "cast": 3.0}
VOTING_PAGE_VIEWS = 3  # the espace, the booth (one page for the whole walk), one more reload
CAST_OPTIONS = 8  # the national scrutin of 2022: 7 lists and the blank vote
MAIL_WORKER_CONCURRENCY = 5  # infra/aws/functions.py (send_requested_email)
RUSH_HOURS = 2  # PRODUCT.md: 20 % of the voters in the first two hours

# Lambda duration model (AWS, not moto): each DynamoDB round trip ~8 ms in-region, plus our
# code's ~5 ms, plus argon2 at the API's 1,024 MB (0.58 vCPU: the full-core time / 0.58).
ROUND_TRIP_MS = 8
CODE_MS = 5
API_MEMORY_GB = 1.0
WORKER_MEMORY_GB = 0.5
VCPU_AT_1024_MB = 0.58
ARGON2_OPERATIONS = {"password creation": "hash", "sign-in": "verify"}

# Campaigns: one invitation to every voter not in yet when the portal opens, then two
# reminders to those still not in (assumptions: the share of voters each one writes to).
CAMPAIGNS = {"invitation": 0.97, "first reminder": 0.65, "second reminder": 0.50}
SES_ACCOUNT_RATE = 200  # emails per second, the production quota asked for (runbook)
CAMPAIGN_SHARE = 0.8  # of it, for campaigns (domain.campaigns.SendingPlan)
CAMPAIGN_WORKER_RATE = 8  # emails per second one campaign worker sends

# AWS public on-demand prices, eu-west-3 (Paris), in US dollars, as last known to us on
# 2026-11-29 (DynamoDB after the November 2024 on-demand reduction). This machine has no
# network to check AWS's price pages: verify them before budgeting.
PRICES_DATE = "2026-11-29"
USD_TO_EUR = 0.93
PRICE = {
    "dynamodb_write_per_million": 0.7063,
    "dynamodb_read_per_million": 0.1413,
    "lambda_gb_second": 0.0000166667,
    "lambda_requests_per_million": 0.20,
    "api_gateway_per_million": 3.50,
    "sqs_per_million": 0.40,
    "ses_per_thousand": 0.10,
    "cloudfront_https_per_10k": 0.012,
}


def duration_ms(row: dict, argon2: dict, verify_ms: float = 0.0) -> float:
    """Modelled Lambda duration; `verify_ms` is a cast's proof verification on one full core."""
    base = ROUND_TRIP_MS * row["round_trips"] + CODE_MS + 15 * sum(row["ses"].values())
    kind = ARGON2_OPERATIONS.get(row["operation"])
    if kind:
        base += argon2[f"{kind}_ms_median"] / VCPU_AT_1024_MB
    if row["operation"] == "cast":
        base += verify_ms / VCPU_AT_1024_MB
    return base


def cast_verify_ms(results: dict) -> float:
    """Python's verification of a ballot of CAST_OPTIONS options (bench/voting.py), one core."""
    rows = {row["options"]: row for row in results.get("voting", {}).get("python", [])}
    return rows[CAST_OPTIONS]["verify_ms_median"] if CAST_OPTIONS in rows else 0.0


def build(results: dict) -> str:
    ops = {row["operation"]: row for row in results["operations"]}
    argon2 = results["argon2"]
    lines = [
        "# Capacity and cost",
        "",
        f"Generated by `bench/capacity.py` from `bench/results.json` (measured {results['measured_at']}); "
        "do not edit by hand: run `make bench`.",
        "",
        "Counts (requests, items, units) are exact: they are what AWS would see. Times in the first",
        "table were measured in-process against moto on the build machine "
        f"({results['machine']}): they show our code's weight, not DynamoDB's speed. Lambda",
        "durations below are modelled from the counts (assumptions at the end).",
        "",
        "## Cost of one operation",
        "",
        "| operation | DynamoDB requests | floor | read units | write units | SQS | SES | modelled Lambda ms | moto p50 ms | moto p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    verify_ms = cast_verify_ms(results)
    for name, row in ops.items():
        requests = ", ".join(f"{k} {v}" for k, v in sorted(row["dynamodb"].items())) or "—"
        modelled = name in JOURNEY or name in VOTING_ARRIVAL
        model = f"{duration_ms(row, argon2, verify_ms):.0f}" if modelled else "—"
        lines.append(
            f"| {name} | {requests} | {row.get('floor', '—')} | {row['read_units']:.1f} | {row['write_units']:.1f} | "
            f"{sum(row['sqs'].values())} | {sum(row['ses'].values())} | {model} | {row['latency_ms_median']:.0f} | {row['latency_ms_p95']:.0f} |"
        )
    cold = results["cold_start"]
    lines += [
        "",
        f"Cold start (Python {cold['python']}): importing `app` as the package ships it, compiled, takes "
        f"{cold['import_app_ms']:.0f} ms against {cold['import_bare_ms']:.0f} ms for `import boto3, pynamodb.models` "
        f"alone ({cold['ratio']:.2f} ×); from source it would take {cold['import_app_from_source_ms']:.0f} ms "
        f"({cold['ratio_from_source']:.2f} ×). argon2id (m={argon2['memory_kib']} KiB, "
        f"t={argon2['time_cost']}, p={argon2['parallelism']}): hash {argon2['hash_ms_median']:.0f} ms, verify "
        f"{argon2['verify_ms_median']:.0f} ms on one core of the build machine.",
        "",
    ]
    if "voting" in results:
        lines += voting_section(results["voting"])
    if NOTICES.exists():
        lines += notices_section(json.loads(NOTICES.read_text(encoding="utf-8")))

    # The whole election.
    espaces = VOTERS * ESPACES_CREATED
    totals = {
        "read_units": 0.0,
        "write_units": 0.0,
        "gb_seconds": 0.0,
        "api_requests": 0.0,
        "sqs": 0.0,
        "ses": 0.0,
        "lambda_requests": 0.0,
    }
    for name, per_voter in JOURNEY.items():
        row = ops[name]
        count = espaces * per_voter
        totals["read_units"] += count * row["read_units"]
        totals["write_units"] += count * row["write_units"]
        worker = name == "registration worker"
        memory = WORKER_MEMORY_GB if worker else API_MEMORY_GB
        totals["gb_seconds"] += count * memory * duration_ms(row, argon2) / 1000
        totals["lambda_requests"] += count
        totals["api_requests"] += 0 if worker else count
        # A queued request: send, receive, delete.
        totals["sqs"] += count * 3 * sum(row["sqs"].values())
        totals["ses"] += count * sum(row["ses"].values())
    page_views = espaces * JOURNEY["sign-in"] * PAGE_VIEWS_PER_ARRIVAL
    totals["api_requests"] += page_views
    totals["lambda_requests"] += page_views
    totals["gb_seconds"] += page_views * API_MEMORY_GB * CODE_MS / 1000
    voting_voters = VOTERS * TURNOUT
    voting_counted = all(name in ops for name in VOTING_JOURNEY)
    if voting_counted:
        for name, per_voter in VOTING_JOURNEY.items():
            row = ops[name]
            count = voting_voters * per_voter
            totals["read_units"] += count * row["read_units"]
            totals["write_units"] += count * row["write_units"]
            totals["gb_seconds"] += count * API_MEMORY_GB * duration_ms(row, argon2, verify_ms) / 1000
            totals["lambda_requests"] += count
            totals["api_requests"] += count
            totals["sqs"] += count * 3 * sum(row["sqs"].values())
        # Each cast's « vous avez voté » email, through the mail worker.
        emails = voting_voters * VOTING_JOURNEY["cast"]
        mail = ops["registration worker"]
        totals["ses"] += emails
        totals["lambda_requests"] += emails
        totals["gb_seconds"] += (
            emails * WORKER_MEMORY_GB * (ROUND_TRIP_MS * (mail["round_trips"] - 2) + CODE_MS + 15) / 1000
        )
        totals["read_units"] += emails * mail["read_units"]
        totals["write_units"] += emails * mail["write_units"]
    imported = ops["import per 1,000 voters"]
    import_writes = imported["write_units"] * VOTERS / 1000
    import_reads = imported["read_units"] * VOTERS / 1000

    cost = {
        "DynamoDB writes": (totals["write_units"] + import_writes) / 1e6 * PRICE["dynamodb_write_per_million"],
        "DynamoDB reads": (totals["read_units"] + import_reads) / 1e6 * PRICE["dynamodb_read_per_million"],
        "Lambda compute": totals["gb_seconds"] * PRICE["lambda_gb_second"],
        "Lambda requests": totals["lambda_requests"] / 1e6 * PRICE["lambda_requests_per_million"],
        "API Gateway": totals["api_requests"] / 1e6 * PRICE["api_gateway_per_million"],
        "SQS": totals["sqs"] / 1e6 * PRICE["sqs_per_million"],
        "SES": totals["ses"] / 1000 * PRICE["ses_per_thousand"],
        "CloudFront (assets, ~25 a page view, mostly from browser caches: 5 counted)": page_views
        * 5
        / 1e4
        * PRICE["cloudfront_https_per_10k"],
    }
    lines += [
        "## The whole election",
        "",
        f"{VOTERS:,} voters; {ESPACES_CREATED:.0%} create their espace ({espaces:,.0f}); turnout {TURNOUT:.0%}. Per espace: "
        + ", ".join(f"{v:g} × {k}" for k, v in JOURNEY.items())
        + f"; {PAGE_VIEWS_PER_ARRIVAL} HTML pages per sign-in. "
        + (
            f"Per voter who votes ({voting_voters:,.0f}): "
            + ", ".join(f"{v:g} × {k}" for k, v in VOTING_JOURNEY.items())
            + ", and a « vous avez voté » email per cast. "
            if voting_counted
            else "Voting is not in these figures (no measurement). "
        )
        + "The count (part 3) and the campaigns (below) are apart.",
        "",
        "| resource | per espace | whole election |",
        "|---|---|---|",
        f"| DynamoDB write units | {totals['write_units'] / espaces:.1f} | {totals['write_units']:,.0f} (+ {import_writes:,.0f} to import the lists) |",
        f"| DynamoDB read units | {totals['read_units'] / espaces:.1f} | {totals['read_units']:,.0f} (+ {import_reads:,.0f} to import) |",
        f"| Lambda GB-seconds | {totals['gb_seconds'] / espaces:.3f} | {totals['gb_seconds']:,.0f} |",
        f"| API Gateway requests | {totals['api_requests'] / espaces:.1f} | {totals['api_requests']:,.0f} |",
        f"| SQS requests | {totals['sqs'] / espaces:.1f} | {totals['sqs']:,.0f} |",
        f"| SES emails | {totals['ses'] / espaces:.2f} | {totals['ses']:,.0f} |",
        "",
    ]

    lines += campaigns_section(ops)
    for item, usd in campaign_cost(ops).items():
        cost[item] = usd

    # The opening rush.
    arrival = {k: ops[k] for k in ARRIVAL}
    lines += [
        "## The opening rush",
        "",
        "An arrival is a sign-in followed by the espace's two calls (`me`, `my ballots`) and "
        f"{PAGE_VIEWS_PER_ARRIVAL} HTML pages.",
        "",
        "| | peak minute | design target (× 10) |",
        "|---|---|---|",
    ]
    rows = {}
    for label, rate in (("peak", PEAK_SIGN_INS_PER_SECOND), ("design", PEAK_SIGN_INS_PER_SECOND * DESIGN_FACTOR)):
        busy_ms = sum(duration_ms(r, argon2) for r in arrival.values()) + PAGE_VIEWS_PER_ARRIVAL * CODE_MS
        rows[label] = {
            "arrivals": rate,
            "requests": rate * (len(ARRIVAL) + PAGE_VIEWS_PER_ARRIVAL),
            "concurrency": math.ceil(rate * busy_ms / 1000),
            "reads": rate * sum(r["read_units"] for r in arrival.values()),
            "writes": rate * sum(r["write_units"] for r in arrival.values()),
            "emails": rate * sum(ops["registration worker"]["ses"].values()),
        }
    for key, label in (
        ("arrivals", "arrivals per second"),
        ("requests", "API Gateway requests per second"),
        ("concurrency", "Lambda concurrency (rate × modelled duration)"),
        ("reads", "DynamoDB read units per second"),
        ("writes", "DynamoDB write units per second"),
        ("emails", "SES emails per second if every arrival were a new registration"),
    ):
        lines.append(f"| {label} | {rows['peak'][key]:,.0f} | {rows['design'][key]:,.0f} |")
    lines += [
        "",
        "What this asks of the account (docs/runbook.md): Lambda concurrency above "
        f"{rows['design']['concurrency']:,} (default 1,000); API Gateway above {rows['design']['requests']:,.0f} requests/s "
        "(default 10,000; the stage is throttled at 5,000/s, burst 10,000); tables pre-warmed for "
        f"{rows['design']['writes']:,.0f} write and {rows['design']['reads']:,.0f} read units/s (a new on-demand table "
        "starts at 4,000 writes/s); SES: the queue absorbs any excess over the account's send rate, so ask for at "
        "least 100/s and a daily quota of 1.5 M.",
        "",
    ]
    if all(name in ops for name in VOTING_ARRIVAL):
        lines += voting_rush_section(ops, argon2, verify_ms)
    lines += [
        f"## The bill (on-demand prices of {PRICES_DATE}, eu-west-3, 1 USD = {USD_TO_EUR} EUR)",
        "",
        "| item | USD | EUR |",
        "|---|---|---|",
    ]
    for item, usd in cost.items():
        lines.append(f"| {item} | {usd:,.2f} | {usd * USD_TO_EUR:,.2f} |")
    total = sum(cost.values())
    lines += [
        f"| **total for the election (accounts, campaigns, voting; the count apart)** | **{total:,.2f}** | **{total * USD_TO_EUR:,.2f}** |",
        "",
        "Not included: storage (about 1 KB a voter and 0.15 KB a list entry: a few GB, a few euros a "
        "month, point-in-time recovery doubling it), CloudWatch logs and alarms, data transfer out, "
        "and the free tiers (which would lower the figures).",
        "",
        "## Assumptions",
        "",
        f"- Lambda duration: {ROUND_TRIP_MS} ms per DynamoDB round trip, {CODE_MS} ms of our own code, 15 ms per SES "
        f"call, argon2 at {VCPU_AT_1024_MB} vCPU (1,024 MB). Page views cost {CODE_MS} ms.",
        "- Read units: eventually consistent reads count half, strongly consistent ones whole; Query counts "
        "its total size once. Write units: by item size, doubled in transactions and for tables with an "
        "index (voters, sessions, claims: an upper bound for the keys-only index).",
        f"- Prices: AWS's public on-demand prices as last known to us on {PRICES_DATE}; the build machine has no "
        "network to check AWS's price pages, so verify them before budgeting.",
    ]
    return "\n".join(lines) + "\n"


def voting_rush_section(ops: dict, argon2: dict, verify_ms: float) -> list[str]:
    """10:00 on day 1: every arrival signs in, types their code and casts three ballots."""
    cast = ops["cast"]
    busy_ms = sum(n * duration_ms(ops[k], argon2, verify_ms) for k, n in VOTING_ARRIVAL.items())
    busy_ms += VOTING_PAGE_VIEWS * CODE_MS
    requests = sum(VOTING_ARRIVAL.values()) + VOTING_PAGE_VIEWS
    casts = VOTING_ARRIVAL["cast"]
    mail = ops["registration worker"]  # the mail worker's path for one email, as a link's
    email_ms = ROUND_TRIP_MS * (mail["round_trips"] - 2) + CODE_MS + 15  # no link, no account
    drain_per_second = min(MAIL_WORKER_CONCURRENCY * 1000 / email_ms, SES_ACCOUNT_RATE)
    # A cast's write units by the partitions they land on (docs/data-model.md): the émargement
    # (2, transactional) over the sign-in list's 64 shards, a marker per option (2 each) over
    # 256, the ballot (the rest) over the box's 64.
    markers = 2 * CAST_OPTIONS
    cast_partitions = {
        "sign-in list": (2, 64),
        "ballots": (cast["write_units"] - 2 - markers, 64),
        "points": (markers, 256),
    }
    # A cast's write units by the partitions they land on (docs/data-model.md): the émargement
    # (2, transactional) over the sign-in list's 64 shards, a marker per option (2 each) over
    # 256, the ballot (the rest) over the box's 64.
    markers = 2 * CAST_OPTIONS
    cast_partitions = {
        "sign-in list": (2, 64),
        "ballots": (cast["write_units"] - 2 - markers, 64),
        "points": (markers, 256),
    }
    rows = {}
    for label, rate in (("peak", PEAK_SIGN_INS_PER_SECOND), ("design", PEAK_SIGN_INS_PER_SECOND * DESIGN_FACTOR)):
        rows[label] = {
            "arrivals": rate,
            "casts": rate * casts,
            "requests": rate * requests,
            "concurrency": math.ceil(rate * busy_ms / 1000),
            "reads": rate * sum(n * ops[k]["read_units"] for k, n in VOTING_ARRIVAL.items()),
            "writes": rate * sum(n * ops[k]["write_units"] for k, n in VOTING_ARRIVAL.items()),
            # Every arrival casts in the national scrutin: the heaviest partition of its tables.
            "shard_writes": max(rate * units / partitions for units, partitions in cast_partitions.values()),
            "cpu": rate * casts * verify_ms / 1000,
            "emails": rate * casts,
        }
    rush_emails = 0.2 * VOTERS * casts  # PRODUCT.md: 20 % of the voters in the first two hours

    def lag_hours(seconds: float) -> float:
        """How late the last email of the rush goes out if the rush lasts `seconds`."""
        return max(0.0, rush_emails - drain_per_second * seconds) / drain_per_second / 3600

    spread, packed = lag_hours(RUSH_HOURS * 3600), lag_hours(RUSH_HOURS * 3600 / DESIGN_FACTOR)
    lines = [
        "## The voting rush (10:00 on day 1)",
        "",
        f"Every arrival signs in and votes in three scrutins: {', '.join(f'{n} × {k}' for k, n in VOTING_ARRIVAL.items())}, "
        f"and {VOTING_PAGE_VIEWS} HTML pages. A cast verifies every proof of a ballot of {CAST_OPTIONS} options "
        f"({verify_ms:.1f} ms on one core here, {verify_ms / VCPU_AT_1024_MB:.0f} ms at 1,024 MB) and writes the "
        f"émargement and the ballot in one transaction: {cast['round_trips']} DynamoDB requests warm "
        f"(floor {cast.get('floor', '—')}), {cast['write_units']:.0f} write units, one SQS message.",
        "",
        "| | peak minute | design target (× 10) |",
        "|---|---|---|",
    ]
    for key, label in (
        ("arrivals", "arrivals per second"),
        ("casts", "casts per second"),
        ("requests", "API Gateway requests per second"),
        ("concurrency", "Lambda concurrency of the API (rate × modelled duration)"),
        ("cpu", "vCPU-seconds per second spent verifying proofs"),
        ("reads", "DynamoDB read units per second"),
        ("writes", "DynamoDB write units per second"),
        ("shard_writes", "write units per second on the busiest partition of the national scrutin (limit 1,000)"),
        ("emails", "« vous avez voté » emails queued per second"),
    ):
        lines.append(f"| {label} | {rows['peak'][key]:,.0f} | {rows['design'][key]:,.0f} |")
    lines += [
        "",
        "The sign-in list and the ballots are written in 64 shards per scrutin, the points (one marker per "
        "option, which keeps an `a_i` from repeating) in 256 (docs/data-model.md): per cast, "
        + ", ".join(f"{k} {u:.0f} write units over {n}" for k, (u, n) in cast_partitions.items())
        + ". In one partition per scrutin, the national scrutin would take "
        f"{rows['design']['arrivals'] * cast['write_units']:,.0f} write units a second at the design rate, beyond "
        "DynamoDB's 1,000 per partition.",
        "",
        f"**The « vous avez voté » emails lag behind the rush.** {MAIL_WORKER_CONCURRENCY} mail workers send about "
        f"{drain_per_second:.0f} emails a second (modelled {email_ms:.0f} ms each, within the account's "
        f"{SES_ACCOUNT_RATE}/s). The rush brings {rush_emails:,.0f} of them (20 % of the voters, three casts each): "
        f"spread over {RUSH_HOURS} hours as PRODUCT.md estimates, the last goes out {60 * spread:.0f} minutes late; "
        f"packed into {60 * RUSH_HOURS / DESIGN_FACTOR:.0f} minutes (the design rate), {packed:.1f} hours late. Nothing "
        "is lost (the queue keeps them 4 days, each is sent once), but a voter whose vote someone else cast "
        "should learn it at once. For the voting week: raise the mail worker's reserved concurrency with the "
        "account's SES rate (docs/runbook.md), pause campaigns during the opening hours, or send one email per "
        "voter for the votes of a session (issue 18).",
        "",
    ]
    return lines


def voting_section(voting: dict) -> list[str]:
    """EV1 (bench/voting.py): a ballot's cost in Python and in the booth's bundle, its size."""
    node = voting.get("node") or {"node": "—", "options": {}}
    lines = [
        "## Voting cryptography (EV1)",
        "",
        "A ballot of k options encrypted with its proofs and verified: in Python "
        "(`chalicelib.crypto.ballots`, as the server does before accepting a vote and the count again), and "
        f"in Node {node['node']} running the bundle the browsers download. Medians, one core of the build machine.",
        "",
        "| options | Python encrypt ms | Python verify ms | Node encrypt ms | Node verify ms | ballot JSON bytes |",
        "|---|---|---|---|---|---|",
    ]
    for row in voting["python"]:
        in_node = node["options"].get(str(row["options"]), {})
        js = [f"{in_node[k]:.1f}" if k in in_node else "—" for k in ("encrypt_ms_median", "verify_ms_median")]
        lines.append(
            f"| {row['options']} | {row['encrypt_ms_median']:.1f} | {row['verify_ms_median']:.1f} | {js[0]} | {js[1]} | "
            f"{row['ballot_bytes']:,} |"
        )
    eight = next((row for row in voting["python"] if row["options"] == 8), None)
    bundle = voting["bundle"]
    if eight:
        hours = eight["verify_ms_median"] * 1e6 / 3.6e6
        lines += [
            "",
            f"Verifying a million ballots of 8 options: {hours:.1f} CPU-hours (once on arrival, once at the count).",
        ]
    count = voting.get("count")
    if count:
        rate = count["per_core_per_second"]  # a worker at 1,769 MB has one full vCPU
        minutes = COUNT_BALLOTS_NATIONAL / (COUNT_WORKERS * rate) / 60
        largest_shard = VOTERS / 64  # a scrutin of every voter, all of them voting
        worker_seconds = COUNT_BALLOTS_NATIONAL / rate
        bill = worker_seconds * COUNT_WORKER_MEMORY_GB * PRICE["lambda_gb_second"] * USD_TO_EUR
        lines += [
            "",
            f"The count re-verifies every ballot (`crypto.tally.verified_sums`): {count['per_core_per_second']:.0f} "
            f"ballots of 8 options a second on one core here, as many on a count worker (1,769 MB: one vCPU). "
            f"{COUNT_BALLOTS_NATIONAL / 1e6:.1f} M ballots on {COUNT_WORKERS} workers (the count queue's maximum "
            f"concurrency): about {minutes:.0f} minutes of verification, the 64 shards of each scrutin being the "
            f"work items (the reads add a page of ~300 ballots per round trip). The largest shard, a scrutin of all "
            f"{VOTERS:,} voters at full turnout, holds {largest_shard:,.0f} ballots: "
            f"{largest_shard / rate:.0f} s, within the worker's {COUNT_WORKER_TIMEOUT_SECONDS} s. The whole count is "
            f"{worker_seconds / 3600:.1f} worker-hours, about {bill:.2f} € of Lambda. The verifier on this machine: "
            f"{count['all_cores_per_second']:.0f} ballots a second on {count['cores']} cores, "
            f"{COUNT_BALLOTS_NATIONAL / count['all_cores_per_second'] / 3600:.1f} hours for the same record.",
        ]
    published = (count or {}).get("publication")
    if published:
        record_bytes = COUNT_BALLOTS_NATIONAL * published["ballot_bytes"]
        buckets_bytes = COUNT_BALLOTS_NATIONAL * published["bucket_bytes_per_ballot"]
        # On-demand writes: one write unit per KB of an item; every page and bucket written once.
        write_units = (record_bytes + buckets_bytes) / 1024
        bill = write_units / 1e6 * PRICE["dynamodb_write_per_million"] * USD_TO_EUR
        lines += [
            "",
            f"The publication (`bureau publish`): a ballot of 8 options is {published['ballot_bytes']:,.0f} bytes of "
            f"`ballots/<σ>.jsonl`, so the national record is about {record_bytes / 1e9:.1f} GB, "
            f"{record_bytes / PUBLIC_RECORD_PAGE_BYTES:,.0f} pages of 256 KB on the portal. Its receipts' index "
            f"(`services.public_record.ReceiptBuckets`) takes {published['with_buckets_per_second']:,.0f} ballots a "
            f"second here and {published['peak_bytes_per_ballot']:.0f} bytes of memory a ballot: "
            f"{COUNT_BALLOTS_NATIONAL / published['with_buckets_per_second'] / 60:.0f} minutes and "
            f"{COUNT_BALLOTS_NATIONAL * published['peak_bytes_per_ballot'] / 2**20:,.0f} MiB for "
            f"{COUNT_BALLOTS_NATIONAL / 1e6:.1f} M ballots (measured on {published['ballots']:,}). Writing the record "
            f"and its buckets to the portal's table is about {write_units / 1e6:.1f} M write units, "
            f"{bill:.2f} € on demand, once.",
        ]
    lines += [
        "",
        f"The booth's bundle (`{bundle['path']}`, built by `make static`): {bundle['bytes']:,} bytes, "
        f"{bundle['gzip_bytes']:,} gzipped ({bundle['gzip_bytes'] / 1024:.1f} KiB); SHA-256 `{bundle['sha256']}`.",
        "",
    ]
    return lines


COUNT_BALLOTS_NATIONAL = 4_400_000  # 1.1 M voters, 4 scrutins voted each on average (VOTING.md)
COUNT_WORKERS = 100  # COUNT_WORKER_CONCURRENCY (workers/counting.py)
COUNT_WORKER_MEMORY_GB = BY_HANDLER["count_box_shard"].memory / 1024  # Lambda bills by the GiB
COUNT_WORKER_TIMEOUT_SECONDS = BY_HANDLER["count_box_shard"].timeout
PUBLIC_RECORD_PAGE_BYTES = PAGE_BYTES
PUT_MS_ON_AWS = 10  # a conditional PutItem's round trip from the administrator's machine, modelled
CODE_WRITERS = 8  # services/voter_codes.WRITERS


def notices_section(notices: dict) -> list[str]:
    """`voter-codes generate` for the whole roll (bench/notices.py, measured at 100,000 voters)."""
    n = notices["voters"]
    scale = VOTERS / n
    per_page = notices["pdf_bytes"] / max(notices["pdf_pages"], 1)
    walk_aws_minutes = VOTERS * PUT_MS_ON_AWS / CODE_WRITERS / 60_000
    files_minutes = notices["files_seconds"] * scale / 60
    requests = ", ".join(f"{k} {v:g}" for k, v in notices["dynamodb_requests_per_1000_voters"].items())
    return [
        "## Voter codes and their notices",
        "",
        f"`voter-codes generate` measured by `python -m bench.notices --voters {n:,}` "
        f"({notices['measured_at']}, {notices['machine']}): {notices['codes_generated']:,} codes in "
        f"{notices['generate_seconds']:.0f} s. The walk (voters read, codes staged, HMACs written) took "
        f"{notices['walk_seconds']:.0f} s ({notices['walk_voters_per_second']:,} voters/s on moto; the process grew by "
        f"{notices['walk_rss_growth_mib']:.0f} MiB, moto storing the codes among it); the files took "
        f"{notices['files_seconds']:.0f} s ({notices['notices_per_second']:,} notices/s), growing the process by "
        f"{notices['files_rss_growth_mib']:.1f} MiB: the memory does not follow the roll.",
        "",
        f"DynamoDB per 1,000 voters: {requests}. Files: {notices['csv_files']} CSV "
        f"({notices['csv_bytes'] / 1e6:.1f} MB), {notices['pdf_files']} PDFs of {notices['pdf_pages']:,} pages "
        f"({notices['pdf_bytes'] / 1e6:.0f} MB, {per_page / 1024:.1f} KiB a page, Flate-compressed).",
        "",
        f"For the {VOTERS:,} voters: {VOTERS * per_page / 1e9:.1f} GB of PDFs; the files in about "
        f"{files_minutes:.0f} minutes on one core; on AWS the walk is bound by the conditional PutItems, "
        f"{CODE_WRITERS} in flight at about {PUT_MS_ON_AWS} ms each: about {walk_aws_minutes:.0f} minutes "
        f"(and {VOTERS:,} write units: {VOTERS / 1e6 * PRICE['dynamodb_write_per_million'] * USD_TO_EUR:.2f} € on "
        "demand).",
        "",
    ]


def campaign_totals(ops: dict) -> dict:
    """Requests and units of the three campaigns over the whole roll (walk + emails)."""
    walk, email = ops["campaign walk per 1,000 voters"], ops["invitation email"]
    totals = {"emails": 0.0, "read_units": 0.0, "write_units": 0.0, "sqs": 0.0, "gb_seconds": 0.0, "lambda": 0.0}
    email_ms = ROUND_TRIP_MS * email["round_trips"] + CODE_MS + 15
    page_ms = ROUND_TRIP_MS * walk["round_trips"] / 10 + CODE_MS  # per page of 100 voters
    for share in CAMPAIGNS.values():
        emails = VOTERS * share
        totals["emails"] += emails
        # The walk reads the whole roll; its writes are one entry per voter it queues.
        queued_share = walk["queued_per_thousand"] / 1000 or 1
        totals["read_units"] += walk["read_units"] * VOTERS / 1000 + email["read_units"] * emails
        totals["write_units"] += (
            walk["write_units"] / queued_share * share * VOTERS / 1000 + email["write_units"] * emails
        )
        # Emails go ten to a request (sent, received, deleted); each page of 100 voters: its
        # continuation sent, received, deleted, and the mail queue's depth read.
        totals["sqs"] += 3 * emails / 10 + 4 * VOTERS / 100
        totals["gb_seconds"] += WORKER_MEMORY_GB * (emails * email_ms + VOTERS / 100 * page_ms) / 1000
        totals["lambda"] += emails / 10 + VOTERS / 100
    return totals


def campaigns_section(ops: dict) -> list[str]:
    email = ops["invitation email"]
    rate = SES_ACCOUNT_RATE * CAMPAIGN_SHARE
    workers = max(2, math.ceil(rate / CAMPAIGN_WORKER_RATE))
    totals = campaign_totals(ops)
    lines = [
        "## Invitation campaigns",
        "",
        f"An invitation to every voter not in yet, then two reminders: {', '.join(f'{k} {v:.0%}' for k, v in CAMPAIGNS.items())} "
        f"of the {VOTERS:,} voters. At {SES_ACCOUNT_RATE} emails/s for the account, campaigns take "
        f"{CAMPAIGN_SHARE:.0%} ({rate:.0f}/s: {workers} workers of {CAMPAIGN_WORKER_RATE}/s each) and the voters' own "
        "links keep the rest.",
        "",
        "| campaign | emails | duration at the campaign rate |",
        "|---|---|---|",
    ]
    for name, share in CAMPAIGNS.items():
        emails = VOTERS * share
        hours = emails / rate / 3600
        lines.append(f"| {name} | {emails:,.0f} | {int(hours)} h {round(60 * (hours % 1)):02d} min |")
    lines += [
        "",
        f"One email: {email['round_trips']} DynamoDB requests (floor {email.get('floor', '—')}), "
        f"{email['read_units']:.1f} read and {email['write_units']:.1f} write units, 1 SES email; the walk reads the "
        "whole roll once per campaign (a parallel Scan, pages of 100 with two BatchGetItem each).",
        "",
        "| resource | three campaigns |",
        "|---|---|",
        f"| SES emails | {totals['emails']:,.0f} |",
        f"| DynamoDB read units | {totals['read_units']:,.0f} |",
        f"| DynamoDB write units | {totals['write_units']:,.0f} |",
        f"| SQS requests | {totals['sqs']:,.0f} |",
        f"| Lambda GB-seconds | {totals['gb_seconds']:,.0f} |",
        "",
    ]
    return lines


def campaign_cost(ops: dict) -> dict:
    totals = campaign_totals(ops)
    return {
        "Campaigns (three): DynamoDB": totals["write_units"] / 1e6 * PRICE["dynamodb_write_per_million"]
        + totals["read_units"] / 1e6 * PRICE["dynamodb_read_per_million"],
        "Campaigns (three): SES": totals["emails"] / 1000 * PRICE["ses_per_thousand"],
        "Campaigns (three): Lambda and SQS": totals["gb_seconds"] * PRICE["lambda_gb_second"]
        + totals["lambda"] / 1e6 * PRICE["lambda_requests_per_million"]
        + totals["sqs"] / 1e6 * PRICE["sqs_per_million"],
    }


def main() -> int:
    PAGE.write_text(build(json.loads(RESULTS.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
