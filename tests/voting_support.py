"""A sealed election for the tests of voting, with a key the tests know.

The seal itself (the ceremony, the key holders' signatures) is tested in tests/admin; here a
bureau is written straight into the sealed state the cast reads: the ballots marked sealed,
election.json under a known secret key, and the public index entry with its φ. So a test can
cast real EV1 ballots through the API and decrypt what reached the box.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from chalicelib.crypto import ballots as ev1
from chalicelib.crypto.group import IDENTITY, G, hash_to_scalar, point_from_hex
from chalicelib.crypto.record import compact, election_bytes
from chalicelib.domain.phases import PARIS
from chalicelib.services.sealed_scrutins import forget_sealed_scrutins
from chalicelib.store.ballot_box import BallotBoxEntry, box_partition
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import DEFINITION, SEALED, SEALED_ELECTIONS, BureauItem, file_part


@dataclass
class KnownKeyElection:
    election_id: str
    secret: int
    data: bytes  # election.json's exact bytes
    options: dict  # scrutin → option ids

    @property
    def phi(self) -> bytes:
        return hashlib.sha256(self.data).digest()

    @property
    def public_key(self):
        return self.secret * G

    def ballot(self, scrutin: str, choice: int, rng=None) -> dict:
        return ev1.encrypt(
            public_key=self.public_key,
            phi=self.phi,
            scrutin=scrutin,
            options=len(self.options[scrutin]),
            choice=choice,
            rng=rng,
        )

    def decrypt(self, stored: str) -> list[int]:
        ballot = json.loads(stored)
        out = []
        for pair in ballot["choices"]:
            a, b = (point_from_hex(pair[k]) for k in ("a", "b"))
            m = b - self.secret * a
            out.append(1 if m == G else 0 if m == IDENTITY else -1)
        return out


def seal_for_tests(
    ballot_ids: list[str], *, now: datetime, grace_minutes: int = 30, seed: bytes = b"tests"
) -> KnownKeyElection:
    forget_sealed_scrutins()
    election_id = str(uuid.uuid4())
    secret = hash_to_scalar("test-key", seed)
    items = {b: BallotItem.get(b) for b in ballot_ids}
    scrutins = [
        {"id": b, "label": item.label, "options": ["blank", *(c.list_id for c in item.candidate_lists)]}
        for b, item in items.items()
    ]
    first = next(iter(items.values()))
    data = election_bytes(
        uuid=election_id,
        name="Bureau de test",
        public_key=secret * G,
        trustees=b"{}",
        voting_opens_at=first.voting_opens_at.astimezone(PARIS).isoformat(),
        voting_closes_at=first.voting_closes_at.astimezone(PARIS).isoformat(),
        grace_minutes=grace_minutes,
        scrutins=scrutins,
    )
    BureauItem(election_id, DEFINITION, name="Bureau de test", ballot_ids=ballot_ids, state=SEALED, attempt=1).save()
    BureauItem(election_id, file_part("election.json"), body=data.decode(), received_at=now).save()
    BureauItem(
        SEALED_ELECTIONS,
        election_id,
        name="Bureau de test",
        scrutins=[{"id": s["id"], "label": s["label"]} for s in scrutins],
        phi=hashlib.sha256(data).hexdigest(),
        sealed_at=now,
    ).save()
    # seal-open.json as `bureau seal` records it, with each electoral list's digest as sealed
    # (the participation's registered voters); no signature: the seal's tests check those.
    from chalicelib.services.seal import electoral_list_digest

    manifest = compact(
        {
            "v": 1,
            "kind": "seal-open",
            "election": election_id,
            "phi": hashlib.sha256(data).hexdigest(),
            "scrutins": [
                {"id": s["id"], "label": s["label"], "electoral_list": electoral_list_digest(s["id"])} for s in scrutins
            ],
        }
    ).decode()
    seal_open = {"v": 1, "election": election_id, "manifest": manifest, "signatures": []}
    seal_open["manifest_sha256"] = hashlib.sha256(manifest.encode()).hexdigest()
    BureauItem(election_id, file_part("seal-open.json"), body=compact(seal_open).decode(), received_at=now).save()
    for item in items.values():
        item.update(actions=[BallotItem.bureau_id.set(election_id), BallotItem.sealed_at.set(now)])
    return KnownKeyElection(election_id, secret, data, {s["id"]: s["options"] for s in scrutins})


def box_of(scrutin: str) -> list[BallotBoxEntry]:
    """Every ballot of a scrutin's box (tests only: the API never reads the box)."""
    return [e for shard in range(64) for e in BallotBoxEntry.query(f"{scrutin}#{shard:02d}")]


__all__ = ["KnownKeyElection", "seal_for_tests", "box_of", "box_partition"]
