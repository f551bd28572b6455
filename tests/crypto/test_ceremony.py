"""The ceremony's messages: 2 adm + 4 del through rounds 1–3, trustees.json re-checked from the
file alone, every tampering caught and its sender named, and the access structure of the key."""

from __future__ import annotations

import copy
import json
import random

import pytest

from chalicelib.crypto import ballots, ceremony, record, threshold
from chalicelib.crypto.ceremony import CeremonyError, Member, Roster
from chalicelib.crypto.group import IDENTITY, ORDER, G, scalar_hex

PHI = bytes(32)


class SeededRandom:
    def __init__(self, seed):
        self.random = random.Random(seed)

    def scalar(self):
        return self.random.randrange(1, ORDER)

    def nonce(self):
        return self.random.randbytes(32)


def roster(delegates=4, threshold_=2) -> Roster:
    members = [Member("adm", 1, "president", "Claire Président"), Member("adm", 2, "secretary", "Samir Secrétaire")]
    members += [Member("del", i, "delegate", f"Délégué {i}") for i in range(1, delegates + 1)]
    return Roster("e-1", {"adm": 1, "del": threshold_}, tuple(members))


class Ceremony:
    """The bureau's side, in memory: what each round received, checked as the CLI does."""

    def __init__(self, roster_: Roster, seed=7):
        self.roster, self.rng = roster_, SeededRandom(seed)
        self.secrets = {m.label: ceremony.new_secrets(roster_, m.group, m.index, self.rng) for m in roster_.members}
        self.round1 = {k: ceremony.check_round1(ceremony.round1(s), roster_) for k, s in self.secrets.items()}
        self.hash = ceremony.ceremony_hash(roster_, self.round1)
        for s in self.secrets.values():
            s.ceremony_hash = self.hash
        self.round2 = {}
        for label, s in self.secrets.items():
            message = ceremony.round2(s, roster_, self.round1, self.hash, self.rng)
            self.round2[label] = ceremony.check_round2(message, roster_, self.round1, self.hash)

    def run_round3(self):
        outcomes = {
            k: ceremony.round3(s, self.roster, self.round1, self.round2, self.hash, self.rng)
            for k, s in self.secrets.items()
        }
        checked = {
            k: ceremony.check_round3(o.message, self.roster, self.round1, self.round2, self.hash)
            for k, o in outcomes.items()
        }
        return outcomes, checked

    def trustees(self):
        outcomes, checked = self.run_round3()
        for k, o in outcomes.items():
            self.secrets[k].key_share = o.key_share
        return record.trustees_document(self.roster, self.round1, self.round2, checked, self.hash)


@pytest.fixture(scope="module")
def done():
    c = Ceremony(roster())
    return c, c.trustees()


def test_the_trustees_file_is_checked_from_itself_and_gives_the_election_key(done):
    c, document = done
    document = json.loads(json.dumps(document))  # as read from the file
    checked = record.check_trustees(document)
    x = sum(s.coefficients[0] for s in c.secrets.values()) % ORDER
    assert checked.public_key == x * G
    assert checked.ceremony_hash == c.hash
    for label, s in c.secrets.items():
        assert checked.verification_keys[label] == s.key_share * G


@pytest.mark.parametrize(
    "path, value",
    [
        (("groups", 1, "members", 2, "commitments", 0), "change"),
        (("groups", 0, "members", 0, "name"), "Quelqu'un d'autre"),
        (("groups", 1, "members", 0, "verification_key"), "change"),
        (("groups", 1, "threshold"), 1),
        (("public_key",), "change"),
        (("groups", 1, "members", 3, "messages", 2, "payload"), "change"),
    ],
)
def test_any_change_to_the_trustees_file_is_refused(done, path, value):
    _, document = done
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value == "change":
        old = target[path[-1]]
        value = (G + G).hex() if len(old) == 64 else old.replace('"index":4', '"index":3')
    target[path[-1]] = value
    with pytest.raises(CeremonyError):
        record.check_trustees(changed)


def bad_share_round2(c, sender: str, victim: int) -> dict:
    """The sender's true round-2 message, except the share for `victim`: off by one, but
    properly signed and sealed, so only the victim can see that it is wrong."""
    s = c.secrets[sender]
    payload = json.loads(ceremony.round2(s, c.roster, c.round1, c.hash, c.rng)["payload"])
    inner = ceremony.sign(
        s.signing_seed,
        {
            "kind": "share",
            "ceremony_hash": c.hash.hex(),
            "group": s.group,
            "from": s.index,
            "to": victim,
            "share": scalar_hex(threshold.share(s.coefficients, victim) + 1),
        },
    )
    sealed = ceremony.SealedBox(ceremony.PublicKey(c.round1[f"{s.group}-{victim}"].enc_pk))
    for item in payload["shares"]:
        if item["to"] == victim:
            item["sealed"] = sealed.encrypt(json.dumps(inner).encode()).hex()
    return ceremony.sign(s.signing_seed, payload)


