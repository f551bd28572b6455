"""The verifier reads a box as a stream: its lines in windows of work items, hashed as they
are read, and its points a_i kept 32 bytes each in buckets, where any repeat is found."""

from __future__ import annotations

import hashlib
import os

from verifier.checks import PointSet, _windows


def test_a_repeated_point_is_found_in_any_bucket_and_only_then():
    points = [os.urandom(32) for _ in range(5_000)]
    seen = PointSet()
    seen.add_all(points[:2_500])
    seen.add_all(points[2_500:])
    assert not seen.has_repeat()
    seen.add_all([points[1_234]])  # the same a_i again, in a later work item
    assert seen.has_repeat()
    near = PointSet()
    near.add_all([b"\x07" + b"\x00" * 31, b"\x07" + b"\x00" * 30 + b"\x01"])  # same bucket, not equal
    assert not near.has_repeat()


def test_windows_cover_every_line_once_and_hash_the_exact_bytes(tmp_path):
    path = tmp_path / "box.jsonl"
    data = b"".join(b'{"n":%d}\n' % n for n in range(23)) + b'{"n":23}'  # no final line end
    path.write_bytes(data)
    digest = hashlib.sha256()
    windows = list(_windows(path, digest, chunk=5, per_window=2))
    assert [len(w) for w in windows] == [2, 2, 1]
    lines = [line for window in windows for item in window for line in item]
    assert lines == [b'{"n":%d}' % n for n in range(24)] and digest.digest() == hashlib.sha256(data).digest()
