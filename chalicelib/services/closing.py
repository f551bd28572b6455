"""The close (`bureau close ID DOSSIER`): the sign-in list and the box frozen and sealed.

It refuses to run before the scrutins' close plus the election's grace (by the server's clock):
from then on no session may cast (`domain.voting.may_cast`), so what it reads can no longer
change. The first visit exports each scrutin's box to `ballots/<σ>.jsonl` (every ballot as
stored, one a line, sorted by nonce: VOTING.md's public record), counts the émargements,
backs the box up (its only backup: it has no point-in-time recovery), and writes the close's
manifest (per scrutin: ballots, émargements, the file's SHA-256), recorded with the state
sealed → closing in one transaction. Each key holder present signs it with
`python -m keyholder close` (their tool refuses a manifest where ballots and émargements
differ); the visit that finds the président or the secrétaire and a délégué among the
signatures records `seal-close.json` and the state closing → closed.

Every later visit exports the box again and compares it with the manifest: the box of a
closed election never changes, so a difference is an incident, reported and never signed.

The close puts counts side by side and reads neither store's content itself: the box is read
by `box_export` alone (which reads nothing else), the sign-in list only counted. It runs in
the admin CLI, with the operator's credentials (docs/voting.md, "The close").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto import record
from chalicelib.crypto.ceremony import GROUPS, signing_public_key
from chalicelib.domain.phases import PARIS
from chalicelib.services import box_export
from chalicelib.services.bureaus import BureauError, Problem, roster_of_definition, signed_deposits
from chalicelib.services.demo_close import ends_early
from chalicelib.store import bureaus as store
from chalicelib.store import sign_in
from chalicelib.store.ballots import get_ballots


@dataclass(frozen=True)
class ClosedScrutin:
    ballot_id: str
    ballots: int
    emargements: int
    ballots_sha256: str

    def manifest_entry(self) -> dict:
        """The scrutin's entry in the close's manifest (VOTING.md's seal-close.json)."""
        return {"id": self.ballot_id, "ballots": self.ballots, "emargements": self.emargements,
                "ballots_sha256": self.ballots_sha256}  # fmt: skip


@dataclass
class CloseReport:
    bureau_id: str
    name: str
    state: str
    scrutins: list[ClosedScrutin] = field(default_factory=list)
    manifest_sha256: str | None = None
    manifest_written: bool = False
    backup: str | None = None
    signed_by: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    closed: bool = False
    roster: object = None  # chalicelib.crypto.ceremony.Roster, for the members' names

    @property
    def missing(self) -> list[str]:
        """What the close still needs: "adm" and/or "del"."""
        return [g for g in GROUPS if not any(label.startswith(g) for label in self.signed_by)]

    @property
    def differing(self) -> list[str]:
        """Scrutins whose box does not hold as many ballots as the sign-in list émargements."""
        return [s.ballot_id for s in self.scrutins if s.ballots != s.emargements]


def closes_at(definition) -> datetime:
    """When the bureau may close: the scrutins' close plus the election's grace."""
    grace = timedelta(minutes=int(definition.grace_minutes or 0))
    return max(ends_early(b) or b.voting_closes_at + grace for b in get_ballots(definition.ballot_ids))


def close_bureau(bureau_id: str, folder: Path, *, now: datetime, server_seed: Callable[[], bytes]) -> CloseReport:
    """`server_seed`: gives the server's signing seed, asked for once the close may run (its
    public key must be the one the seal named before anything is frozen)."""
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    report = CloseReport(bureau_id, definition.name, definition.state, roster=roster_of_definition(definition))
    if definition.state not in store.VOTED:
        raise BureauError("not_sealed", bureau=bureau_id)
    until = closes_at(definition)
    if now < until:
        raise BureauError("too_early", bureau=bureau_id, until=until.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M"))
    election_bytes = store.get_file(bureau_id, files.ELECTION)
    trustees_bytes = store.get_file(bureau_id, files.TRUSTEES)
    seal_open = store.get_file(bureau_id, files.SEAL_OPEN)
    election = record.read_election(election_bytes)
    trustees = record.check_trustees(json.loads(trustees_bytes))
    # Before anything is frozen: the server that will sign the close holds the key the seal
    # named, or no close may begin (a bureau in `closing` that cannot be signed would be stuck).
    try:
        sealed = record.check_seal_open(json.loads(seal_open), trustees, election, trustees_bytes)
    except record.InvalidSeal as refused:
        raise BureauError("seal_invalid", bureau=bureau_id, what=refused.what) from None
    if signing_public_key(server_seed()) != sealed.server_key:
        raise BureauError("server_key_changed", bureau=bureau_id)
    folder.mkdir(parents=True, exist_ok=True)
    # What the key holders' tool reads to check the close, the server's key (in the seal) included.
    for name, data in (
        (files.ELECTION, election_bytes),
        (files.TRUSTEES, trustees_bytes),
        (files.SEAL_OPEN, seal_open),
    ):
        files.write_bytes(folder / name, data)
    for ballot_id in election.options:
        count, digest = box_export.export_box(ballot_id, folder)
        report.scrutins.append(ClosedScrutin(ballot_id, count, sign_in.count(ballot_id), digest))
    manifest = record.compact(
        {
            "v": 1,
            "kind": "seal-close",
            "election": bureau_id,
            "phi": election.phi.hex(),
            "scrutins": [s.manifest_entry() for s in report.scrutins],
        }
    )
    report.manifest_sha256 = record.sha256_hex(manifest)

    if definition.state == store.SEALED:
        report.backup = box_export.back_up(f"{bureau_id}-close")
        try:
            store.begin_close(bureau_id, manifest, now)
        except store.StateChanged:
            raise BureauError("close_raced", bureau=bureau_id) from None
        files.write_bytes(folder / files.SEAL_CLOSE_MANIFEST, manifest)
        report.manifest_written, report.state = True, store.CLOSING
        return report

    recorded = store.get_file(bureau_id, files.SEAL_CLOSE_MANIFEST)
    if recorded != manifest:
        # The box or the sign-in list of a closed election changed: never signed, reported.
        raise BureauError(
            "box_changed", bureau=bureau_id, what=record.first_difference(json.loads(recorded), json.loads(manifest))
        )
    files.write_bytes(folder / files.SEAL_CLOSE_MANIFEST, manifest)
    if definition.state == store.CLOSED:
        files.write_bytes(folder / files.SEAL_CLOSE, store.get_file(bureau_id, files.SEAL_CLOSE))
        report.closed = True
        return report

    signatures = signed_deposits(folder, "close", trustees, report.manifest_sha256, report.problems)
    report.signed_by = sorted(signatures)
    if report.missing or report.differing:
        return report
    seal_close = record.compact(
        {
            "v": 1,
            "election": bureau_id,
            "manifest": manifest.decode("utf-8"),
            "manifest_sha256": report.manifest_sha256,
            "signatures": [signatures[label] for label in report.signed_by],
            "server_signature": record.server_close_signature(server_seed(), bureau_id, report.manifest_sha256),
        }
    )
    # As the key holders will read it (the server's key was checked above, before the close).
    record.check_seal_close(json.loads(seal_close), trustees, election, sealed.server_key)
    try:
        store.record_close(bureau_id, seal_close, now)
    except store.StateChanged:
        raise BureauError("close_raced", bureau=bureau_id) from None
    files.write_bytes(folder / files.SEAL_CLOSE, seal_close)
    report.closed, report.state = True, store.CLOSED
    return report
