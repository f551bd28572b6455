"""The seal (scellement): what the bureau attests before voting opens, signed by its key holders.

`seal_bureau` builds the manifest of VOTING.md from what is there now: the code package
(deployed, or served locally), every static asset with the booth's bundle, the stage's
configuration, φ, trustees.json, each scrutin's definition and electoral list, that the
ballot box and the sign-in list are empty, and the public key the server will sign the close
with. The manifest has no timestamp: built twice
from the same state, it is the same bytes, so the one the key holders signed can be compared
with the state at the moment the seal is recorded. Each key holder signs its SHA-256 with
`python -m keyholder seal`; with the président or the secrétaire and at least one délégué,
the seal is recorded in one transaction (the bureau sealed, `seal-open.json`, the public
index, every ballot marked sealed). If anything changed since the manifest was prepared, a
new one is written and the signatures given for the old one count no more.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chalicelib import deployment
from chalicelib.crypto import ceremony, record
from chalicelib.crypto import ceremony_folder as files
from chalicelib.services.bureaus import (
    BureauError,
    Problem,
    refresh_election_json,
    roster_of_definition,
    signed_deposits,
)
from chalicelib.store import ballot_box, sign_in
from chalicelib.store import bureaus as store
from chalicelib.store.ballots import get_ballots
from chalicelib.store.electoral_list import voter_ids_page

LIST_PAGE = 1000


def electoral_list_digest(ballot_id: str) -> dict:
    """The list's voters in list order, hashed: {"voters", "sha256"} (one Query per 1,000)."""
    digest, count, cursor = hashlib.sha256(b"EV1-2026 electoral list\n"), 0, None
    while True:
        voter_ids, cursor = voter_ids_page(ballot_id, cursor=cursor, limit=LIST_PAGE)
        for voter_id in voter_ids:
            digest.update(voter_id.encode() + b"\n")
        count += len(voter_ids)
        if cursor is None:
            return {"voters": count, "sha256": digest.hexdigest()}


def build_manifest(bureau_id: str, configuration: dict, server_key: bytes) -> bytes:
    definition = store.get_definition(bureau_id)
    trustees = store.get_file(bureau_id, files.TRUSTEES)
    election = store.get_file(bureau_id, files.ELECTION)
    ballots = {b.ballot_id: b for b in get_ballots(definition.ballot_ids)}
    scrutins = []
    for ballot_id in definition.ballot_ids:
        ballot = ballots[ballot_id]
        scrutins.append(
            {
                "id": ballot_id,
                "label": ballot.label,
                "definition": ballot.fingerprint,
                "electoral_list": electoral_list_digest(ballot_id),
                "ballot_box_empty": ballot_box.is_empty(ballot_id),
                "sign_in_empty": sign_in.is_empty(ballot_id),
            }
        )
    lists = hashlib.sha256("".join(s["electoral_list"]["sha256"] for s in scrutins).encode()).hexdigest()
    deployed = deployment.configuration(configuration.get("STAGE", ""), configuration)
    variables = {k: deployed[k] for k in sorted(deployed)}
    return record.compact(
        {
            "v": 1,
            "kind": "seal-open",
            "election": bureau_id,
            "name": definition.name,
            "phi": record.sha256_hex(election),
            "trustees": record.sha256_hex(trustees),
            "package": deployment.package(configuration.get("STAGE", "")),
            "static": deployment.static_assets(),
            "configuration": {
                "sha256": hashlib.sha256(record.compact(variables)).hexdigest(),
                "variables": variables,
            },
            "electoral_lists": lists,
            "scrutins": scrutins,
            # The key the server signs the close with: named here, so signed before the vote.
            "server_sign_pk": server_key.hex(),
        }
    )


@dataclass
class SealReport:
    bureau_id: str
    name: str
    state: str
    manifest_sha256: str | None = None
    manifest_written: bool = False
    changed: str | None = None  # what differs from the manifest prepared earlier
    not_empty: list[str] = field(default_factory=list)
    signed_by: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sealed: bool = False
    roster: ceremony.Roster | None = None

    @property
    def missing(self) -> list[str]:
        """What the seal still needs: "adm" and/or "del"."""
        return [g for g in ceremony.GROUPS if not any(label.startswith(g) for label in self.signed_by)]


