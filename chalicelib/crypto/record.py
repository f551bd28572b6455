"""The election's public files that exist before the vote: `trustees.json` and `election.json`
(VOTING.md, "The election record"), written and re-checked from the files alone.

`trustees.json` keeps, for every key holder, the fields VOTING.md names and the signed
messages they came from, so a stranger recomputes the ceremony hash, checks every signature
and proof, every X_j from the commitments, each group's key and Y. `election.json` is written
once, as compact JSON and a newline; φ is the SHA-256 of those bytes and nobody re-serialises
it: the portal serves the stored bytes, the browser hashes what it downloaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from chalicelib.crypto import ballots as ballot_rules
from chalicelib.crypto import ceremony as cer
from chalicelib.crypto import threshold
from chalicelib.crypto.group import IDENTITY, InvalidElement, Point, point_from_hex, scalar_hex

BLANK = "blank"


def compact(document: dict) -> bytes:
    return (json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- trustees.json ---------------------------------------------------------------------


def _proof_json(proof: threshold.Proof) -> dict:
    return {"c": scalar_hex(proof.c), "s": scalar_hex(proof.s)}


def trustees_document(roster: cer.Roster, round1s: dict, round2s: dict, round3s: dict, ceremony_hash: bytes) -> dict:
    """The ceremony's outcome, in VOTING.md's field names, with the messages behind it."""
    groups, total = [], IDENTITY
    for g in cer.GROUPS:
        members, key = [], IDENTITY
        for m in roster.group(g):
            r1, r2, r3 = round1s[m.label], round2s[m.label], round3s[m.label]
            key = key + r2.commitments[0]
            members.append(
                {
                    "index": m.index,
                    "role": m.role,
                    "name": m.name,
                    "sign_pk": r1.sign_pk.hex(),
                    "enc_pk": r1.enc_pk.hex(),
                    "commitment_digest": r1.commitment_digest.hex(),
                    "commitments": [A.hex() for A in r2.commitments],
                    "pok": _proof_json(r2.pok),
                    "verification_key": r3.verification_key.hex(),
                    "vk_pok": _proof_json(r3.vk_pok),
                    "messages": [r1.envelope, r2.envelope, r3.envelope],
                }
            )
        groups.append({"name": g, "threshold": roster.thresholds[g], "public_key": key.hex(), "members": members})
        total = total + key
    return {
        "v": 1,
        "election": roster.election,
        "attempt": roster.attempt,
        "ceremony_hash": ceremony_hash.hex(),
        "groups": groups,
        "public_key": total.hex(),
    }


@dataclass(frozen=True)
class Trustees:
    """What a checked trustees.json establishes."""

    roster: cer.Roster
    ceremony_hash: bytes
    public_key: Point
    verification_keys: dict  # "del-3" → X_j
    sign_keys: dict  # "del-3" → Ed25519 public key bytes


def check_trustees(document) -> Trustees:
    """Re-derive the whole document from its signed messages; CeremonyError naming the first
    member (or field) that does not match."""
    try:
        roster = cer.Roster.from_json(
            {
                "election": document["election"],
                "attempt": document["attempt"],
                "groups": [
                    {
                        "name": g["name"],
                        "threshold": g["threshold"],
                        "members": [{k: m[k] for k in ("index", "role", "name")} for m in g["members"]],
                    }
                    for g in document["groups"]
                ],
            }
        )
        messages = {
            cer.member_label(g["name"], cer.integer(m["index"], "index")): m["messages"]
            for g in document["groups"]
            for m in g["members"]
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        raise cer.CeremonyError("bad_trustees") from None
    for label, envelopes in messages.items():
        if not isinstance(envelopes, list) or len(envelopes) != 3:
            raise cer.CeremonyError("bad_trustees", label, "messages")
    round1s = {label: cer.check_round1(envelopes[0], roster) for label, envelopes in messages.items()}
    if any(r.member.label != label for label, r in round1s.items()):
        raise cer.CeremonyError("bad_trustees", detail="misplaced message")
    ceremony_hash = cer.ceremony_hash(roster, round1s)
    round2s = {label: cer.check_round2(e[1], roster, round1s, ceremony_hash) for label, e in messages.items()}
    round3s = {}
    for label, envelopes in messages.items():
        outcome = cer.check_round3(envelopes[2], roster, round1s, round2s, ceremony_hash)
        if not isinstance(outcome, cer.Round3):
            raise cer.CeremonyError("bad_trustees", label, "complaint")
        round3s[label] = outcome
    if any(r.member.label != label for label, r in [*round2s.items(), *round3s.items()]):
        raise cer.CeremonyError("bad_trustees", detail="misplaced message")
    expected = trustees_document(roster, round1s, round2s, round3s, ceremony_hash)
    if _strict(expected) != _strict(document):  # JSON's types too: true is not 1, 2.0 is not 2
        raise cer.CeremonyError("bad_trustees", detail=first_difference(expected, document))
    return Trustees(
        roster,
        ceremony_hash,
        point_from_hex(expected["public_key"], "public_key"),
        {label: r.verification_key for label, r in round3s.items()},
        {label: r.sign_pk for label, r in round1s.items()},
    )


def _strict(document) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def first_difference(expected, found, path: str = "") -> str:
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            if expected.get(key) != found.get(key):
                return first_difference(expected.get(key), found.get(key), f"{path}.{key}")
    if isinstance(expected, list) and isinstance(found, list) and len(expected) == len(found):
        for i, (a, b) in enumerate(zip(expected, found, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
    return path or "."


# --- election.json ---------------------------------------------------------------------


def election_bytes(
    *,
    uuid: str,
    name: str,
    public_key: Point,
    trustees: bytes,
    voting_opens_at: str,
    voting_closes_at: str,
    grace_minutes: int,
    scrutins: list[dict],
) -> bytes:
    """`scrutins`: [{"id", "label", "options": ["blank", list ids in ballot order…]}]."""
    return compact(
        {
            "v": 1,
            "uuid": uuid,
            "name": name,
            "group": "ed25519",
            "public_key": public_key.hex(),
            "trustees": sha256_hex(trustees),
            "voting_opens_at": voting_opens_at,
            "voting_closes_at": voting_closes_at,
            "grace_minutes": grace_minutes,
            "scrutins": scrutins,
        }
    )


@dataclass(frozen=True)
class Election:
    phi: bytes
    uuid: str
    public_key: Point
    trustees: str | None
    options: dict  # scrutin id → number of options
    document: dict


class InvalidElection(ValueError):
    pass


def read_election(data: bytes) -> Election:
    """An election.json as downloaded: its φ and what encrypting and checking need."""
    try:
        document = json.loads(data.decode("utf-8"))
        if type(document["v"]) is not int or document["v"] != 1 or document["group"] != "ed25519":
            raise InvalidElection("version or group")
        if not isinstance(document["uuid"], str) or not cer.ELECTION_ID.match(document["uuid"]):
            raise InvalidElection("uuid")
        trustees = document.get("trustees")
        if trustees is not None and (not isinstance(trustees, str) or len(trustees) != 64):
            raise InvalidElection("trustees")
        options = {}
        for s in document["scrutins"]:
            listed = s["options"]
            if not isinstance(s["id"], str) or s["id"] in options or not isinstance(listed, list):
                raise InvalidElection("scrutins")
            if len(listed) < 2 or not all(isinstance(o, str) for o in listed):
                raise InvalidElection("options")
            options[s["id"]] = len(listed)
        return Election(
            phi=hashlib.sha256(data).digest(),
            uuid=document["uuid"],
            public_key=point_from_hex(document["public_key"], "public_key"),
            trustees=trustees,
            options=options,
            document=document,
        )
    except (
        UnicodeDecodeError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        InvalidElement,
    ) as error:
        raise InvalidElection(str(error)) from None


# --- the close and the sums the key holders decrypt --------------------------------------


class InvalidClose(ValueError):
    """seal-close.json, or a ballots file, that the key holders must not decrypt from."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def signer_of(envelope, trustees: Trustees, kind: str, field: str, digest: str) -> str:
    """The member (label) whose signature of `kind`, for this election, covers `digest` in
    `field`; CeremonyError naming the claimed signer and why not."""
    payload = cer.payload_of(envelope)
    try:
        label = cer.member_label(payload["group"], cer.integer(payload["index"], "index"))
    except KeyError:
        raise cer.CeremonyError("bad_message") from None
    sign_pk = trustees.sign_keys.get(label)
    if sign_pk is None:
        raise cer.CeremonyError("unknown_member", label)
    payload = cer.open_signed(envelope, sign_pk, label)
    if payload.get("kind") != kind or payload.get("election") != trustees.roster.election:
        raise cer.CeremonyError("wrong_round", label)
    if payload.get(field) != digest:
        raise cer.CeremonyError("old_manifest", label)
    return label


