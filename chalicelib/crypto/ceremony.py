"""The key ceremony's messages (VOTING.md, "Key ceremony"): made by the key holders' tool,
relayed by the bureau's CLI, and checkable by anyone from `trustees.json`.

The roster (`Roster`): the election's uuid and its two groups, `adm` (président, secrétaire;
threshold 1) and `del` (one délégué per list; threshold 2 or more), each member by index.

- Round 1 (`init`): each member publishes, signed with a fresh Ed25519 key, that key, an X25519
  key for receiving shares, and `commitment_digest`, a hash of the coefficient commitments it
  will publish in round 2. Committing before anyone reveals a polynomial stops a member from
  choosing theirs to cancel another's (the rogue-key attack).
- `ceremony_hash` is a framed SHA-256 of the roster (with the attempt number) and every round-1
  key: everything later is signed over it, so a share or a proof of one ceremony (or attempt)
  never passes in another. Its short code (`ceremony_code`) is read aloud in round 2 before any
  share leaves a key holder's computer: equal codes mean that everyone sees the same keys, which
  defeats a folder (or portal) that shows each holder a different set.
- Round 2 (`shares`): the commitments A_ik, the Schnorr proof of a_i0, and for each other
  member j of the group the share f_i(j), signed then sealed to j's X25519 key.
- Round 3 (`check`): member j checks each share it received against the sender's commitments;
  then it publishes X_j with its proof, or, on any failure, a signed complaint that discloses
  its X25519 key of this attempt, so the bureau opens the disputed share itself and can tell
  whether the sender or the complainer is at fault.

A message is an envelope `{"v":1, "payload": "<JSON text>", "signature"}`: the signature covers
the payload's exact text, so nobody ever has to canonicalise JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from nacl import exceptions as nacl_errors
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from chalicelib.crypto import threshold
from chalicelib.crypto.ballots import crockford_base32
from chalicelib.crypto.group import (
    DOMAIN,
    ORDER,
    G,
    InvalidElement,
    Point,
    frame,
    framed_digest,
    point_from_hex,
    scalar_from_hex,
    scalar_hex,
    u32,
)

GROUPS = ("adm", "del")
ROLES = {"adm": ("president", "secretary"), "del": ("delegate",)}
ELECTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")  # also a file name: no path in it


class CeremonyError(ValueError):
    """A message that cannot be accepted. `code` is stable; `sender` names who made it
    ("adm-1", "del-3"), `detail` says what is wrong, for the French texts of the tools."""

    def __init__(self, code: str, sender: str | None = None, detail: str = ""):
        super().__init__(f"{code}: {sender or '-'} {detail}".strip())
        self.code, self.sender, self.detail = code, sender, detail


def member_label(group: str, index: int) -> str:
    return f"{group}-{index}"


def integer(value, what: str, sender: str | None = None) -> int:
    """A JSON integer (not a bool, a float or a string) in [0, 2³²)."""
    if type(value) is not int or not 0 <= value < 2**32:
        raise CeremonyError("bad_message", sender, what)
    return value


def short_code(digest: bytes) -> str:
    """80 bits of a digest in Crockford base32, XXXX-XXXX-XXXX-XXXX: read aloud, compared by ear."""
    text = crockford_base32(digest)[:16]
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def key_fingerprint(sign_pk: bytes) -> str:
    """What a key holder reads aloud at init, for the others to compare in round 2."""
    return short_code(hashlib.sha256(b"EV1-2026 key fingerprint\n" + sign_pk).digest())


def ceremony_code(ceremony_hash: bytes) -> str:
    """The ceremony hash, read aloud in round 2: equal codes mean everyone holds the same keys."""
    return short_code(ceremony_hash)


# --- the roster ------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    group: str
    index: int
    role: str
    name: str

    @property
    def label(self) -> str:
        return member_label(self.group, self.index)


@dataclass(frozen=True)
class Roster:
    """Who the key holders are: what the bureau decided, before anyone made a key."""

    election: str
    thresholds: dict  # group → threshold
    members: tuple[Member, ...]
    attempt: int = 1  # a failed ceremony starts again: nothing of one attempt passes in another

    def group(self, name: str) -> list[Member]:
        return [m for m in self.members if m.group == name]

    def member(self, group: str, index: int) -> Member:
        for m in self.members:
            if m.group == group and m.index == index:
                return m
        raise CeremonyError("unknown_member", member_label(group, index))

    def to_json(self) -> dict:
        return {
            "v": 1,
            "election": self.election,
            "attempt": self.attempt,
            "groups": [
                {
                    "name": g,
                    "threshold": self.thresholds[g],
                    "members": [{"index": m.index, "role": m.role, "name": m.name} for m in self.group(g)],
                }
                for g in GROUPS
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Roster:
        try:
            members, thresholds = [], {}
            for group in data["groups"]:
                thresholds[group["name"]] = integer(group["threshold"], "threshold")
                for m in group["members"]:
                    members.append(Member(group["name"], integer(m["index"], "index"), m["role"], m["name"]))
            roster = cls(data["election"], thresholds, tuple(members), integer(data.get("attempt", 1), "attempt"))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CeremonyError("bad_roster") from None
        roster.check()
        return roster

    def check(self) -> None:
        """Two groups, members numbered 1…n, thresholds the access structure needs."""
        if not isinstance(self.election, str) or not ELECTION_ID.match(self.election) or self.attempt < 1:
            raise CeremonyError("bad_roster", detail="election")
        for m in self.members:
            if not all(isinstance(x, str) for x in (m.group, m.role, m.name)) or not m.name.isprintable():
                raise CeremonyError("bad_roster", detail="names")
        if sorted(self.thresholds) != sorted(GROUPS):
            raise CeremonyError("bad_roster", detail="groups")
        for g in GROUPS:
            members = self.group(g)
            if [m.index for m in members] != list(range(1, len(members) + 1)):
                raise CeremonyError("bad_roster", detail=f"{g} indices")
            if any(m.role not in ROLES[g] for m in members):
                raise CeremonyError("bad_roster", detail=f"{g} roles")
        if self.thresholds["adm"] != 1 or not self.group("adm"):
            raise CeremonyError("bad_roster", detail="adm threshold")
        if not 2 <= self.thresholds["del"] <= len(self.group("del")):
            raise CeremonyError("bad_roster", detail="del threshold")


# --- signed envelopes -------------------------------------------------------------------


def _signed_bytes(text: str) -> bytes:
    return frame(DOMAIN) + frame(b"signed") + frame(text.encode("utf-8"))


def sign(signing_seed: bytes, payload: dict) -> dict:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    signature = SigningKey(signing_seed).sign(_signed_bytes(text)).signature
    return {"v": 1, "payload": text, "signature": signature.hex()}


def signing_public_key(signing_seed: bytes) -> bytes:
    """The Ed25519 public key that checks what `sign` signs with this seed."""
    return bytes(SigningKey(signing_seed).verify_key)


def payload_of(envelope) -> dict:
    """The payload, unverified (to learn who claims to have sent it)."""
    try:
        payload = json.loads(envelope["payload"])
    except (TypeError, KeyError, ValueError):
        raise CeremonyError("bad_message") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("kind"), str):
        raise CeremonyError("bad_message")
    return payload


def open_signed(envelope, sign_pk: bytes, sender: str) -> dict:
    """The payload if `sign_pk` signed this exact text, else CeremonyError("bad_signature")."""
    payload = payload_of(envelope)
    try:
        signature = bytes.fromhex(envelope["signature"])
        VerifyKey(sign_pk).verify(_signed_bytes(envelope["payload"]), signature)
    except (KeyError, TypeError, ValueError, nacl_errors.BadSignatureError):
        raise CeremonyError("bad_signature", sender) from None
    return payload


# --- a key holder's secrets (kept in the key file) ---------------------------------------


@dataclass
class Secrets:
    election: str
    group: str
    index: int
    signing_seed: bytes
    encryption_key: bytes
    coefficients: list[int]
    attempt: int = 1
    ceremony_hash: bytes | None = None
    key_share: int | None = None  # x_j, once round 3 succeeded

    @property
    def label(self) -> str:
        return member_label(self.group, self.index)

    @property
    def sign_pk(self) -> bytes:
        return bytes(SigningKey(self.signing_seed).verify_key)

    @property
    def enc_pk(self) -> bytes:
        return bytes(PrivateKey(self.encryption_key).public_key)

    def to_json(self) -> dict:
        return {
            "election": self.election,
            "group": self.group,
            "index": self.index,
            "signing_seed": self.signing_seed.hex(),
            "encryption_key": self.encryption_key.hex(),
            "coefficients": [scalar_hex(a) for a in self.coefficients],
            "attempt": self.attempt,
            "ceremony_hash": self.ceremony_hash.hex() if self.ceremony_hash else None,
            "key_share": scalar_hex(self.key_share) if self.key_share is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> Secrets:
        return cls(
            election=data["election"],
            group=data["group"],
            index=int(data["index"]),
            signing_seed=bytes.fromhex(data["signing_seed"]),
            encryption_key=bytes.fromhex(data["encryption_key"]),
            coefficients=[scalar_from_hex(a) for a in data["coefficients"]],
            attempt=int(data.get("attempt", 1)),
            ceremony_hash=bytes.fromhex(data["ceremony_hash"]) if data.get("ceremony_hash") else None,
            key_share=scalar_from_hex(data["key_share"]) if data.get("key_share") else None,
        )


def new_secrets(roster: Roster, group: str, index: int, rng) -> Secrets:
    roster.member(group, index)
    return Secrets(
        election=roster.election,
        group=group,
        index=index,
        signing_seed=rng.nonce(),
        encryption_key=rng.nonce(),
        coefficients=[rng.scalar() for _ in range(roster.thresholds[group])],
        attempt=roster.attempt,
    )


def commitment_digest(commitments: list[Point]) -> bytes:
    return framed_digest("sha256", "commitments", *commitments)


# --- round 1 ---------------------------------------------------------------------------


def round1(secrets: Secrets) -> dict:
    commitments = threshold.commitments(secrets.coefficients)
    return sign(
        secrets.signing_seed,
        {
            "kind": "round1",
            "election": secrets.election,
            "attempt": secrets.attempt,
            "group": secrets.group,
            "index": secrets.index,
            "sign_pk": secrets.sign_pk.hex(),
            "enc_pk": secrets.enc_pk.hex(),
            "commitment_digest": commitment_digest(commitments).hex(),
        },
    )


@dataclass(frozen=True)
class Round1:
    member: Member
    sign_pk: bytes
    enc_pk: bytes
    commitment_digest: bytes
    envelope: dict


def _key32(value, what: str, sender: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64:
        raise CeremonyError("bad_message", sender, what)
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise CeremonyError("bad_message", sender, what) from None
    if raw.hex() != value:
        raise CeremonyError("bad_message", sender, what)
    return raw


def _sender(payload: dict, roster: Roster) -> Member:
    try:
        return roster.member(payload["group"], integer(payload["index"], "index"))
    except KeyError:
        raise CeremonyError("bad_message") from None


def check_round1(envelope, roster: Roster) -> Round1:
    """A round-1 message of this roster, self-signed; CeremonyError naming the sender if not."""
    payload = payload_of(envelope)
    member = _sender(payload, roster)
    if payload["kind"] != "round1":
        raise CeremonyError("wrong_round", member.label)
    if payload.get("election") != roster.election:
        raise CeremonyError("wrong_election", member.label)
    if payload.get("attempt") != roster.attempt or type(payload.get("attempt")) is not int:
        raise CeremonyError("wrong_ceremony", member.label, "attempt")
    sign_pk = _key32(payload.get("sign_pk"), "sign_pk", member.label)
    enc_pk = _key32(payload.get("enc_pk"), "enc_pk", member.label)
    digest = _key32(payload.get("commitment_digest"), "commitment_digest", member.label)
    try:  # a key libsodium cannot seal to (small order) would stop everyone else's round 2
        SealedBox(PublicKey(enc_pk)).encrypt(b"-")
    except (nacl_errors.CryptoError, RuntimeError, TypeError, ValueError):
        raise CeremonyError("bad_message", member.label, "enc_pk") from None
    try:
        open_signed(envelope, sign_pk, member.label)
    except nacl_errors.CryptoError:  # a sign_pk that is not a key
        raise CeremonyError("bad_signature", member.label) from None
    return Round1(member, sign_pk, enc_pk, digest, envelope)


def ceremony_hash(roster: Roster, round1s: dict[str, Round1]) -> bytes:
    """Framed SHA-256 of the roster and every member's round-1 keys, in roster order."""
    parts: list = [roster.election, u32(roster.attempt)]
    for g in GROUPS:
        members = roster.group(g)
        parts += [g, u32(roster.thresholds[g]), u32(len(members))]
        for m in members:
            r = round1s[m.label]
            parts += [u32(m.index), m.role, m.name, r.sign_pk, r.enc_pk, r.commitment_digest]
    return framed_digest("sha256", "ceremony", *parts)