def test_a_share_that_does_not_match_its_commitments_is_caught_and_its_sender_named():
    c = Ceremony(roster(), seed=9)
    c.round2["del-2"] = ceremony.check_round2(bad_share_round2(c, "del-2", 3), c.roster, c.round1, c.hash)
    outcome = ceremony.round3(c.secrets["del-3"], c.roster, c.round1, c.round2, c.hash, c.rng)
    assert outcome.key_share is None and outcome.against == "del-2"
    verdict = ceremony.check_round3(outcome.message, c.roster, c.round1, c.round2, c.hash)
    assert isinstance(verdict, ceremony.Verdict)
    assert (verdict.at_fault, verdict.reason, verdict.proven) == ("del-2", "share_mismatch", True)
    # the others' shares from del-2 were good: they finish round 3
    assert ceremony.round3(c.secrets["del-1"], c.roster, c.round1, c.round2, c.hash, c.rng).key_share


def complaint(c, complainer: str, against: int, disclosed: bytes) -> dict:
    s = c.secrets[complainer]
    payload = {"kind": "complaint", "ceremony_hash": c.hash.hex(), "group": s.group, "index": s.index}
    payload |= {"against": against, "reason": "share_mismatch", "disclosed_key": disclosed.hex()}
    return ceremony.sign(s.signing_seed, payload)


def test_a_false_complaint_names_the_complainer(done):
    c, _ = done
    lie = complaint(c, "del-4", 1, c.secrets["del-4"].encryption_key)
    verdict = ceremony.check_round3(lie, c.roster, c.round1, c.round2, c.hash)
    assert (verdict.at_fault, verdict.reason, verdict.proven) == ("del-4", "share_was_valid", True)


def test_a_complaint_that_does_not_disclose_the_complainers_own_key_names_the_complainer(done):
    c, _ = done
    other = complaint(c, "del-4", 1, c.secrets["del-2"].encryption_key)
    verdict = ceremony.check_round3(other, c.roster, c.round1, c.round2, c.hash)
    assert (verdict.at_fault, verdict.reason) == ("del-4", "bad_disclosure")


def test_a_share_that_cannot_be_opened_is_the_senders_fault():
    c = Ceremony(roster(), seed=11)
    s = c.secrets["del-1"]
    payload = json.loads(ceremony.round2(s, c.roster, c.round1, c.hash, c.rng)["payload"])
    payload["shares"][1]["sealed"] = "00" * 80  # for del-3: garbage, inside del-1's signed message
    c.round2["del-1"] = ceremony.check_round2(ceremony.sign(s.signing_seed, payload), c.roster, c.round1, c.hash)
    outcome = ceremony.round3(c.secrets["del-3"], c.roster, c.round1, c.round2, c.hash, c.rng)
    verdict = ceremony.check_round3(outcome.message, c.roster, c.round1, c.round2, c.hash)
    assert (verdict.at_fault, verdict.reason, verdict.proven) == ("del-1", "share_unreadable", True)


def test_nothing_of_one_attempt_passes_in_the_next():
    first = roster()
    c = Ceremony(first, seed=12)
    second = Roster(first.election, first.thresholds, first.members, attempt=2)
    with pytest.raises(CeremonyError) as refused:
        ceremony.check_round1(ceremony.round1(c.secrets["adm-1"]), second)
    assert refused.value.code == "wrong_ceremony"
    again = {k: v for k, v in c.round1.items()}
    assert ceremony.ceremony_hash(second, again) != c.hash


def test_a_key_nobody_can_seal_to_is_refused_at_round_one():
    c = Ceremony(roster(), seed=13)
    s = c.secrets["del-2"]
    payload = json.loads(ceremony.round1(s)["payload"])
    payload["enc_pk"] = "00" * 32  # a small-order X25519 point
    with pytest.raises(CeremonyError) as refused:
        ceremony.check_round1(ceremony.sign(s.signing_seed, payload), c.roster)
    assert (refused.value.code, refused.value.sender, refused.value.detail) == ("bad_message", "del-2", "enc_pk")


