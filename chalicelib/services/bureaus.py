"""The polling bureau (bureau de vote électronique) and its key ceremony, on the portal's side.

`create_bureau` records the bureau: its scrutins and its key holders (président, secrétaire,
one délégué per list). The ceremony then goes through the bureau's folder
(`chalicelib.crypto.ceremony_folder`): `sync_ceremony` reads what the key holders dropped in
`depot/`, checks every message (`chalicelib.crypto.ceremony`) and records the good ones once,
names the sender of every bad one, and writes what the next round needs. The portal never
holds a secret: it relays public messages and shares sealed to their recipients. When every
verification key is in, it writes `trustees.json` and `election.json` (checked again from the
file alone before anything is recorded). A proven complaint stops the attempt: the messages
stay on record and a new attempt starts with fresh keys.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from chalicelib.crypto import ceremony, record
from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto.ceremony import CeremonyError, Member, Roster
from chalicelib.store import bureaus as store
from chalicelib.store.ballots import get_ballots

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_GRACE_MINUTES = 30
ROUNDS = ("round1", "round2", "round3")


class BureauError(Exception):
    """A refusal with a stable `code` and what the French text needs; nothing was changed."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


# --- creating a bureau ------------------------------------------------------------------


def roster_of(bureau_id: str, *, president: str, secretary: str | None, delegates: list[str], threshold: int) -> Roster:
    members = [Member("adm", 1, "president", president)]
    if secretary:
        members.append(Member("adm", 2, "secretary", secretary))
    members += [Member("del", i, "delegate", name) for i, name in enumerate(delegates, start=1)]
    return Roster(bureau_id, {"adm": 1, "del": threshold}, tuple(members))


def create_bureau(
    *,
    name: str,
    ballot_ids: list[str],
    president: str,
    secretary: str | None,
    delegates: list[str],
    delegate_threshold: int = 2,
    grace_minutes: int = DEFAULT_GRACE_MINUTES,
    now: datetime,
) -> str:
    names = [n.strip() for n in [president, secretary or "", *delegates] if n is not None]
    if not name.strip() or not president.strip() or any(not d.strip() for d in delegates):
        raise BureauError("bureau_names_missing")
    if len(set(filter(None, names))) != len(list(filter(None, names))):
        raise BureauError("bureau_names_repeated")
    if not ballot_ids or len(set(ballot_ids)) != len(ballot_ids):
        raise BureauError("bureau_ballots_invalid")
    if len(delegates) < max(2, delegate_threshold) or delegate_threshold < 2:
        raise BureauError("bureau_delegates_too_few", delegates=len(delegates), threshold=delegate_threshold)
    if not 0 <= grace_minutes <= 240:
        raise BureauError("bureau_grace_invalid")
    ballots = {b.ballot_id: b for b in get_ballots(ballot_ids)}
    unknown = [b for b in ballot_ids if b not in ballots]
    if unknown:
        raise BureauError("unknown_ballots", ballots=unknown)
    windows = {(b.voting_opens_at, b.voting_closes_at) for b in ballots.values()}
    if len(windows) != 1:
        raise BureauError("bureau_dates_differ", ballots=ballot_ids)
    bureau_id = str(uuid.uuid4())
    roster = roster_of(
        bureau_id,
        president=president.strip(),
        secretary=(secretary or "").strip() or None,
        delegates=[d.strip() for d in delegates],
        threshold=delegate_threshold,
    )
    roster.check()
    try:
        store.create_bureau(
            bureau_id,
            name=name.strip(),
            ballot_ids=ballot_ids,
            roster=roster.to_json(),
            grace_minutes=grace_minutes,
            now=now,
        )
    except store.BallotUnavailable as error:
        raise BureauError("ballot_in_another_bureau", ballot=error.ballot_id) from None
    return bureau_id


def _definition(bureau_id: str):
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    return definition


# --- the ceremony -----------------------------------------------------------------------


@dataclass
class Problem:
    """A deposit that was refused: who sent it (as its file or signature says), and why."""

    file: str
    code: str
    sender: str | None
    detail: str = ""


