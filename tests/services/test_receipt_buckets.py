"""The receipts' buckets of the public record, kept 34 bytes a ballot: each bucket holds exactly
the receipts whose short code starts with its prefix, sorted by (ρ, scrutin), every bucket
written even when empty; a box file's ballots are counted by its lines."""

from __future__ import annotations

import json
import os

from chalicelib.crypto import ballots as ev1
from chalicelib.services.public_record import ReceiptBuckets, _lines, all_buckets, prefix_length

PHI = bytes(range(32))


def _ballot(scrutin: str) -> dict:
    """A ballot's public fields (random hex: the receipt hashes them, it does not decode points)."""
    hex32 = lambda: os.urandom(32).hex()  # noqa: E731
    return {
        "scrutin": scrutin,
        "nonce": hex32(),
        "choices": [{"a": hex32(), "b": hex32()} for _ in range(3)],
        "proofs": [{"c0": hex32(), "c1": hex32(), "s0": hex32(), "s1": hex32()} for _ in range(3)],
        "sum_proof": {"c": hex32(), "s": hex32()},
    }


def test_each_bucket_holds_exactly_its_receipts_sorted_and_every_bucket_is_written(tmp_path):
    boxes = {"CSA-MEN": [_ballot("CSA-MEN") for _ in range(300)], "CAP": [_ballot("CAP") for _ in range(40)]}
    paths = []
    for scrutin, cast in boxes.items():
        path = tmp_path / f"{scrutin}.jsonl"
        path.write_text("".join(json.dumps(b) + "\n" for b in cast))
        paths.append(path)
    length = prefix_length(340)
    buckets = ReceiptBuckets(length)
    for path in paths:
        buckets.add_file(path, PHI)
    written = dict(buckets.texts())
    assert list(written) == list(all_buckets(length))  # every bucket, empty ones included
    expected: dict[str, list] = {prefix: [] for prefix in all_buckets(length)}
    for scrutin, cast in boxes.items():
        for ballot in cast:
            rho = ev1.receipt_of_published(ballot, PHI)
            expected[ev1.crockford_base32(rho)[:length]].append([rho.hex(), scrutin])
    for prefix, text in written.items():
        assert json.loads(text) == {"prefix": prefix, "receipts": sorted(expected[prefix])}
    assert sum(len(b) for b in buckets.buckets.values()) == 340 * ReceiptBuckets.RECORD


def test_a_box_file_is_counted_by_its_lines_with_or_without_a_final_line_end(tmp_path):
    path = tmp_path / "box.jsonl"
    for data, count in ((b"", 0), (b"{}\n", 1), (b"{}\n{}", 2), (b"{}\n" * 5, 5)):
        path.write_bytes(data)
        assert _lines(path) == count
