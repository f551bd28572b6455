"""The ballot box exported for the public record: `ballots/<σ>.jsonl`, every ballot as stored, one
a line, sorted by nonce (VOTING.md), and the box's backup at the close.

This module reads the box and nothing else: no voter, no sign-in entry (pyproject.toml's
import-linter contracts). It runs after the close plus the grace, when the box can no longer
change; never for a request.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.store import ballot_box


def export_box(ballot_id: str, folder: Path) -> tuple[int, str]:
    """`ballots/<σ>.jsonl` written from the box (to a temporary name, then renamed); its number
    of ballots and SHA-256. Memory: a page of each of the box's 64 shards."""
    (folder / files.BALLOTS).mkdir(parents=True, exist_ok=True)
    path = folder / files.BALLOTS / f"{ballot_id}.jsonl"
    temporary = path.with_name(f".{path.name}.tmp")
    digest, count = hashlib.sha256(), 0
    with open(temporary, "wb") as out:
        for ballot in ballot_box.ballots_in_order(ballot_id):
            line = ballot.encode("utf-8") + b"\n"
            digest.update(line)
            out.write(line)
            count += 1
    temporary.replace(path)
    return count, digest.hexdigest()


def back_up(name: str) -> str:
    """An on-demand backup of the box table (its ARN)."""
    return ballot_box.back_up(name)