def missing(roster: Roster, received: dict) -> list[Member]:
    return [m for m in roster.members if m.label not in received]


# --- round 2 ---------------------------------------------------------------------------


def round2(secrets: Secrets, roster: Roster, round1s: dict[str, Round1], ceremony: bytes, rng) -> dict:
    commitments = threshold.commitments(secrets.coefficients)
    pok = threshold.prove_knowledge(
        "pok",
        secrets.coefficients[0],
        commitments[0],
        threshold.pok_context(ceremony, secrets.group, secrets.index),
        rng,
    )
    shares = []
    for m in roster.group(secrets.group):
        if m.index == secrets.index:
            continue
        inner = sign(
            secrets.signing_seed,
            {
                "kind": "share",
                "ceremony_hash": ceremony.hex(),
                "group": secrets.group,
                "from": secrets.index,
                "to": m.index,
                "share": scalar_hex(threshold.share(secrets.coefficients, m.index)),
            },
        )
        sealed = SealedBox(PublicKey(round1s[m.label].enc_pk)).encrypt(json.dumps(inner).encode())
        shares.append({"to": m.index, "sealed": sealed.hex()})
    return sign(
        secrets.signing_seed,
        {
            "kind": "round2",
            "ceremony_hash": ceremony.hex(),
            "group": secrets.group,
            "index": secrets.index,
            "commitments": [A.hex() for A in commitments],
            "pok": {"c": scalar_hex(pok.c), "s": scalar_hex(pok.s)},
            "shares": shares,
        },
    )


