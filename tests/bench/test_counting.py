"""The benchmark's counting (not its timings: those belong to `make bench`)."""

import json

import boto3

from bench.capacity import build
from bench.counting import counting, fresh_sessions, item_size


def test_item_sizes_follow_dynamodbs_rules():
    assert item_size({"id": {"S": "abc"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 4  # about one byte per two digits, plus one
    assert item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + 1 + 1 + 1


def test_requests_and_units_are_counted_from_botocore_calls(aws):
    fresh_sessions()
    dynamodb = boto3.client("dynamodb", region_name="eu-west-3")
    with counting() as counts:
        dynamodb.put_item(TableName="test-ballots", Item={"ballot_id": {"S": "A"}, "label": {"S": "x" * 2000}})
        dynamodb.get_item(TableName="test-ballots", Key={"ballot_id": {"S": "A"}})
        dynamodb.get_item(TableName="test-ballots", Key={"ballot_id": {"S": "A"}}, ConsistentRead=True)
    assert dict(counts.dynamodb) == {"PutItem": 1, "GetItem": 2}
    assert counts.write_units == 2  # 2 KB: two write units
    assert counts.read_units == 0.5 + 1  # eventually consistent reads count half
    assert counts.items_read == 2 and counts.bytes_written > 2000


def test_the_capacity_page_is_built_from_results(tmp_path):
    row = {
        "dynamodb": {"GetItem": 3},
        "round_trips": 3,
        "read_units": 1.5,
        "write_units": 0.0,
        "items_read": 3,
        "items_written": 0,
        "bytes_read": 900,
        "bytes_written": 0,
        "sqs": {},
        "ses": {},
        "cpu_ms_median": 1.0,
        "latency_ms_median": 2.0,
        "latency_ms_p95": 3.0,
        "runs": 1,
    }
    names = [
        "import per 1,000 voters",
        "registration request",
        "registration worker",
        "token check",
        "password creation",
        "sign-in",
        "sign-out",
        "me",
        "my ballots",
        "electoral-list page",
        "claim",
        "invitation email",
    ]
    operations = [{**row, "operation": name} for name in names]
    operations.append({**row, "operation": "campaign walk per 1,000 voters", "queued_per_thousand": 900})
    results = {
        "measured_at": "2026-11-29T00:00:00+00:00",
        "machine": "test",
        "operations": operations,
        "cold_start": {
            "import_app_ms": 100,
            "import_bare_ms": 90,
            "ratio": 1.1,
            "import_app_from_source_ms": 120,
            "ratio_from_source": 1.33,
            "python": "3.11.7",
        },
        "argon2": {"memory_kib": 19456, "time_cost": 2, "parallelism": 1, "hash_ms_median": 35, "verify_ms_median": 35},
    }
    page = build(json.loads(json.dumps(results)))
    assert "| me | GetItem 3 | — | 1.5 |" in page
    assert "## The bill" in page and "1,100,000 voters" in page
    assert "| invitation | 1,067,000 | 1 h 51 min |" in page and "Campaigns (three): SES" in page


def test_the_capacity_page_has_the_voting_costs_when_measured():
    from bench.capacity import voting_section

    row = {"encrypt_ms_median": 7.0, "verify_ms_median": 5.0, "ballot_bytes": 3845, "runs": 3}
    voting = {
        "python": [{**row, "options": k} for k in (2, 8, 13)],
        "node": {"node": "v20", "options": {"8": {"encrypt_ms_median": 22.0, "verify_ms_median": 80.0}}},
        "bundle": {"path": "chalicelib/static/booth/ev1.js", "bytes": 41934, "gzip_bytes": 16882, "sha256": "ab"},
    }
    page = "\n".join(voting_section(voting))
    assert "| 8 | 7.0 | 5.0 | 22.0 | 80.0 | 3,845 |" in page and "| 2 | 7.0 | 5.0 | — | — |" in page
    assert "a million ballots of 8 options: 1.4 CPU-hours" in page
    assert "41,934 bytes, 16,882 gzipped (16.5 KiB)" in page