def signed_quorum(signatures, trustees: Trustees, kind: str, field: str, digest: str) -> list[str]:
    """The members (labels) whose signature of `kind` covers `digest`; InvalidClose unless an
    `adm` and a `del` member are among them (the seal's and the close's quorum)."""
    signers = []
    if not isinstance(signatures, list):
        raise InvalidClose("signatures")
    for envelope in signatures:
        try:
            signers.append(signer_of(envelope, trustees, kind, field, digest))
        except cer.CeremonyError:
            raise InvalidClose("signature") from None
    groups = {label.split("-", 1)[0] for label in signers}
    if len(set(signers)) != len(signers) or not {"adm", "del"} <= groups:
        raise InvalidClose("quorum")
    return sorted(signers)


# --- the seal ---------------------------------------------------------------------------

SERVER_CLOSE = "close-server"  # the kind of the server's signature of the close


class InvalidSeal(ValueError):
    """seal-open.json that does not seal this election."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class SealOpen:
    manifest: dict
    sealers: list[str]  # the key holders who signed it
    server_key: bytes  # the server's Ed25519 public key, which signs the close


def _manifest_of(document, kind: str, election_id: str, invalid: type[ValueError]) -> dict:
    """A seal's or a close's manifest: the exact text its digest names, of this kind and election."""
    text = document["manifest"]
    manifest = json.loads(text)
    if sha256_hex(text.encode("utf-8")) != document["manifest_sha256"]:
        raise invalid("manifest_sha256")
    if manifest.get("kind") != kind or manifest.get("election") != election_id:
        raise invalid("election")
    return manifest


def check_seal_open(document, trustees: Trustees, election: Election, trustees_bytes: bytes) -> SealOpen:
    """The seal: its manifest names this election, this φ and these trustees, and the server's
    signing key (`server_sign_pk`), and an `adm` and a `del` key holder signed it. The server's
    key is known, signed by the key holders, before the first vote: its signature of the close
    can only be the server's of this election."""
    try:
        manifest = _manifest_of(document, "seal-open", trustees.roster.election, InvalidSeal)
        if manifest.get("phi") != election.phi.hex() or manifest.get("trustees") != sha256_hex(trustees_bytes):
            raise InvalidSeal("φ or trustees")
        server_key = manifest.get("server_sign_pk")
        if not isinstance(server_key, str) or len(server_key) != 64:
            raise InvalidSeal("server_sign_pk")
        server_key = bytes.fromhex(server_key)
        try:
            sealers = signed_quorum(document["signatures"], trustees, "seal", "manifest", document["manifest_sha256"])
        except InvalidClose as error:
            raise InvalidSeal(error.what) from None
        return SealOpen(manifest, sealers, server_key)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, InvalidSeal):
            raise
        raise InvalidSeal("format") from None