def signed_deposits(folder: Path, kind: str, trustees, digest: str, problems: list[Problem]) -> dict:
    """The key holders' signatures of `kind` (seal, close) in the folder's depot that cover this
    manifest `digest`, by member label; each refused deposit added to `problems`."""
    signatures = {}
    for _, path in [d for d in files.deposits(folder) if d[0] == kind]:
        try:
            envelope = files.read_json(path)
            label = record.signer_of(envelope, trustees, kind, "manifest", digest)
        except CeremonyError as error:
            problems.append(Problem(path.name, error.code, error.sender))
            continue
        except ValueError:
            problems.append(Problem(path.name, "not_json", None))
            continue
        signatures[label] = envelope
    return signatures


@dataclass
class Progress:
    """Where a bureau stands: what each member handed in, what was refused, what comes next."""

    bureau_id: str
    name: str
    state: str
    attempt: int
    roster: Roster
    ballot_ids: list[str]
    handed_in: dict = field(default_factory=dict)  # label → set of kinds
    fingerprints: dict = field(default_factory=dict)  # label → short code of the signing key
    accepted: list[str] = field(default_factory=list)  # "round2 del-3"
    problems: list[Problem] = field(default_factory=list)
    verdict: dict | None = None
    failure: dict | None = None
    files_written: list[str] = field(default_factory=list)

    @property
    def next_round(self) -> str | None:
        for kind in ROUNDS:
            if any(kind not in self.handed_in.get(m.label, set()) for m in self.roster.members):
                return kind
        return None

    def waiting_for(self, kind: str) -> list[Member]:
        return [m for m in self.roster.members if kind not in self.handed_in.get(m.label, set())]


def roster_of_definition(definition) -> Roster:
    """The roster of the bureau's current attempt (the attempt is in every ceremony hash)."""
    return Roster.from_json({**definition.roster, "attempt": int(definition.attempt)})


def _roster_file(definition) -> dict:
    return {"v": 1, "name": definition.name, **roster_of_definition(definition).to_json()}


def _stored(bureau_id: str, attempt: int) -> dict:
    """kind → label → envelope, from the recorded messages of this attempt."""
    found: dict = {}
    for item in store.messages(bureau_id, attempt):
        _, _, kind, label = item.part.split("#", 3)
        found.setdefault(kind, {})[label] = json.loads(item.body)
    return found


def _check_all(roster: Roster, stored: dict):
    """The recorded messages, checked again (they were checked when received)."""
    round1s = {label: ceremony.check_round1(e, roster) for label, e in stored.get("round1", {}).items()}
    complete1 = not ceremony.missing(roster, round1s)
    ceremony_hash = ceremony.ceremony_hash(roster, round1s) if complete1 else None
    round2s = {}
    if ceremony_hash:
        round2s = {
            label: ceremony.check_round2(e, roster, round1s, ceremony_hash)
            for label, e in stored.get("round2", {}).items()
        }
    return round1s, ceremony_hash, round2s


def _accept(kind: str, envelope, roster: Roster, round1s: dict, round2s: dict, ceremony_hash: bytes | None):
    """Check one deposit for the round the ceremony is in; (label, result) or CeremonyError."""
    if kind == "round1":
        checked = ceremony.check_round1(envelope, roster)
        return checked.member.label, checked
    if ceremony_hash is None:
        raise CeremonyError("too_early", ceremony.payload_of(envelope).get("group"))
    if kind == "round2":
        checked = ceremony.check_round2(envelope, roster, round1s, ceremony_hash)
        return checked.member.label, checked
    if ceremony.missing(roster, round2s):
        raise CeremonyError("too_early")
    checked = ceremony.check_round3(envelope, roster, round1s, round2s, ceremony_hash)
    label = checked.member.label if isinstance(checked, ceremony.Round3) else checked.complainer
    return label, checked


