"""The public record on the portal: put there by `bureau publish`, served read-only to anyone.

`bureau publish` first writes the record's folder (`services.publication`); this copies that
folder, as written, into the public-record table (`store.public_record`), in pages of at most
256 KB whose concatenation is each file's exact bytes, then an index (`index.json`): the
files with their size, SHA-256 and pages, and the receipts' prefix length. The index is
written last and once: until it exists nothing is served, so a record half copied is never
seen, and a later publish that would serve anything else is refused.

The receipts. A voter checks that their ballot is in the box by its receipt (VOTING.md), but
asking the server "is ρ there?" would tell it (and its logs) which ballot is whose, from an IP
address. So the page asks for a bucket instead: every receipt whose short code begins with the
same `prefix_length` characters, and looks for the voter's among them in the browser. The
length is chosen so that a bucket holds about 100 receipts or more (one character for a small
election, three for 4.4 million ballots: 134 a bucket): the server learns only that the voter
is one of a hundred. Every bucket exists, empty or not, so a lookup never says "not
published" for a bucket nobody fell in.

Round trips: a page, a bucket or the index is one BatchGetItem of the item and the index
(the index says the record is published, and which pages exist).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chalicelib.crypto import ballots as ev1
from chalicelib.crypto import ceremony_folder as files
from chalicelib.domain.errors import RecordFileNotFound, RecordNotPublished
from chalicelib.store import public_record as store

BUCKET_TARGET = 100  # receipts a bucket should hold at least, on average
SHORT_CODE = 10  # characters of the short receipt (VOTING.md)


class RecordChanged(Exception):
    """A record is already published for this election, and this one differs from it."""


def prefix_length(receipts: int) -> int:
    """Characters of the short code a bucket shares: at least 1, and as many as keep about
    `BUCKET_TARGET` receipts a bucket (32 buckets per character)."""
    if receipts < BUCKET_TARGET * 32:
        return 1
    return max(1, math.floor(math.log(receipts / BUCKET_TARGET, 32)))


def bucket_of(rho: bytes, length: int) -> str:
    return ev1.crockford_base32(rho)[:length]


def all_buckets(length: int) -> Iterator[str]:
    if length == 0:
        yield ""
        return
    for first in ev1.CROCKFORD:
        for rest in all_buckets(length - 1):
            yield first + rest


def pages(path: Path, limit: int | None = None) -> Iterator[str]:
    """A file's pages: at most `limit` bytes of UTF-8 each (`store.PAGE_BYTES`), cut after a
    line where one ends in the page, else before a character; read a page at a time."""
    limit = limit or store.PAGE_BYTES
    pending = b""
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(limit)
            pending += chunk
            while len(pending) > limit or (not chunk and pending):
                cut = _cut(pending, limit)
                yield pending[:cut].decode("utf-8")
                pending = pending[cut:]
            if not chunk:
                return


def _cut(data: bytes, limit: int) -> int:
    if len(data) <= limit:
        return len(data)
    newline = data.rfind(b"\n", 0, limit)
    if newline >= 0:
        return newline + 1
    cut = limit
    while data[cut] & 0xC0 == 0x80:  # never inside a character
        cut -= 1
    return cut


@dataclass(frozen=True)
class Published:
    files: int
    pages: int
    receipts: int
    prefix_length: int
    already: bool  # the same record was already on the portal


def put_on_portal(election_id: str, folder: Path, names: list[str]) -> Published:
    """Copy the record's files (`names`, relative to `folder`) to the portal, then its index."""
    phi = hashlib.sha256((folder / files.ELECTION).read_bytes()).digest()
    listed, page_count = [], 0
    for name in names:
        digest, size, count = hashlib.sha256(), 0, 0
        items = []
        for count, text in enumerate(pages(folder / name), start=1):
            data = text.encode("utf-8")
            digest.update(data)
            size += len(data)
            items.append((store.page_key(election_id, name, count - 1), text))
            if len(items) == 100:
                store.put_pages(items)
                items = []
        store.put_pages(items)
        page_count += count
        listed.append({"name": name, "bytes": size, "sha256": digest.hexdigest(), "pages": count})

    ballot_files = [folder / n for n in names if n.startswith(f"{files.BALLOTS}/")]
    total = sum(_lines(path) for path in ballot_files)
    length = prefix_length(total)
    buckets = ReceiptBuckets(length)
    for path in ballot_files:
        buckets.add_file(path, phi)
    store.put_pages((store.receipts_key(election_id, prefix), text) for prefix, text in buckets.texts())
    index = {
        "v": 1,
        "election": election_id,
        "phi": phi.hex(),
        "receipts": {"count": total, "prefix_length": length},
        "files": listed,
    }
    body = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    already = not store.put_index(election_id, body)
    if already and json.loads(store.get(store.index_key(election_id)))["files"] != listed:
        raise RecordChanged(election_id)
    return Published(len(listed), page_count, total, length, already)


