"""EV1's costs: a ballot encrypted and verified in Python (chalicelib.crypto.ballots, what the
server does before accepting a vote and the count does again), the same bundle the browsers
download run in Node, and that bundle's size. Part of `make bench` (bench/run.py); alone,
`python -m bench.voting` measures only this and updates the "voting" entry of results.json.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
OPTIONS = (2, 8, 13)

# The bundle's ES module run in Node: encrypt and verify, RUNS times per size, medians in ms.
NODE_SCRIPT = """
import * as ev1 from "./ev1.mjs";
const [publicKey, phi, runs, ...sizes] = process.argv.slice(2);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = {};
for (const options of sizes.map(Number)) {
  const p = { publicKey, phi, scrutin: "B-1", options };
  ev1.encryptBallot({ ...p, choice: 0 });
  const encrypt = [], verify = [];
  for (let run = 0; run < Number(runs); run++) {
    let t = performance.now();
    const ballot = ev1.encryptBallot({ ...p, choice: run % options });
    encrypt.push(performance.now() - t);
    t = performance.now();
    ev1.verifyBallot(ballot, p);
    verify.push(performance.now() - t);
  }
  out[options] = { encrypt_ms_median: median(encrypt), verify_ms_median: median(verify) };
}
console.log(JSON.stringify(out));
"""


def _python_timings(public_key, phi: bytes) -> list[dict]:
    from chalicelib.crypto import ballots

    rows = []
    for options in OPTIONS:
        encrypt, verify = [], []
        for run in range(RUNS):
            started = time.perf_counter()
            ballot = ballots.encrypt(
                public_key=public_key, phi=phi, scrutin="B-1", options=options, choice=run % options
            )
            encrypt.append(time.perf_counter() - started)
            started = time.perf_counter()
            ballots.verify(ballot, public_key=public_key, phi=phi, scrutin="B-1", options=options)
            verify.append(time.perf_counter() - started)
        rows.append(
            {
                "options": options,
                "encrypt_ms_median": 1000 * statistics.median(encrypt),
                "verify_ms_median": 1000 * statistics.median(verify),
                "ballot_bytes": len(json.dumps(ballot, separators=(",", ":"))),
                "runs": RUNS,
            }
        )
    return rows


def _node_timings(bundle: Path, public_key: str, phi: str) -> dict | None:
    node = shutil.which("node")
    if node is None or not bundle.is_file():
        return None
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(bundle, Path(work) / "ev1.mjs")
        (Path(work) / "bench.mjs").write_text(NODE_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            [node, "bench.mjs", public_key, phi, str(RUNS), *map(str, OPTIONS)],
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    return {
        "node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip(),
        "options": json.loads(done.stdout),
    }


COUNT_BALLOTS = 8 * RUNS  # 8-option ballots counted, to time the count and the verifier


def _count_timings(public_key, phi: bytes) -> dict:
    """The count's work per core (crypto.tally.verified_sums: every proof, the sums) and the
    verifier's over every core of this machine, in ballots of 8 options per second."""
    from concurrent.futures import ProcessPoolExecutor

    from chalicelib.crypto import ballots
    from chalicelib.crypto.tally import verified_sums

    cast = [
        ballots.encrypt(public_key=public_key, phi=phi, scrutin="B", options=8, choice=i % 8)
        for i in range(COUNT_BALLOTS)
    ]
    lines = [json.dumps(b) for b in sorted(cast, key=lambda b: b["nonce"])]
    started = time.perf_counter()
    verified_sums(lines, public_key=public_key, phi=phi, scrutin="B", options=8)
    one_core = COUNT_BALLOTS / (time.perf_counter() - started)
    cores = os.cpu_count() or 1
    chunks = [lines[i::cores] for i in range(cores)]  # each sorted, as the verifier's chunks are
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_verify_chunk, [(c, public_key.hex(), phi) for c in chunks[:1]]))  # warm the workers
        started = time.perf_counter()
        list(pool.map(_verify_chunk, [(c, public_key.hex(), phi) for c in chunks]))
        every_core = COUNT_BALLOTS / (time.perf_counter() - started)
    return {"ballots": COUNT_BALLOTS, "options": 8, "per_core_per_second": one_core, "cores": cores,
            "all_cores_per_second": every_core, "publication": _publication_timings(lines, phi)}  # fmt: skip