def server_close_signature(server_seed: bytes, election: str, manifest_sha256: str) -> dict:
    """The server's signature of the close's manifest: what it froze, as it read it."""
    return cer.sign(server_seed, {"kind": SERVER_CLOSE, "election": election, "manifest": manifest_sha256})


def check_seal_close(document, trustees: Trustees, election: Election, server_key: bytes) -> dict:
    """The sealed close: its manifest (per scrutin: ballots, émargements, the ballots file's
    SHA-256), signed by an `adm` and a `del` key holder and by the server, with the key the
    seal named (`SealOpen.server_key`). Returns scrutin id → that entry."""
    try:
        manifest = _manifest_of(document, "seal-close", trustees.roster.election, InvalidClose)
        if manifest.get("phi") != election.phi.hex():
            raise InvalidClose("phi")
        scrutins = {s["id"]: s for s in manifest["scrutins"]}
        if list(scrutins) != list(election.options):
            raise InvalidClose("scrutins")
        for s in scrutins.values():
            for field in ("ballots", "emargements"):
                cer.integer(s[field], field)
            if s["ballots"] != s["emargements"]:
                raise InvalidClose(f"{s['id']}: ballots ≠ émargements")
            if not isinstance(s["ballots_sha256"], str) or len(s["ballots_sha256"]) != 64:
                raise InvalidClose("ballots_sha256")
        signed_quorum(document["signatures"], trustees, "close", "manifest", document["manifest_sha256"])
        try:
            signed = cer.open_signed(document.get("server_signature"), server_key, "server")
        except cer.CeremonyError:
            raise InvalidClose("server_signature") from None
        if signed != {
            "kind": SERVER_CLOSE,
            "election": trustees.roster.election,
            "manifest": document["manifest_sha256"],
        }:
            raise InvalidClose("server_signature")
        return scrutins
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, InvalidClose):
            raise
        raise InvalidClose("format") from None


def sum_ballots(lines, *, phi: bytes, scrutin: str, options: int):
    """(count, SHA-256 of the file, [(ΣA, ΣB) per option]) over a `ballots/<σ>.jsonl` read as
    lines of bytes: each ballot's shape and elements checked, sorted by nonce, no nonce twice.
    Its proofs and the uniqueness of every `a_i` are the count's and the verifier's work; what
    the key holders need is that these are the sums of the whole sealed box, in constant memory."""
    digest = hashlib.sha256()
    sums = [(IDENTITY, IDENTITY)] * options
    previous, count = b"", 0
    for line in lines:
        digest.update(line)
        try:
            checked = ballot_rules.decode(json.loads(line), phi=phi, scrutin=scrutin, options=options)
        except (ValueError, RecursionError, ballot_rules.InvalidBallot):
            raise InvalidClose(f"{scrutin}: ballot {count + 1}") from None
        if checked.nonce <= previous:
            raise InvalidClose(f"{scrutin}: order or duplicate nonce at ballot {count + 1}")
        previous = checked.nonce
        sums = [(A + a, B + b) for (A, B), (a, b) in zip(sums, checked.pairs, strict=True)]
        count += 1
    return count, digest.hexdigest(), sums
