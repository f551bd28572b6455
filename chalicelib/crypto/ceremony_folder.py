"""The ceremony folder: how the bureau's CLI and the key holders' tool hand each other files.

One folder per bureau, copied on a USB stick or shared however the bureau likes. The bureau
writes what everyone needs at the top; each key holder drops their own messages in `depot/`,
named after their place in the roster, and never touches anything else:

    roster.json          the bureau and its key holders (written by `bureau ceremony`)
    round1.json          every round-1 message and the ceremony hash, once all are in
    round2.json          every round-2 message, once all are in
    trustees.json        the ceremony's outcome (VOTING.md's record), then election.json
    seal-manifest.json   what the key holders sign (`bureau seal`), then seal-open.json
    seal-close-manifest.json, seal-close.json   after the close: per scrutin, ballots,
                         émargements and the ballots file's SHA-256, signed by the key holders
    ballots/<scrutin>.jsonl   the sealed box, one ballot a line, sorted by nonce
    tally.json           the sums the count computed (the key holders recompute them)
    depot/round1-del-3.json, round2-…, round3-…, complaint-…, seal-…, close-…, partial-…

Files are written whole to a temporary name and renamed, so a stick pulled out early leaves
either the old file or the new one. The folder comes from other hands: a file is read only if
it is a regular file (not a link, a directory or a device) of at most 8 MiB, and a deposit is
never written through a `depot` that is a link.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

ROSTER = "roster.json"
ROUND1 = "round1.json"
ROUND2 = "round2.json"
TRUSTEES = "trustees.json"
ELECTION = "election.json"
SEAL_MANIFEST = "seal-manifest.json"
SEAL_OPEN = "seal-open.json"
SEAL_CLOSE_MANIFEST = "seal-close-manifest.json"
SEAL_CLOSE = "seal-close.json"
BALLOTS = "ballots"  # ballots/<scrutin>.jsonl, sorted by nonce
TALLY = "tally.json"
DEPOT = "depot"
MAX_BYTES = 8 * 1024 * 1024

KINDS = ("round1", "round2", "round3", "complaint", "seal", "close", "partial")


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


class UnsafeFolder(ValueError):
    """A `depot` that is a link, or something that is not a folder."""


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None if it is absent; ValueError if it is not a regular file of
    at most MAX_BYTES (a link, a directory, a device, a pipe) or cannot be read."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ValueError(str(error)) from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        raise ValueError("not a regular file")
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise ValueError(str(error)) from None
    if len(data) > MAX_BYTES:
        raise ValueError("too large")
    return data


def read_json(path: Path):
    """The document, or None if the file is absent; ValueError if it is not a regular file of
    UTF-8 JSON (RecursionError and decoding errors included)."""
    data = read_bytes(path)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError) as error:
        raise ValueError(str(error)) from None


def deposit(folder: Path, kind: str, label: str, message) -> Path:
    depot = folder / DEPOT
    if depot.is_symlink() or (depot.exists() and not depot.is_dir()):
        raise UnsafeFolder(str(depot))
    path = depot / deposit_name(kind, label)
    write_json(path, message)
    return path


def deposits(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every file in depot/ that looks like a deposit, in name order."""
    found = []
    depot = folder / DEPOT
    if depot.is_symlink() or not depot.is_dir():
        return []
    for path in sorted(depot.glob("*.json")):
        kind = path.name.split("-", 1)[0]
        if kind in KINDS:
            found.append((kind, path))
    return found
