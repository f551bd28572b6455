"""The local demo's polling bureau: sealed at start-up, so that a demo voter can vote at once.

For the demo ballots whose voting is open today (`chalicelib.admin.demo`), one bureau per
voting period, with a président, a secrétaire and one délégué per union, runs the whole key
ceremony and the seal through the same two tools the real bureau uses: the admin CLI's
`bureau` commands and `python -m keyholder` (called in this process). The key files and the
ceremony folder stay in `.local/bureau/`; the passphrases are printed: they are DEMO ONLY,
known to everyone who reads this file, and protect nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from chalicelib.admin import demo
from chalicelib.admin.cli import main as admin
from chalicelib.clock import utc_now
from chalicelib.domain.ballots import parse_ballot
from chalicelib.domain.phases import Phase, phase_at
from keyholder.commands import main as keyholder

PRESIDENT, SECRETARY = "Présidence (démo)", "Secrétariat (démo)"


def demo_passphrase(member: str) -> str:
    return f"demo-seulement-{member}"


class _Admin:
    def __init__(self, stage: str, config_path: Path | None):
        self.stage, self.config_path = stage, config_path

    def __call__(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        options = {"config_path": self.config_path} if self.config_path else {}
        status = admin(["--stage", self.stage, *argv], out=out, **options)
        return status, out.getvalue()


def _keyholder(*argv: str, passphrase: str) -> None:
    stdin = io.StringIO(f"{passphrase}\n{passphrase}\n")
    status = keyholder([*argv, "--passphrase-stdin"], out=io.StringIO(), stdin=stdin)
    if status:
        raise RuntimeError(f"keyholder {argv[0]} failed for the demo bureau")


def open_ballots_by_period(now) -> list[list]:
    periods: dict = {}
    for definition in demo.demo_ballots(now):
        ballot = parse_ballot(definition)
        if phase_at(ballot, now) is Phase.VOTING_OPEN:
            periods.setdefault((ballot.voting_opens_at, ballot.voting_closes_at), []).append(ballot)
    return list(periods.values())


def seal_demo_bureaus(directory: Path, echo=print, stage: str = "local", config_path: Path | None = None) -> list[dict]:
    """Create, key and seal a bureau per voting period; return what was sealed."""
    _admin = _Admin(stage, config_path)
    sealed = []
    for ballots in open_ballots_by_period(utc_now()):
        unions = max((b.candidate_lists for b in ballots), key=len)
        delegates = [f"Délégué {c.acronym} (démo)" for c in unions]
        status, output = _admin(
            "bureau", "create", "--name", "Bureau de vote électronique de démonstration",
            "--ballots", *[b.ballot_id for b in ballots], "--president", PRESIDENT, "--secretary", SECRETARY,
            *[arg for d in delegates for arg in ("--delegate", d)], "--json",
        )  # fmt: skip
        if status:
            raise RuntimeError(f"the demo bureau could not be created: {output}")
        bureau_id = json.loads(output)["bureau_id"]
        folder, keys = directory / bureau_id / "dossier", directory / bureau_id / "cles"
        keys.mkdir(parents=True, exist_ok=True)
        members = ["adm-1", "adm-2", *[f"del-{i}" for i in range(1, len(delegates) + 1)]]
        _admin("bureau", "ceremony", bureau_id, str(folder))
        for member in members:
            key = keys / f"{member}.ev1key"
            _keyholder(
                "init", str(folder), "--member", member, "--key", str(key), "--kdf", "interactive",
                passphrase=demo_passphrase(member),
            )  # fmt: skip
        for step in ("shares", "check"):
            _admin("bureau", "ceremony", bureau_id, str(folder))
            for member in members:
                yes = ["--yes"] if step == "shares" else []  # demo: nobody to read the codes aloud to
                key = str(keys / f"{member}.ev1key")
                _keyholder(step, str(folder), "--key", key, *yes, passphrase=demo_passphrase(member))
        status, output = _admin("bureau", "ceremony", bureau_id, str(folder))
        if status:
            raise RuntimeError(f"the demo ceremony did not finish: {output}")
        _admin("bureau", "seal", bureau_id, str(folder))
        for member in ("adm-1", "del-1", "del-2"):
            _keyholder(
                "seal",
                str(folder),
                "--key",
                str(keys / f"{member}.ev1key"),
                "--yes",
                passphrase=demo_passphrase(member),
            )
        status, output = _admin("bureau", "seal", bureau_id, str(folder))
        if status or "scellé" not in output:
            raise RuntimeError(f"the demo bureau could not be sealed: {output}")
        passphrases = {m: demo_passphrase(m) for m in members}
        (directory / bureau_id / "demo-passphrases.json").write_text(json.dumps(passphrases, indent=1) + "\n")
        sealed.append({"bureau_id": bureau_id, "ballots": [b.ballot_id for b in ballots], "folder": folder})
        echo(
            f"Demo polling bureau {bureau_id} sealed for {', '.join(b.ballot_id for b in ballots)}; "
            f"its folder and key files are in {directory / bureau_id}.\n"
            f"  DEMO ONLY passphrases: demo-seulement-<member> (adm-1, adm-2, del-1 … del-{len(delegates)}), "
            "e.g. python -m keyholder show --key "
            f"{keys / 'adm-1.ev1key'}"
        )
    return sealed