@dataclass(frozen=True)
class Round2:
    member: Member
    commitments: list[Point]
    pok: threshold.Proof
    sealed: dict  # recipient index → sealed bytes
    envelope: dict


def _proof(raw, sender: str, what: str) -> threshold.Proof:
    try:
        return threshold.Proof(scalar_from_hex(raw["c"], what), scalar_from_hex(raw["s"], what))
    except (InvalidElement, KeyError, TypeError):
        raise CeremonyError("bad_message", sender, what) from None


def _same_ceremony(payload: dict, ceremony: bytes, sender: str) -> None:
    if payload.get("ceremony_hash") != ceremony.hex():
        raise CeremonyError("wrong_ceremony", sender)


def check_round2(envelope, roster: Roster, round1s: dict[str, Round1], ceremony: bytes) -> Round2:
    """Everything public in a round-2 message: signature, ceremony, commitments against the
    round-1 digest, the proof of knowledge, one sealed share for each other member."""
    payload = payload_of(envelope)
    member = _sender(payload, roster)
    first = round1s[member.label]
    payload = open_signed(envelope, first.sign_pk, member.label)
    if payload["kind"] != "round2":
        raise CeremonyError("wrong_round", member.label)
    _same_ceremony(payload, ceremony, member.label)
    try:
        commitments = [point_from_hex(A, "commitment") for A in payload["commitments"]]
    except (InvalidElement, KeyError, TypeError):
        raise CeremonyError("bad_commitments", member.label) from None
    if len(commitments) != roster.thresholds[member.group]:
        raise CeremonyError("bad_commitments", member.label, "count")
    if commitment_digest(commitments) != first.commitment_digest:
        raise CeremonyError("commitments_changed", member.label)
    pok = _proof(payload.get("pok"), member.label, "pok")
    context = threshold.pok_context(ceremony, member.group, member.index)
    if not threshold.knowledge_is_proven("pok", commitments[0], pok, context):
        raise CeremonyError("bad_pok", member.label)
    sealed: dict = {}
    try:
        for item in payload["shares"]:
            sealed[integer(item["to"], "to", member.label)] = bytes.fromhex(item["sealed"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CeremonyError("bad_message", member.label, "shares") from None
    others = {m.index for m in roster.group(member.group)} - {member.index}
    if set(sealed) != others:
        raise CeremonyError("missing_shares", member.label)
    return Round2(member, commitments, pok, sealed, envelope)


# --- round 3 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What `check` produced: the key share and round-3 message, or a complaint."""

    message: dict
    key_share: int | None
    against: str | None = None  # the sender of the bad share, for a complaint


def _complaint(secrets: Secrets, ceremony: bytes, sender: Member, reason: str) -> Outcome:
    """A complaint discloses this attempt's X25519 key: the bureau then opens the disputed
    share itself and rules (a sealed box does not say who sealed it, but the sender signed the
    round-2 message that carries it). The attempt is abandoned, so the key protects nothing."""
    message = sign(
        secrets.signing_seed,
        {
            "kind": "complaint",
            "ceremony_hash": ceremony.hex(),
            "group": secrets.group,
            "index": secrets.index,
            "against": sender.index,
            "reason": reason,
            "disclosed_key": secrets.encryption_key.hex(),
        },
    )
    return Outcome(message, None, sender.label)


def open_share(
    encryption_key: bytes, sender: Round2, recipient: int, round1s, ceremony: bytes
) -> tuple[int | None, str]:
    """(share, "") if the share `sender` sealed for `recipient` opens, is signed by the sender,
    is addressed to this ceremony and member, and matches the sender's commitments; else
    (None, why). The same reading for the recipient (round 3) and for the bureau (a complaint)."""
    try:
        inner = json.loads(SealedBox(PrivateKey(encryption_key)).decrypt(sender.sealed[recipient]))
    except (nacl_errors.CryptoError, ValueError, KeyError, TypeError, RecursionError):
        return None, "share_unreadable"
    try:
        payload = open_signed(inner, round1s[sender.member.label].sign_pk, sender.member.label)
    except CeremonyError:
        return None, "share_unsigned"
    expected = {"kind": "share", "ceremony_hash": ceremony.hex(), "group": sender.member.group}
    expected |= {"from": sender.member.index, "to": recipient}
    if any(payload.get(k) != v or type(payload.get(k)) is not type(v) for k, v in expected.items()):
        return None, "share_misaddressed"
    try:
        value = scalar_from_hex(payload.get("share"), "share")
    except InvalidElement:
        return None, "share_mismatch"
    if not threshold.share_is_valid(value, sender.commitments, recipient):
        return None, "share_mismatch"
    return value, ""


def round3(
    secrets: Secrets, roster: Roster, round1s: dict, round2s: dict[str, Round2], ceremony: bytes, rng
) -> Outcome:
    """Check every share sent to this member; X_j and its proof, or a complaint at the first bad one."""
    total = threshold.share(secrets.coefficients, secrets.index)
    for m in roster.group(secrets.group):
        if m.index == secrets.index:
            continue
        value, reason = open_share(secrets.encryption_key, round2s[m.label], secrets.index, round1s, ceremony)
        if value is None:
            return _complaint(secrets, ceremony, m, reason)
        total = (total + value) % ORDER
    X = total * G
    expected = threshold.verification_key(
        [round2s[m.label].commitments for m in roster.group(secrets.group)], secrets.index
    )
    if X != expected:  # cannot happen when every share matched; kept as a last guard
        raise CeremonyError("inconsistent_key", secrets.label)
    message = _round3_message(secrets, total, ceremony, rng)
    return Outcome(message, total)


def _round3_message(secrets: Secrets, key_share: int, ceremony: bytes, rng) -> dict:
    X = key_share * G
    proof = threshold.prove_knowledge(
        "pok-vk", key_share, X, threshold.pok_context(ceremony, secrets.group, secrets.index), rng
    )
    return sign(
        secrets.signing_seed,
        {
            "kind": "round3",
            "ceremony_hash": ceremony.hex(),
            "group": secrets.group,
            "index": secrets.index,
            "verification_key": X.hex(),
            "vk_pok": {"c": scalar_hex(proof.c), "s": scalar_hex(proof.s)},
        },
    )


def round3_message(secrets: Secrets, ceremony: bytes, rng) -> dict:
    """The round-3 message again, from a key file that finished round 3 (a lost deposit)."""
    return _round3_message(secrets, secrets.key_share, ceremony, rng)


@dataclass(frozen=True)
class Round3:
    member: Member
    verification_key: Point
    vk_pok: threshold.Proof
    envelope: dict


@dataclass(frozen=True)
class Verdict:
    """The bureau's reading of a complaint: who is at fault, and why (a stable code)."""

    complainer: str
    accused: str
    at_fault: str
    reason: str
    proven: bool


def check_round3(
    envelope, roster: Roster, round1s: dict, round2s: dict[str, Round2], ceremony: bytes
) -> Round3 | Verdict:
    """A round-3 message (X_j matches the commitments, its proof holds), or the verdict on a
    complaint (`_verdict`)."""
    payload = payload_of(envelope)
    member = _sender(payload, roster)
    payload = open_signed(envelope, round1s[member.label].sign_pk, member.label)
    _same_ceremony(payload, ceremony, member.label)
    if payload["kind"] == "complaint":
        return _verdict(payload, member, roster, round1s, round2s, ceremony)
    if payload["kind"] != "round3":
        raise CeremonyError("wrong_round", member.label)
    try:
        X = point_from_hex(payload.get("verification_key"), "verification_key")
    except InvalidElement:
        raise CeremonyError("bad_verification_key", member.label) from None
    expected = threshold.verification_key(
        [round2s[m.label].commitments for m in roster.group(member.group)], member.index
    )
    if X != expected:
        raise CeremonyError("bad_verification_key", member.label)
    proof = _proof(payload.get("vk_pok"), member.label, "vk_pok")
    if not threshold.knowledge_is_proven(
        "pok-vk", X, proof, threshold.pok_context(ceremony, member.group, member.index)
    ):
        raise CeremonyError("bad_pok", member.label)
    return Round3(member, X, proof, envelope)


def _verdict(payload, complainer: Member, roster: Roster, round1s, round2s, ceremony: bytes) -> Verdict:
    """Open the disputed share with the key the complainer disclosed, and say who is at fault:
    the sender if the share it signed into round 2 does not open, is unsigned, misaddressed or
    does not match its commitments; the complainer if the share is good or the key disclosed
    is not theirs."""
    try:
        accused = roster.member(complainer.group, integer(payload["against"], "against", complainer.label))
        disclosed = _key32(payload.get("disclosed_key"), "disclosed_key", complainer.label)
    except KeyError:
        raise CeremonyError("bad_message", complainer.label, "against") from None
    if accused.index == complainer.index or bytes(PrivateKey(disclosed).public_key) != round1s[complainer.label].enc_pk:
        return Verdict(complainer.label, accused.label, complainer.label, "bad_disclosure", proven=True)
    value, found = open_share(disclosed, round2s[accused.label], complainer.index, round1s, ceremony)
    if value is not None:
        return Verdict(complainer.label, accused.label, complainer.label, "share_was_valid", proven=True)
    return Verdict(complainer.label, accused.label, accused.label, found, proven=True)