@pytest.mark.parametrize("index", [True, 1.0, "1", 10**400, -1])
def test_numbers_in_messages_are_json_integers(index):
    c = Ceremony(roster(), seed=14)
    s = c.secrets["adm-1"]
    payload = json.loads(ceremony.round1(s)["payload"])
    payload["index"] = index
    with pytest.raises(CeremonyError):
        ceremony.check_round1(ceremony.sign(s.signing_seed, payload), c.roster)


def test_the_ceremony_code_is_what_everyone_reads_aloud(done):
    c, _ = done
    code = ceremony.ceremony_code(c.hash)
    assert len(code) == 19 and code.count("-") == 3
    assert ceremony.key_fingerprint(c.round1["adm-1"].sign_pk) != ceremony.key_fingerprint(c.round1["adm-2"].sign_pk)


@pytest.mark.parametrize("election", ["../../etc", "", None, "a/b", "x" * 65])
def test_the_election_id_is_safe_in_a_file_name(election):
    with pytest.raises(CeremonyError):
        Roster(election, {"adm": 1, "del": 2}, roster().members).check()


def test_round_two_is_refused_when_it_does_not_keep_round_ones_promise():
    c = Ceremony(roster(), seed=3)
    s = copy.copy(c.secrets["del-1"])
    s.coefficients = [s.coefficients[0], s.coefficients[1] + 1]  # another polynomial than committed
    message = ceremony.round2(s, c.roster, c.round1, c.hash, c.rng)
    with pytest.raises(CeremonyError) as refused:
        ceremony.check_round2(message, c.roster, c.round1, c.hash)
    assert (refused.value.code, refused.value.sender) == ("commitments_changed", "del-1")


def test_a_message_changed_after_signing_is_refused_and_names_its_claimed_sender():
    c = Ceremony(roster(), seed=4)
    message = ceremony.round2(c.secrets["adm-2"], c.roster, c.round1, c.hash, c.rng)
    payload = json.loads(message["payload"])
    payload["pok"]["s"] = scalar_hex(1)
    message["payload"] = json.dumps(payload, separators=(",", ":"))
    with pytest.raises(CeremonyError) as refused:
        ceremony.check_round2(message, c.roster, c.round1, c.hash)
    assert (refused.value.code, refused.value.sender) == ("bad_signature", "adm-2")


def test_messages_of_another_ceremony_are_refused():
    c = Ceremony(roster(), seed=5)
    message = ceremony.round2(c.secrets["del-1"], c.roster, c.round1, bytes(32), c.rng)
    with pytest.raises(CeremonyError) as refused:
        ceremony.check_round2(message, c.roster, c.round1, c.hash)
    assert refused.value.code == "wrong_ceremony"


@pytest.mark.parametrize("delegates, threshold_", [(1, 2), (3, 4), (3, 1)])
def test_a_roster_without_the_access_structure_is_refused(delegates, threshold_):
    with pytest.raises(CeremonyError):
        roster(delegates, threshold_).check()


def _count(document, secrets, present, votes):
    """Decrypt a tally of `votes` with the key holders `present`; None if it gives no count."""
    Y = record.check_trustees(document).public_key
    cast = [
        ballots.verify(
            ballots.encrypt(public_key=Y, phi=PHI, scrutin="S", options=3, choice=v),
            public_key=Y,
            phi=PHI,
            scrutin="S",
            options=3,
        )
        for v in votes
    ]
    counts = []
    for i in range(3):
        A = B = IDENTITY
        for checked in cast:
            A, B = A + checked.pairs[i][0], B + checked.pairs[i][1]
        removed = IDENTITY
        for group in ("adm", "del"):
            partials = {int(label[4:]): secrets[label].key_share * A for label in present if label.startswith(group)}
            if partials:
                removed = removed + threshold.combine(partials)
        try:
            counts.append(threshold.discrete_log(B - removed, len(votes)))
        except threshold.NotACount:
            return None
    return counts


@pytest.mark.parametrize(
    "present, decrypts",
    [
        (["adm-1", "del-1", "del-2"], True),
        (["adm-2", "del-3", "del-4"], True),
        (["adm-1", "adm-2", "del-1", "del-2", "del-3", "del-4"], True),
        (["del-1", "del-2", "del-3", "del-4"], False),
        (["adm-1", "del-1"], False),
        (["adm-1", "adm-2", "del-2"], False),
    ],
)
def test_the_key_needs_the_president_or_secretary_and_two_delegates(done, present, decrypts):
    c, document = done
    votes = [0, 2, 2, 1, 2, 0, 2, 1]
    counts = _count(document, c.secrets, present, votes)
    if decrypts:
        assert counts == [2, 2, 4]
    else:
        assert counts != [2, 2, 4]