PUBLISHED_BALLOTS = 100_000  # the counted ballots again and again: a box file of this many lines


def _publication_timings(lines: list[str], phi: bytes) -> dict:
    """`bureau publish`'s own work on a box file of 8-option ballots: the receipts' index
    (`services.public_record.ReceiptBuckets`: a receipt per ballot, in its bucket), its time and
    memory, and the bytes a ballot takes in the record (its pages on the portal)."""
    import tempfile
    import tracemalloc

    from chalicelib.services.public_record import ReceiptBuckets, prefix_length

    data = "".join(line + "\n" for line in lines).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "B.jsonl"
        with path.open("wb") as out:
            for _ in range(PUBLISHED_BALLOTS // len(lines)):
                out.write(data)
        ballots = PUBLISHED_BALLOTS // len(lines) * len(lines)
        started = time.perf_counter()
        buckets = ReceiptBuckets(prefix_length(ballots))
        buckets.add_file(path, phi)
        indexed = time.perf_counter() - started
        written = sum(len(text) for _, text in buckets.texts())
        elapsed = time.perf_counter() - started
        del buckets
        tracemalloc.start()  # again, for its memory only: tracing slows it several times over
        traced = ReceiptBuckets(prefix_length(ballots))
        traced.add_file(path, phi)
        for _ in traced.texts():
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "ballots": ballots,
        "index_per_second": ballots / indexed,
        "with_buckets_per_second": ballots / elapsed,
        "peak_bytes_per_ballot": peak / ballots,
        "bucket_bytes_per_ballot": written / ballots,
        "ballot_bytes": len(data) / len(lines),
    }


def _verify_chunk(arguments) -> int:
    from chalicelib.crypto.group import point_from_hex
    from chalicelib.crypto.tally import verified_sums

    lines, key, phi = arguments
    return verified_sums(lines, public_key=point_from_hex(key), phi=phi, scrutin="B", options=8).ballots


def measure() -> dict:
    from chalicelib.crypto.group import G, hash_to_scalar
    from chalicelib.web import site

    public_key = hash_to_scalar("bench-key", b"make bench") * G
    phi = hashlib.sha256(b'{"v":1,"uuid":"bench"}\n').digest()
    bundle = site.STATIC / site.BOOTH_BUNDLE
    raw = bundle.read_bytes() if bundle.is_file() else b""
    return {
        "python": _python_timings(public_key, phi),
        "count": _count_timings(public_key, phi),
        "node": _node_timings(bundle, public_key.hex(), phi.hex()),
        "bundle": {
            "path": f"chalicelib/static/{site.BOOTH_BUNDLE}",
            "bytes": len(raw),
            "gzip_bytes": len(gzip.compress(raw, compresslevel=9, mtime=0)) if raw else 0,
            "sha256": hashlib.sha256(raw).hexdigest() if raw else None,
        },
    }


def summary(voting: dict) -> str:
    lines = [f"{'EV1 ballot':<14}{'Python encrypt':>16}{'Python verify':>15}{'Node encrypt':>14}{'Node verify':>13}"]
    node = (voting.get("node") or {}).get("options", {})
    for row in voting["python"]:
        in_node = node.get(str(row["options"]), {})
        lines.append(
            f"{row['options']:>2} options{'':<4}{row['encrypt_ms_median']:>13.1f} ms{row['verify_ms_median']:>12.1f} ms"
            f"{in_node.get('encrypt_ms_median', float('nan')):>11.1f} ms{in_node.get('verify_ms_median', float('nan')):>10.1f} ms"
        )
    count = voting.get("count")
    if count:
        lines.append(
            f"count: {count['per_core_per_second']:.0f} ballots of 8 options a second on one core; "
            f"verifier: {count['all_cores_per_second']:.0f} a second on {count['cores']} cores"
        )
    bundle = voting["bundle"]
    lines.append(
        f"booth bundle: {bundle['bytes']:,} bytes, {bundle['gzip_bytes']:,} gzipped (sha256 {bundle['sha256']})"
    )
    return "\n".join(lines)


def main() -> int:
    voting = measure()
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results["voting"] = voting
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary(voting))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)} (its other entries are left as they were)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
