"""Every check of a published record (VOTING.md, "The public record"), in order; the first
inconsistency stops the verification and names its file, in French and in English.

1. `election.json`: its φ, its fields.
2. `trustees.json`: the whole ceremony re-derived (every signature and proof, every X_j from the
   commitments, each group's key, Y), its SHA-256 and Y those of election.json.
3. `seal-open.json`: the seal's manifest names this φ, these trustees and the server's signing
   key, and is signed by an `adm` and a `del` key holder.
4. `seal-close.json`: the close's manifest (ballots = émargements per scrutin), signed likewise,
   and by the server with the key of the seal.
5. `ballots/<σ>.jsonl`: the file the close sealed (SHA-256, count), every ballot verified (φ, key,
   every proof), sorted by nonce, no nonce and no `a_i` twice in the scrutin; in parallel.
6. `tally.json`: exactly the sums of those ballots.
7. `partials/*.json`: every partial decryption and its proofs, against the tally.
8. `result.json`: the access structure met by the partials, and exactly the counts they decrypt.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from chalicelib.crypto import ceremony, record
from chalicelib.crypto.group import point_from_hex
from chalicelib.crypto.result import ResultError, check_partial, combine, result_document, tally_sums
from chalicelib.crypto.tally import CountError, Sums, tally_document, verified_sums

CHUNK = 2_000  # ballots per work item


class Inconsistency(Exception):
    def __init__(self, file: str, french: str, english: str):
        super().__init__(f"{file}: {english}")
        self.file, self.french, self.english = file, french, english


def _windows(path: Path, digest, chunk: int, per_window: int):
    """The file's lines (without their end), in work items of `chunk` lines, `per_window` items
    at a time; every byte read goes into `digest`, so the file is hashed as it is verified."""
    window, lines = [], []
    with path.open("rb") as stream:
        for line in stream:
            digest.update(line)
            lines.append(line[:-1] if line.endswith(b"\n") else line)
            if len(lines) == chunk:
                window.append(lines)
                lines = []
                if len(window) == per_window:
                    yield window
                    window = []
    if lines:
        window.append(lines)
    if window:
        yield window


class PointSet:
    """The points a_i of a scrutin, to find one that repeats: 32 bytes each in one of 256
    buckets by first byte (no object per point), each sorted and scanned at the end. A set of
    bytes objects costs about 90 bytes a point, 0.8 GB for the national scrutin's 8.8 million;
    this, 32 bytes a point (280 MB), and one bucket's sort at a time."""

    def __init__(self):
        self.buckets = [bytearray() for _ in range(256)]

    def add_all(self, points) -> None:
        for point in points:
            self.buckets[point[0]] += point

    def has_repeat(self) -> bool:
        for bucket in self.buckets:
            ordered = sorted(bytes(bucket[i : i + 32]) for i in range(0, len(bucket), 32))
            if any(a == b for a, b in zip(ordered, ordered[1:], strict=False)):
                return True
        return False


def _read(folder: Path, name: str) -> bytes:
    path = folder / name
    if not path.is_file() or path.is_symlink():
        raise Inconsistency(name, "fichier absent", "file missing")
    return path.read_bytes()


def _json(folder: Path, name: str):
    try:
        return json.loads(_read(folder, name))
    except (ValueError, UnicodeDecodeError):
        raise Inconsistency(name, "pas du JSON", "not JSON") from None


def _chunk(arguments) -> tuple[dict, list[bytes], bytes, bytes]:
    """A work item: verify and sum a run of ballots; its sums, points, first and last nonce."""
    lines, public_key_hex, phi, scrutin, options = arguments
    sums = verified_sums(lines, public_key=point_from_hex(public_key_hex), phi=phi, scrutin=scrutin, options=options)
    points = [bytes.fromhex(c["a"]) for line in lines for c in json.loads(line)["choices"]]
    first, last = (bytes.fromhex(json.loads(lines[i])["nonce"]) for i in (0, -1))
    return sums.to_json(), points, first, last


