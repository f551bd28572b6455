"""The result from the tally and the key holders' partial decryptions (VOTING.md, "Counting").

Each partial (`partials/<group>-<index>.json`) is checked whole: a key holder of this election,
every scrutin and option of the tally present, every D a valid element with a valid
Chaum–Pedersen proof against the holder's verification key X_j and the tally's A (label
"<γ>/<σ>/<i>"). A partial that fails is refused by name, never skipped silently. Then the
access structure: at least the threshold of each group (one of the président and the secrétaire,
two délégués by default), else no result. Each group's partials are combined with Lagrange
coefficients at 0, M = B − Σ_γ Σ_j λ_j·D_j = m·G, and m found in [0, ballots] by baby-step
giant-step; the counts of a scrutin must add up to its ballots (one option per ballot).

Pure: the EV1 library and the standard library only (the verifier imports it by itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.crypto import ceremony as cer
from chalicelib.crypto import threshold
from chalicelib.crypto.group import IDENTITY, InvalidElement, point_from_hex, scalar_from_hex
from chalicelib.crypto.record import Trustees
from chalicelib.crypto.tally import CountError, Sums


class ResultError(ValueError):
    """No result: `what` names the partial, the member or the scrutin at fault."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Partial:
    group: str
    index: int
    shares: dict  # scrutin → [D per option]


def _element(value, what: str):
    """A decryption share: a valid element, or the identity (the share of an empty sum)."""
    return IDENTITY if value == IDENTITY.hex() else point_from_hex(value, what)


def check_partial(document, *, name: str, trustees: Trustees, phi: bytes, tally: dict[str, Sums]) -> Partial:
    """A partial decryption checked whole against the tally (scrutin → Sums); ResultError naming
    `name` (its file) and what is wrong."""
    try:
        group, index = document["group"], cer.integer(document["index"], "index")
        if document.get("v") != 1 or type(document["v"]) is not int:
            raise ResultError(f"{name}: version")
        label = cer.member_label(group, index)
        X = trustees.verification_keys.get(label)
        if X is None:
            raise ResultError(f"{name}: {label} is not a key holder of this election")
        entries = {entry["id"]: entry["options"] for entry in document["scrutins"]}
        if set(entries) != set(tally) or len(entries) != len(document["scrutins"]):
            raise ResultError(f"{name}: not the tally's scrutins")
        shares = {}
        for scrutin, sums in tally.items():
            options = entries[scrutin]
            if len(options) != len(sums.options):
                raise ResultError(f"{name}: {scrutin}: options")
            found = []
            for i, (option, (A, _)) in enumerate(zip(options, sums.options, strict=True)):
                D = _element(option["d"], "d")
                proof = threshold.Proof(scalar_from_hex(option["c"], "c"), scalar_from_hex(option["s"], "s"))
                label_i = threshold.decryption_label(group, scrutin, i)
                if not threshold.partial_is_valid(X, A, D, proof, phi=phi, label=label_i, index=index):
                    raise ResultError(f"{name}: {scrutin} option {i}: proof")
                found.append(D)
            shares[scrutin] = found
    except (KeyError, TypeError, AttributeError, InvalidElement, cer.CeremonyError):
        raise ResultError(f"{name}: format") from None
    return Partial(group, index, shares)


def combine(*, trustees: Trustees, tally: dict[str, Sums], partials: list[Partial]) -> tuple[dict, dict]:
    """(used, counts): the members whose partials were combined, per group, and per scrutin the
    count of each option (blank first); ResultError if the access structure is not met or a
    count is not one."""
    by_group: dict[str, dict[int, Partial]] = {}
    for partial in partials:
        if partial.index in by_group.setdefault(partial.group, {}):
            raise ResultError(f"{partial.group}-{partial.index}: two partials")
        by_group[partial.group][partial.index] = partial
    for group, needed in trustees.roster.thresholds.items():
        if len(by_group.get(group, {})) < needed:
            raise ResultError(f"access: {group} needs {needed}, has {len(by_group.get(group, {}))}")
    counts = {}
    for scrutin, sums in tally.items():
        found = []
        for i, (_, B) in enumerate(sums.options):
            removed = IDENTITY
            for members in by_group.values():
                removed = removed + threshold.combine({j: p.shares[scrutin][i] for j, p in members.items()})
            try:
                found.append(threshold.discrete_log(B - removed, sums.ballots))
            except threshold.NotACount:
                raise ResultError(f"{scrutin} option {i}: not a count") from None
        if sum(found) != sums.ballots:
            raise ResultError(f"{scrutin}: the counts add up to {sum(found)}, not {sums.ballots}")
        counts[scrutin] = found
    used = {group: sorted(members) for group, members in sorted(by_group.items())}
    return used, counts


def result_document(phi: bytes, used: dict, tally: dict[str, Sums], counts: dict) -> dict:
    """result.json (VOTING.md)."""
    return {
        "v": 1,
        "election": phi.hex(),
        "used": used,
        "scrutins": [{"id": s, "ballots": tally[s].ballots, "counts": counts[s]} for s in tally],
    }


def tally_sums(document: dict, *, phi: bytes, options: dict) -> dict[str, Sums]:
    """tally.json read back: scrutin → Sums, in the election's order; ResultError if it is not
    this election's."""
    try:
        if document["v"] != 1 or document["election"] != phi.hex():
            raise ResultError("tally.json: another election")
        sums = {s["id"]: Sums.from_json(s) for s in document["scrutins"]}
    except (KeyError, TypeError, CountError):
        raise ResultError("tally.json: format") from None
    if list(sums) != list(options) or any(len(sums[s].options) != k for s, k in options.items()):
        raise ResultError("tally.json: not this election's scrutins")
    return sums