def sync_ceremony(bureau_id: str, folder: Path, *, now: datetime) -> Progress:
    """One visit of the folder: take in the deposits, write what the next step needs."""
    definition = _definition(bureau_id)
    roster = roster_of_definition(definition)
    attempt = int(definition.attempt)
    folder.mkdir(parents=True, exist_ok=True)
    files.write_json(folder / files.ROSTER, _roster_file(definition))
    problems = _take_deposits(bureau_id, attempt, roster, folder, now) if definition.state == store.CEREMONY else []
    progress = _progress(definition, roster)
    progress.problems = problems
    stored = _stored(bureau_id, attempt)
    if definition.state == store.CEREMONY:
        _write_rounds(progress, roster, stored, folder, now)
    if progress.verdict is None:
        for name in (files.TRUSTEES, files.ELECTION):
            data = store.get_file(bureau_id, name)
            if data is not None:
                files.write_bytes(folder / name, data)
                progress.files_written.append(name)
    return progress


def _take_deposits(bureau_id: str, attempt: int, roster: Roster, folder: Path, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    for _pass in range(3):  # round 1, then 2, then 3 can all come in one visit
        stored = _stored(bureau_id, attempt)
        round1s, ceremony_hash, round2s = _check_all(roster, stored)
        taken = 0
        problems = []
        for kind, path in files.deposits(folder):
            if kind not in ("round1", "round2", "round3", "complaint"):
                continue
            stored_kind = "round3" if kind == "complaint" else kind
            try:
                envelope = files.read_json(path)
                label, _ = _accept(stored_kind, envelope, roster, round1s, round2s, ceremony_hash)
            except ValueError as error:
                if isinstance(error, CeremonyError):
                    if error.code != "too_early":
                        problems.append(Problem(path.name, error.code, error.sender, error.detail))
                else:
                    problems.append(Problem(path.name, "not_json", None))
                continue
            if label in stored.get(stored_kind, {}):
                if stored[stored_kind][label] != envelope:
                    problems.append(Problem(path.name, "already_handed_in", label))
                continue
            body = json.dumps(envelope, ensure_ascii=False)
            if store.add_message(bureau_id, attempt, stored_kind, label, body, now):
                taken += 1
        if not taken:
            break
    return problems


def _progress(definition, roster: Roster) -> Progress:
    attempt = int(definition.attempt)
    progress = Progress(
        bureau_id=definition.bureau_id,
        name=definition.name,
        state=definition.state,
        attempt=attempt,
        roster=roster,
        ballot_ids=list(definition.ballot_ids),
        failure=definition.failure,
    )
    for item in store.messages(definition.bureau_id, attempt):
        _, _, kind, label = item.part.split("#", 3)
        progress.handed_in.setdefault(label, set()).add(kind)
        if kind == "round1":
            payload = ceremony.payload_of(json.loads(item.body))
            progress.fingerprints[label] = ceremony.key_fingerprint(bytes.fromhex(payload["sign_pk"]))
    return progress


def _write_rounds(progress: Progress, roster: Roster, stored: dict, folder: Path, now: datetime) -> None:
    round1s, ceremony_hash, round2s = _check_all(roster, stored)
    if ceremony_hash is None:
        return
    files.write_json(
        folder / files.ROUND1,
        {"v": 1, "ceremony_hash": ceremony_hash.hex(), "messages": [round1s[m.label].envelope for m in roster.members]},
    )
    progress.files_written.append(files.ROUND1)
    if ceremony.missing(roster, round2s):
        return
    files.write_json(
        folder / files.ROUND2,
        {"v": 1, "ceremony_hash": ceremony_hash.hex(), "messages": [round2s[m.label].envelope for m in roster.members]},
    )
    progress.files_written.append(files.ROUND2)
    outcomes = {
        label: ceremony.check_round3(e, roster, round1s, round2s, ceremony_hash)
        for label, e in stored.get("round3", {}).items()
    }
    verdicts = [o for o in outcomes.values() if isinstance(o, ceremony.Verdict)]
    if verdicts:
        _fail(progress, verdicts[0], folder, now)
        return
    if ceremony.missing(roster, outcomes):
        return
    trustees = record.trustees_document(roster, round1s, round2s, outcomes, ceremony_hash)
    trustees_bytes = record.compact(trustees)
    record.check_trustees(json.loads(trustees_bytes))  # the file alone must say the same
    election_bytes = _election_bytes(progress.bureau_id, trustees_bytes)
    store.keys_ready(progress.bureau_id, progress.attempt, trustees=trustees_bytes, election=election_bytes, now=now)
    progress.state = store.KEYS_READY


def _fail(progress: Progress, verdict: ceremony.Verdict, folder: Path, now: datetime) -> None:
    """A complaint ends the attempt: the folder's messages are put aside, a new one starts."""
    failure = {
        "attempt": progress.attempt,
        "complainer": verdict.complainer,
        "accused": verdict.accused,
        "at_fault": verdict.at_fault,
        "reason": verdict.reason,
        "proven": verdict.proven,
        "at": now.isoformat(),
    }
    # The folder first, then the store: a visit interrupted in between finds the attempt still
    # open and its files already put aside, and puts aside nothing twice.
    archive = folder / f"tentative-{progress.attempt}"
    archive.mkdir(exist_ok=True)
    for name in (files.DEPOT, files.ROUND1, files.ROUND2):
        if (folder / name).exists() and not (archive / name).exists():
            shutil.move(str(folder / name), str(archive / name))
    store.restart(progress.bureau_id, progress.attempt, failure, now)
    definition = _definition(progress.bureau_id)
    files.write_json(folder / files.ROSTER, _roster_file(definition))
    progress.verdict = failure
    progress.failure = failure
    progress.attempt = int(definition.attempt)
    progress.handed_in = {}
    progress.fingerprints = {}


def _election_bytes(bureau_id: str, trustees_bytes: bytes) -> bytes:
    """election.json from the ballots as they are now and the ceremony's key."""
    definition = _definition(bureau_id)
    ballot_ids = list(definition.ballot_ids)
    ballots = {b.ballot_id: b for b in get_ballots(ballot_ids)}
    first = ballots[ballot_ids[0]]
    if len({(b.voting_opens_at, b.voting_closes_at) for b in ballots.values()}) != 1:
        raise BureauError("bureau_dates_differ", ballots=ballot_ids)  # a later import moved one
    return record.election_bytes(
        uuid=bureau_id,
        name=definition.name,
        public_key=record.check_trustees(json.loads(trustees_bytes)).public_key,
        trustees=trustees_bytes,
        voting_opens_at=first.voting_opens_at.astimezone(PARIS).isoformat(),
        voting_closes_at=first.voting_closes_at.astimezone(PARIS).isoformat(),
        grace_minutes=int(definition.grace_minutes),
        scrutins=[
            {
                "id": ballot_id,
                "label": ballots[ballot_id].label,
                "options": [record.BLANK, *(c.list_id for c in ballots[ballot_id].candidate_lists)],
            }
            for ballot_id in ballot_ids
        ],
    )


def refresh_election_json(bureau_id: str, *, now: datetime) -> bool:
    """Before the seal: write election.json again if a scrutin changed since the ceremony
    (its label, dates or candidate lists); the key stays. True if it changed."""
    stored = store.get_file(bureau_id, files.ELECTION)
    fresh = _election_bytes(bureau_id, store.get_file(bureau_id, files.TRUSTEES))
    if fresh == stored:
        return False
    try:
        store.replace_before_seal(bureau_id, files.ELECTION, fresh, now)
    except store.StateChanged:
        raise BureauError("not_keys_ready", bureau=bureau_id, state="sealed") from None
    return True


def bureau_progress(bureau_id: str) -> Progress:
    definition = _definition(bureau_id)
    return _progress(definition, roster_of_definition(definition))


def election_json(bureau_id: str) -> bytes:
    """The exact bytes of election.json, once the ceremony is over."""
    _definition(bureau_id)
    data = store.get_file(bureau_id, files.ELECTION)
    if data is None:
        raise BureauError("ceremony_not_finished", bureau=bureau_id)
    return data