def _difference(old: bytes, new: bytes) -> str:
    return record.first_difference(json.loads(old), json.loads(new))


def seal_bureau(bureau_id: str, folder: Path, *, now: datetime, configuration: dict, server_key: bytes) -> SealReport:
    """`server_key`: the server's Ed25519 public key (`wiring.server_signing_seed`'s)."""
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    roster = roster_of_definition(definition)
    report = SealReport(bureau_id, definition.name, definition.state, roster=roster)
    if definition.state == store.SEALED:
        files.write_bytes(folder / files.SEAL_OPEN, store.get_file(bureau_id, files.SEAL_OPEN))
        report.sealed = True
        return report
    if definition.state != store.KEYS_READY:
        raise BureauError("not_keys_ready", bureau=bureau_id, state=definition.state)

    refresh_election_json(bureau_id, now=now)  # a scrutin changed since the ceremony: a new φ
    manifest = build_manifest(bureau_id, configuration, server_key)
    report.manifest_sha256 = record.sha256_hex(manifest)
    report.not_empty = [
        s["id"] for s in json.loads(manifest)["scrutins"] if not (s["ballot_box_empty"] and s["sign_in_empty"])
    ]
    prepared = store.get_file(bureau_id, files.SEAL_MANIFEST)
    if prepared != manifest:
        if prepared is not None:
            report.changed = _difference(prepared, manifest)
        try:
            store.replace_before_seal(bureau_id, files.SEAL_MANIFEST, manifest, now)
        except store.StateChanged:
            raise BureauError("not_keys_ready", bureau=bureau_id, state="sealed") from None
        for name in (files.TRUSTEES, files.ELECTION):
            files.write_bytes(folder / name, store.get_file(bureau_id, name))
        files.write_bytes(folder / files.SEAL_MANIFEST, manifest)
        report.manifest_written = True
        return report
    files.write_bytes(folder / files.SEAL_MANIFEST, manifest)

    trustees = record.check_trustees(json.loads(store.get_file(bureau_id, files.TRUSTEES)))
    kind = f"seal-{report.manifest_sha256[:16]}"
    attempt = int(definition.attempt)
    found = signed_deposits(folder, "seal", trustees, report.manifest_sha256, report.problems)
    for label, envelope in found.items():
        store.add_message(bureau_id, attempt, kind, label, json.dumps(envelope, ensure_ascii=False), now)
    signatures = {
        item.part.rsplit("#", 1)[1]: json.loads(item.body)
        for item in store.messages(bureau_id, attempt)
        if item.part.split("#")[2] == kind
    }
    report.signed_by = sorted(signatures)
    if report.missing or report.not_empty:
        return report
    seal_open = record.compact(
        {
            "v": 1,
            "election": bureau_id,
            "manifest": manifest.decode("utf-8"),
            "manifest_sha256": report.manifest_sha256,
            "signatures": [signatures[label] for label in report.signed_by],
        }
    )
    election_bytes = store.get_file(bureau_id, files.ELECTION)
    election = record.read_election(election_bytes)
    if election.phi.hex() != json.loads(manifest)["phi"]:
        raise BureauError("not_keys_ready", bureau=bureau_id, state="?")
    try:
        store.record_seal(
            bureau_id,
            ballot_ids=list(definition.ballot_ids),
            election_json=election_bytes,
            fingerprints={s["id"]: s["definition"] for s in json.loads(manifest)["scrutins"]},
            seal_open=seal_open,
            name=definition.name,
            scrutins=[{"id": s["id"], "label": s.get("label", s["id"])} for s in election.document["scrutins"]],
            phi=election.phi.hex(),
            now=now,
        )
    except store.StateChanged:
        # Another seal, a new election.json or a re-imported scrutin landed since the manifest:
        # nothing was recorded; the next `bureau seal` sees the change.
        raise BureauError("seal_raced", bureau=bureau_id) from None
    files.write_bytes(folder / files.SEAL_OPEN, seal_open)
    report.sealed, report.state = True, store.SEALED
    return report
