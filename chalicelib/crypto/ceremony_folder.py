"""The ceremony folder: how the bureau's CLI and the key holders' tool hand each other files.

One folder per bureau, copied on a USB stick or shared however the bureau likes. The bureau
writes what everyone needs at the top; each key holder drops their own messages in `depot/`,
named after their place in the roster, and never touches anything else:

    roster.json          the bureau and its key holders (written by `bureau ceremony`)
    round1.json          every round-1 message and the ceremony hash, once all are in
    round2.json          every round-2 message, once all are in
    trustees.json        the ceremony's outcome (VOTING.md's record), then election.json
    seal-manifest.json   what the key holders sign (`bureau seal`), then seal-open.json
    tally.json           the sealed sums after the close (part of the count)
    depot/round1-del-3.json, round2-…, round3-…, complaint-…, seal-…, partial-…

Files are written whole to a temporary name and renamed, so a stick pulled out early leaves
either the old file or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

ROSTER = "roster.json"
ROUND1 = "round1.json"
ROUND2 = "round2.json"
TRUSTEES = "trustees.json"
ELECTION = "election.json"
SEAL_MANIFEST = "seal-manifest.json"
SEAL_OPEN = "seal-open.json"
TALLY = "tally.json"
DEPOT = "depot"

KINDS = ("round1", "round2", "round3", "complaint", "seal", "partial")


def deposit_name(kind: str, label: str) -> str:
    return f"{kind}-{label}.json"


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, document, mode: int = 0o644) -> None:
    write_bytes(path, (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode(), mode)


def read_json(path: Path):
    """The document, or None if the file is absent; ValueError if it is not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


def deposit(folder: Path, kind: str, label: str, message) -> Path:
    path = folder / DEPOT / deposit_name(kind, label)
    write_json(path, message)
    return path


def deposits(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every file in depot/ that looks like a deposit, in name order."""
    found = []
    for path in sorted((folder / DEPOT).glob("*.json")):
        kind = path.name.split("-", 1)[0]
        if kind in KINDS:
            found.append((kind, path))
    return found
