"""The result (`bureau result ID DOSSIER`): the key holders' partial decryptions checked and
combined into `result.json`.

It reads the recorded tally and the partials the key holders present deposited in the folder
(`depot/partial-<member>.json`, written by `python -m keyholder decrypt`), checks each one whole
and the access structure (`crypto.result`: the président or the secrétaire and two délégués),
and decrypts each count. A partial that fails is refused by name and no result is produced
from the others: the bureau decides, with the members present, what to do. The result and
the partials it used are recorded once (a second run must find the same result) and written
to the folder as the public record names them (`result.json`, `partials/<group>-<index>.json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto import record
from chalicelib.crypto.result import ResultError, check_partial, combine, result_document, tally_sums
from chalicelib.documents.pdf import PdfWriter
from chalicelib.domain.proces_verbal import ProcesVerbal, ScrutinResult, html_page, pdf_pages
from chalicelib.services.bureaus import BureauError, roster_of_definition
from chalicelib.store import bureaus as store
from chalicelib.store.ballots import get_ballots

RESULT = "result.json"
PARTIALS = "partials"


@dataclass
class ResultReport:
    bureau_id: str
    name: str
    used: dict = field(default_factory=dict)
    scrutins: list[dict] = field(default_factory=list)  # result.json's
    result_sha256: str | None = None


def bureau_result(bureau_id: str, folder: Path, *, now: datetime) -> ResultReport:
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    tally_bytes = store.get_file(bureau_id, files.TALLY) if definition.state == store.CLOSED else None
    if tally_bytes is None:
        raise BureauError("not_counted", bureau=bureau_id)
    recorded = {name: store.get_file(bureau_id, name) for name in (files.ELECTION, files.TRUSTEES)}
    election = record.read_election(recorded[files.ELECTION])
    trustees = record.check_trustees(json.loads(recorded[files.TRUSTEES]))
    tally = tally_sums(json.loads(tally_bytes), phi=election.phi, options=election.options)

    partials, documents = [], {}
    for kind, path in files.deposits(folder):
        if kind != "partial":
            continue
        try:
            document = files.read_json(path)
        except ValueError:
            raise ResultError(f"{path.name}: not JSON") from None
        partial = check_partial(document, name=path.name, trustees=trustees, phi=election.phi, tally=tally)
        partials.append(partial)
        documents[f"{partial.group}-{partial.index}"] = document
    used, counts = combine(trustees=trustees, tally=tally, partials=partials)
    result = record.compact(result_document(election.phi, used, tally, counts))
    stored = store.put_file_once(bureau_id, RESULT, result, now)
    if stored != result:
        raise ResultError("result.json differs from the one recorded")
    for label, document in sorted(documents.items()):
        data = record.compact(document)
        store.put_file_once(bureau_id, f"{PARTIALS}/{label}.json", data, now)
        files.write_bytes(folder / PARTIALS / f"{label}.json", data)
    files.write_bytes(folder / files.TALLY, tally_bytes)
    files.write_bytes(folder / RESULT, result)
    recorded |= {files.TALLY: tally_bytes, RESULT: result}
    pv = _proces_verbal(definition, election, recorded, documents, used, now)
    with open(folder / "proces-verbal.pdf", "wb") as out, PdfWriter(out, title=f"Procès-verbal — {pv.bureau}") as pdf:
        for items in pdf_pages(pv):
            pdf.page(items)
    files.write_bytes(folder / "proces-verbal.html", html_page(pv).encode("utf-8"))
    report = ResultReport(bureau_id, definition.name, used, json.loads(result)["scrutins"])
    report.result_sha256 = record.sha256_hex(result)
    return report


def _proces_verbal(definition, election, recorded: dict, partials: dict, used: dict, now):
    """The PV's facts: the sealed lists' voters, the close's counts, the result, the lists'
    names in ballot order, the key holders used, the record's digests. `recorded`: the files
    already read (election.json, trustees.json, tally.json, result.json); the seals are read here."""
    bureau_id = definition.bureau_id
    for name in (files.SEAL_OPEN, files.SEAL_CLOSE):
        recorded[name] = store.get_file(bureau_id, name)
    opened = json.loads(json.loads(recorded[files.SEAL_OPEN])["manifest"])
    closed = {s["id"]: s for s in json.loads(json.loads(recorded[files.SEAL_CLOSE])["manifest"])["scrutins"]}
    result = recorded[RESULT]
    registered = {s["id"]: int(s["electoral_list"]["voters"]) for s in opened["scrutins"]}
    ballots = {b.ballot_id: b for b in get_ballots(list(election.options))}
    counts = {s["id"]: s["counts"] for s in json.loads(result)["scrutins"]}
    scrutins = []
    for entry in election.document["scrutins"]:
        ballot = ballots[entry["id"]]
        names = {c.list_id: f"{c.acronym} — {c.name}" for c in ballot.candidate_lists}
        scrutins.append(
            ScrutinResult(
                entry["id"],
                entry.get("label", ballot.label),
                registered[entry["id"]],
                int(closed[entry["id"]]["emargements"]),
                int(closed[entry["id"]]["ballots"]),
                tuple(counts[entry["id"]]),
                tuple(names.get(option, option) for option in entry["options"][1:]),
            )
        )
    roster = roster_of_definition(definition)
    holders = tuple((m.label, m.role, m.name) for m in roster.members if m.group in used and m.index in used[m.group])
    digest = {name: record.sha256_hex(data) for name, data in recorded.items()}
    digests = [
        *[(name, digest[name]) for name in (files.ELECTION, files.TRUSTEES, files.SEAL_OPEN)],
        *[(f"{files.BALLOTS}/{s}.jsonl", closed[s]["ballots_sha256"]) for s in election.options],
        *[(name, digest[name]) for name in (files.SEAL_CLOSE, files.TALLY)],
        *[(f"{PARTIALS}/{label}.json", record.sha256_hex(record.compact(d))) for label, d in sorted(partials.items())],
        (RESULT, digest[RESULT]),
    ]
    return ProcesVerbal(definition.name, bureau_id, now, tuple(scrutins), holders, tuple(digests))
