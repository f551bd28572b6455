"""Participation during the vote (`bureau participation`): per scrutin, the émargements against
the registered voters, and nothing of the ballot box.

The registered voters are the electoral list as the bureau sealed it (`seal-open.json`: a
sealed scrutin's list cannot change, imports refuse it); the émargements are counted on the
sign-in list. During the vote this is the only thing the bureau learns (VOTING.md: nothing but
per-scrutin counts is published), and this module cannot reach the box (pyproject.toml's
import-linter contracts).

Round trips: bureaus GetItem ×2 (the definition, seal-open.json), then per scrutin a COUNT
Query per shard of the sign-in list (64).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from chalicelib.crypto.ceremony_folder import SEAL_OPEN
from chalicelib.services.bureaus import BureauError
from chalicelib.store import bureaus as store
from chalicelib.store import sign_in, voter_codes


@dataclass(frozen=True)
class Turnout:
    ballot_id: str
    label: str
    registered: int  # on the electoral list, as sealed
    signed_in: int  # émargements
    codes_reissued: int = 0  # voter codes re-issued to its voters (réassort), by any path

    @property
    def rate(self) -> float | None:
        return self.signed_in / self.registered if self.registered else None


@dataclass(frozen=True)
class Participation:
    bureau_id: str
    name: str
    at: datetime
    scrutins: tuple[Turnout, ...]

    @property
    def registered(self) -> int:
        return sum(t.registered for t in self.scrutins)

    @property
    def signed_in(self) -> int:
        return sum(t.signed_in for t in self.scrutins)


def participation(bureau_id: str, *, now: datetime) -> Participation:
    """The bureau's participation now; BureauError if there is no such bureau or it is not
    sealed (before the seal nobody can vote, and the lists may still change)."""
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    sealed = store.get_file(bureau_id, SEAL_OPEN) if definition.state in store.VOTED else None
    if sealed is None:
        raise BureauError("not_sealed", bureau=bureau_id)
    manifest = json.loads(json.loads(sealed)["manifest"])
    reissued = voter_codes.reissue_counts([s["id"] for s in manifest["scrutins"]])
    scrutins = tuple(
        Turnout(
            s["id"],
            s.get("label", s["id"]),
            int(s["electoral_list"]["voters"]),
            sign_in.count(s["id"]),
            reissued[s["id"]],
        )  # fmt: skip
        for s in manifest["scrutins"]
    )
    return Participation(bureau_id, definition.name, now, scrutins)