def verify(folder: Path, *, workers: int | None = None, say: Callable[[str, str], None] = lambda fr, en: None) -> dict:
    """Every check; returns result.json's document, or raises Inconsistency."""
    workers = workers or os.cpu_count() or 1
    election_bytes = _read(folder, "election.json")
    try:
        election = record.read_election(election_bytes)
    except record.InvalidElection as error:
        raise Inconsistency("election.json", f"invalide ({error})", f"invalid ({error})") from None
    phi = election.phi
    say(f"election.json : φ = {phi.hex()}", f"election.json: φ = {phi.hex()}")

    trustees_bytes = _read(folder, "trustees.json")
    try:
        trustees = record.check_trustees(json.loads(trustees_bytes))
    except (ceremony.CeremonyError, ValueError) as error:
        raise Inconsistency("trustees.json", f"cérémonie invalide ({error})", f"invalid ceremony ({error})") from None
    if election.trustees not in (None, record.sha256_hex(trustees_bytes)):
        raise Inconsistency("trustees.json", "n'est pas celui d'election.json", "not the one election.json names")
    if trustees.public_key != election.public_key:
        raise Inconsistency("election.json", "clé publique ≠ celle de la cérémonie", "public key ≠ the ceremony's")
    say("trustees.json : cérémonie, preuves et clé vérifiées", "trustees.json: ceremony, proofs and key verified")

    try:
        opened = record.check_seal_open(_json(folder, "seal-open.json"), trustees, election, trustees_bytes)
    except record.InvalidSeal as error:
        raise Inconsistency(
            "seal-open.json", f"scellement invalide ({error.what})", f"invalid seal ({error.what})"
        ) from None
    server = ceremony.key_fingerprint(opened.server_key)
    say(
        f"seal-open.json : signé par {', '.join(opened.sealers)} ; clé du serveur {server}",
        f"seal-open.json: signed by {', '.join(opened.sealers)}; server key {server}",
    )

    try:
        closed = record.check_seal_close(_json(folder, "seal-close.json"), trustees, election, opened.server_key)
    except record.InvalidClose as error:
        raise Inconsistency(
            "seal-close.json", f"clôture invalide ({error.what})", f"invalid close ({error.what})"
        ) from None
    say(
        "seal-close.json : clôture signée par le serveur et les détenteurs de clé, bulletins = émargements",
        "seal-close.json: close signed by the server and the key holders, ballots = sign-ins",
    )

    sums: dict[str, Sums] = {}
    with ProcessPoolExecutor(workers) as pool:
        for scrutin, options in election.options.items():
            name = f"ballots/{scrutin}.jsonl"
            path = folder / name
            if not path.is_file() or path.is_symlink():
                raise Inconsistency(name, "fichier absent", "file missing")
            digest, seen = hashlib.sha256(), PointSet()
            total, previous = Sums.zero(options), b""
            try:
                # A few work items per process at a time: memory holds a window of the file,
                # never the whole of it (a national box is gigabytes).
                for window in _windows(path, digest, CHUNK, 4 * workers):
                    items = [(lines, election.public_key.hex(), phi, scrutin, options) for lines in window]
                    for part, points, first, last in pool.map(_chunk, items):
                        if first <= previous:
                            raise CountError(f"{scrutin}: nonces out of order")
                        previous = last
                        total = total + Sums.from_json(part)
                        seen.add_all(points)
                if seen.has_repeat():
                    raise CountError(f"{scrutin}: an a_i repeated")
            except CountError as error:
                raise Inconsistency(name, f"bulletin refusé ({error.what})", f"ballot refused ({error.what})") from None
            if digest.hexdigest() != closed[scrutin]["ballots_sha256"]:
                raise Inconsistency(
                    name, "n'est pas le fichier scellé à la clôture", "not the file sealed at the close"
                )
            if total.ballots != closed[scrutin]["ballots"]:
                raise Inconsistency(name, "nombre de bulletins ≠ clôture", "number of ballots ≠ the close")
            sums[scrutin] = total
            say(f"{name} : {total.ballots} bulletins vérifiés", f"{name}: {total.ballots} ballots verified")

    tally = _json(folder, "tally.json")
    if tally != tally_document(phi, list(sums.items())):
        raise Inconsistency("tally.json", "ne correspond pas aux bulletins", "does not match the ballots")
    say("tally.json : les sommes des bulletins", "tally.json: the ballots' sums")

    result = _json(folder, "result.json")
    partials = []
    directory = folder / "partials"
    names = sorted(p.name for p in directory.glob("*.json")) if directory.is_dir() else []
    tally_read = tally_sums(tally, phi=phi, options=election.options)
    for name in names:
        try:
            partials.append(
                check_partial(_json(directory, name), name=name, trustees=trustees, phi=phi, tally=tally_read)
            )
        except ResultError as error:
            raise Inconsistency(
                f"partials/{name}", f"déchiffrement invalide ({error.what})", f"invalid ({error.what})"
            ) from None
    say(
        f"partials/ : {len(partials)} déchiffrements partiels vérifiés",
        f"partials/: {len(partials)} partial decryptions verified",
    )
    try:
        used, counts = combine(trustees=trustees, tally=tally_read, partials=partials)
    except ResultError as error:
        raise Inconsistency(
            "result.json", f"pas de résultat possible ({error.what})", f"no result ({error.what})"
        ) from None
    if result != result_document(phi, used, tally_read, counts):
        raise Inconsistency("result.json", "ne correspond pas au déchiffrement", "does not match the decryption")
    say("result.json : le résultat déchiffré", "result.json: the decrypted result")
    return result