def _lines(path: Path) -> int:
    """How many ballots a `ballots/<σ>.jsonl` holds (its lines), read a megabyte at a time."""
    count, last = 0, b"\n"
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            count, last = count + chunk.count(b"\n"), chunk[-1:]
    return count + (last != b"\n")


class ReceiptBuckets:
    """Every ballot's receipt, in the bucket of its short code's first `length` characters.

    A national record holds 4.4 million ballots: as Python lists of [hex, scrutin] they took
    some 2 GB. Here a receipt is 32 bytes and its scrutin two (an index), appended to its
    bucket's bytearray: 34 bytes a ballot, 150 MB for the nation. Sorted by (ρ, scrutin) when
    a bucket is written, as the page expects: the bytes of ρ sort as its lowercase hex."""

    RECORD = 34

    def __init__(self, length: int):
        self.length = length
        self.buckets = {prefix: bytearray() for prefix in all_buckets(length)}
        self.scrutins: list[str] = []
        self._index: dict[str, bytes] = {}

    def add_file(self, path: Path, phi: bytes) -> None:
        with path.open("rb") as lines:
            for line in lines:
                document = json.loads(line)
                rho = ev1.receipt_of_published(document, phi)
                scrutin = document["scrutin"]
                index = self._index.get(scrutin)
                if index is None:
                    index = self._index[scrutin] = len(self.scrutins).to_bytes(2, "big")
                    self.scrutins.append(scrutin)
                self.buckets[ev1.crockford_base32(rho)[: self.length]] += rho + index

    def texts(self):
        """(prefix, its JSON text) for every bucket, empty ones included, one at a time."""
        for prefix, data in self.buckets.items():
            records = [data[n : n + self.RECORD] for n in range(0, len(data), self.RECORD)]
            found = sorted((r[:32].hex(), self.scrutins[int.from_bytes(r[32:], "big")]) for r in records)
            yield prefix, json.dumps({"prefix": prefix, "receipts": [list(pair) for pair in found]})


# --- Reading, for the API ----------------------------------------------------------------


def _with_index(election_id: str, key: str) -> tuple[dict, str | None]:
    found = store.get_with_index(election_id, key)
    if found is None:
        raise RecordNotPublished()
    index, body = found
    return json.loads(index), body


def record_index(election_id: str) -> str:
    """The index's exact text."""
    body = store.get(store.index_key(election_id))
    if body is None:
        raise RecordNotPublished()
    return body


def record_page(election_id: str, name: str, page: int) -> tuple[str, dict]:
    """A page of a file of the record, and the file's entry in the index."""
    index, body = _with_index(election_id, store.page_key(election_id, name, page))
    entry = next((f for f in index["files"] if f["name"] == name), None)
    if entry is None or body is None or not 0 <= page < entry["pages"]:
        raise RecordFileNotFound()
    return body, entry


def receipt_bucket(election_id: str, prefix: str) -> str:
    """The bucket's text: {"prefix", "receipts": [[receipt, scrutin]…]}."""
    index, body = _with_index(election_id, store.receipts_key(election_id, prefix))
    if body is None or len(prefix) != index["receipts"]["prefix_length"]:
        raise RecordFileNotFound()
    return body
