"""`make demo-election`: the whole life of the demo election, against the stack of `make run`.

1. A few hundred demo voters vote through the portal's API, as the browser would: each asks
   for the link to create their espace (read from the emails the stack keeps), chooses a
   password, signs in, types the voter code of their notice (`.local/notices/`), then for
   each of their scrutins of the demo bureau downloads `election.json`, checks its φ, encrypts
   and proves a random choice with the EV1 library and casts it. The choices are kept here,
   hidden, until the result is out.
2. The demo bureau's vote is ended now with `bureau demo-close`: DEMO ONLY, refused in any
   stage but `local` (`chalicelib/services/demo_close.py`).
3. The bureau's own tools do the rest, as docs/voting.md tells a real bureau: `bureau close`,
   the close signed by the président and two délégués (`python -m keyholder close`), `bureau
   count` (its shards through the count queue to the count worker, which `make run` runs as
   Lambda would; `--count-processes N` counts on this machine instead), their partial
   decryptions (`keyholder decrypt`), `bureau result` (the result and the procès-verbal),
   `bureau publish` into `.local/record/<election id>/` with the procès-verbal beside it, and
   the portal serves the record.
4. The verifier checks the record from its files alone, and the result is compared with the
   hidden choices: the command fails unless every count is exactly what was cast.

The key files and their DEMO ONLY passphrases are those `make run` wrote to `.local/bureau/`.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
PASSWORD = "Démo-élection-2026!"  # DEMO ONLY: the demo voters' password, on the local stack
MEMBERS = ("adm-1", "del-1", "del-2")  # the président and two délégués: the least the count needs


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m infra.local.demo_election", description=__doc__.split("\n")[0])
    parser.add_argument("--portal", default="http://127.0.0.1:8000", help="the portal of `make run`")
    parser.add_argument("--aws-port", type=int, default=5000, help="the local AWS of `make run` (default 5000)")
    parser.add_argument("--voters", type=int, default=300, help="demo voters who vote (default 300)")
    parser.add_argument("--seed", type=int, default=2026, help="the hidden votes' random seed")
    parser.add_argument("--workers", type=int, default=2, help="the verifier's processes (default 2)")
    parser.add_argument(
        "--count-processes", type=int, metavar="N", help="count in N processes here, not through the count queue"
    )
    parser.add_argument("--outbox", default=str(LOCAL / "outbox"), help="the emails `make run` keeps")
    parser.add_argument("--notices", default=str(LOCAL / "notices"), help="the demo voters' codes")
    parser.add_argument("--bureaus", default=str(LOCAL / "bureau"), help="the demo bureau's folder and keys")
    parser.add_argument("--record", default=str(LOCAL / "record"), help="where to leave the public record")
    return parser.parse_args(argv)


class Stop(Exception):
    pass


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- Voting through the API --------------------------------------------------------------


class Browser:
    """One voter's browser: its own address (127.0.x.y: each demo voter is a client of its
    own, as the portal's per-client limits see them), its cookies, and the portal's origin on
    every request. The session cookie is `Secure`, which a browser still sends to
    http://127.0.0.1 (a secure context): kept here by hand."""

    def __init__(self, portal: str, number: int):
        self.portal, self.cookies = portal, {}
        self.address = f"127.0.{1 + number // 250}.{1 + number % 250}"
        parsed = urllib.parse.urlsplit(portal)
        self.host, self.port = parsed.hostname, parsed.port or 80

    def call(self, method: str, path: str, body=None) -> tuple[int, object]:
        headers = {"Origin": self.portal, "Accept": "application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.address, 0))
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw, status = response.read(), response.status
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
        finally:
            connection.close()
        if not raw:
            return status, None
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


class Outbox:
    """The links the stack emailed, from the .eml files `make run` keeps."""

    def __init__(self, directory: Path):
        import email
        import email.policy
        import re

        self.directory, self._email, self._policy = directory, email, email.policy.default
        self._pattern = re.compile(r"#jeton=([A-Za-z0-9_-]{43})")
        self.seen: set[str] = {p.name for p in directory.glob("*.eml")}

    def wait_for_link(self, address: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.directory.glob("*.eml")):
                if path.name in self.seen:
                    continue
                message = self._email.message_from_bytes(path.read_bytes(), policy=self._policy)
                if str(message["To"]).lower() != address:
                    continue
                found = self._pattern.search(message.get_body(("plain",)).get_content())
                if found:
                    self.seen.add(path.name)
                    return found.group(1)
            time.sleep(0.3)
        raise Stop(f"no email with a link reached {address} within {timeout:.0f} s (is the mail worker polling?)")


def read_codes(notices: Path) -> list[dict]:
    """voter_id, email and code of every demo voter, from the printing house's CSV files."""
    rows = []
    for path in sorted(notices.glob("imprimerie-*.csv")):
        text = path.read_text(encoding="utf-8")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
        rows.extend(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows:
        raise Stop(f"no demo voter codes in {notices}: start the stack with `make run` (with its demo)")
    return rows


def vote(
    voter: dict, number: int, *, portal: str, outbox: Outbox, scrutins: set[str], elections: dict, rng: random.Random
):
    """One voter's whole journey; what they cast: [(scrutin, option index, receipt code)], or
    None when this voter cannot ask for a link now."""
    from chalicelib.crypto import ballots as ev1

    browser, address = Browser(portal, number), voter["email"].lower()
    status, answer = browser.call("POST", "/api/registrations", {"email": address})
    if status == 429:  # asked for a link a moment ago (an earlier run): another voter instead
        return None
    if status != 202:
        raise Stop(f"registration of {address}: {status} {answer}")
    token = outbox.wait_for_link(address)
    password = {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD}
    status, answer = browser.call("POST", "/api/passwords", password)
    if status not in (200, 201, 204):
        raise Stop(f"password of {address}: {status} {answer}")
    status, answer = browser.call("POST", "/api/sessions", {"email": address, "password": PASSWORD})
    if status != 200:
        raise Stop(f"sign-in of {address}: {status} {answer}")
    status, answer = browser.call("POST", "/api/me/voter-code", {"code": voter["code"]})
    if status != 204:
        raise Stop(f"voter code of {address}: {status} {answer}")
    status, booth = browser.call("GET", "/api/me/votes")
    if status != 200:
        raise Stop(f"booth of {address}: {status} {booth}")
    cast = []
    for scrutin in booth["scrutins"]:
        if scrutin["id"] not in scrutins or scrutin["state"] != "to_vote":
            continue
        election = elections[scrutin["election"]["id"]]
        if election.phi.hex() != scrutin["election"]["fingerprint"]:
            raise Stop(f"{scrutin['id']}: election.json does not hash to the sealed fingerprint")
        choice = rng.randrange(election.options[scrutin["id"]])
        ballot = ev1.encrypt(
            public_key=election.public_key, phi=election.phi, scrutin=scrutin["id"],
            options=election.options[scrutin["id"]], choice=choice,
        )  # fmt: skip
        status, answer = browser.call("POST", f"/api/ballots/{scrutin['id']}/votes", {"ballot": ballot})
        if status != 201:
            raise Stop(f"vote of {address} at {scrutin['id']}: {status} {answer}")
        cast.append((scrutin["id"], choice, answer["short_receipt"]))
    return cast


# --- The bureau's tools ------------------------------------------------------------------


def admin(*argv: str) -> str:
    from chalicelib.admin.cli import main

    out = io.StringIO()
    status = main(["--stage", "local", *argv], out=out)
    if status:
        raise Stop(f"bureau {' '.join(argv[1:2])} failed:\n{out.getvalue()}")
    return out.getvalue()


def keyholder(command: str, folder: Path, key: Path, member: str) -> None:
    from infra.local.demo_bureau import demo_passphrase
    from keyholder.commands import main

    stdin = io.StringIO(f"{demo_passphrase(member)}\n")
    status = main(
        [command, str(folder), "--key", str(key), "--yes", "--passphrase-stdin"], out=io.StringIO(), stdin=stdin
    )
    if status:
        raise Stop(f"python -m keyholder {command} failed for {member}")


def sealed_demo_bureau(bureaus: Path) -> tuple[str, Path, list[str]]:
    """The demo bureau `make run` sealed: its id, its folder (.local/bureau/<id>) and ballots."""
    for directory in sorted(bureaus.glob("*/")):
        status = json.loads(admin("bureau", "status", directory.name, "--json"))
        if status["state"] == "sealed":
            return directory.name, directory, list(status["ballots"])
        if status["state"] in ("closing", "closed"):
            raise Stop(
                f"the demo bureau {directory.name} is already {status['state']}: this stack has had its demo "
                "election; restart `make run` for a new one"
            )
    raise Stop(f"no sealed demo bureau in {bureaus}: start the stack with `make run` (with its demo)")


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from infra.local.aws import use_local_stage

    use_local_stage(args.aws_port)
    try:
        return run(args)
    except Stop as stop:
        print(f"\nThe demo election stopped: {stop}", file=sys.stderr, flush=True)
        return 1


def run(args) -> int:
    from chalicelib.crypto import record

    started = time.monotonic()
    try:
        urllib.request.urlopen(f"{args.portal}/api/health", timeout=5).read()
    except OSError:
        raise Stop(f"no portal at {args.portal}: start it with `make run` in another terminal") from None
    bureau_id, directory, ballot_ids = sealed_demo_bureau(Path(args.bureaus))
    folder, keys = directory / "dossier", directory / "cles"
    election_bytes = urllib.request.urlopen(f"{args.portal}/api/elections/{bureau_id}/election.json").read()
    election = record.read_election(election_bytes)
    print(f"Demo bureau {bureau_id}: {', '.join(ballot_ids)}; φ = {election.phi.hex()}", flush=True)

    # 1. The votes, through the API.
    rng = random.Random(args.seed)
    pool = read_codes(Path(args.notices))
    rng.shuffle(pool)
    wanted = min(args.voters, len(pool))
    outbox = Outbox(Path(args.outbox))
    print(f"{wanted} demo voters vote through {args.portal} (espace, password, voter code, ballots)…", flush=True)
    lock, queue, cast, voted, skipped = threading.Lock(), iter(enumerate(pool)), [], [], []

    def next_voter():
        with lock:
            if len(voted) >= wanted:
                return None
            return next(queue, (None, None)), rng.randrange(2**32)

    def voting_booth():
        while (taken := next_voter()) and taken[0][1] is not None:
            (number, voter), seed = taken
            journey = vote(
                voter, number, portal=args.portal, outbox=outbox, scrutins=set(ballot_ids),
                elections={bureau_id: election}, rng=random.Random(seed),
            )  # fmt: skip
            if journey is None:
                with lock:
                    skipped.append(voter["email"])
                continue
            with lock:  # (a voter in a booth when the number is reached still votes, and counts)
                voted.append(voter["email"])
                cast.extend(journey)
                if len(voted) % 50 == 0:
                    print(f"  {len(voted)} voters done, {len(cast)} ballots cast", flush=True)

    with ThreadPoolExecutor(max_workers=8) as booths:
        for booth in [booths.submit(voting_booth) for _ in range(8)]:
            booth.result()
    if not cast:
        raise Stop("no demo voter could vote (each asked for a link too recently?): restart `make run`")
    expected = {s: Counter(choice for scrutin, choice, _ in cast if scrutin == s) for s in ballot_ids}
    print(
        f"{len(voted)} voters cast {len(cast)} ballots in {time.monotonic() - started:.0f} s "
        f"({len(skipped)} skipped: they had asked for a link a moment ago); "
        "their choices stay hidden until the result.",
        flush=True,
    )

    # 2. DEMO ONLY: the vote ends now.
    print(admin("bureau", "demo-close", bureau_id).strip(), flush=True)

    # 3. The bureau: close, count, decrypt, result, publish.
    admin("bureau", "close", bureau_id, str(folder))
    for member in MEMBERS:
        keyholder("close", folder, keys / f"{member}.ev1key", member)
    closed = admin("bureau", "close", bureau_id, str(folder))
    if "Le bureau est clos" not in closed:
        raise Stop(f"the close was not recorded:\n{closed}")
    print(f"Closed and signed by {', '.join(MEMBERS)}.", flush=True)
    counting = time.monotonic()
    where = ["--workers", str(args.count_processes)] if args.count_processes else []
    print(admin("bureau", "count", bureau_id, str(folder), *where).rstrip(), flush=True)
    how = f"{args.count_processes} processes" if args.count_processes else "the count queue's worker"
    print(f"  (count: {time.monotonic() - counting:.1f} s by {how})", flush=True)
    for member in MEMBERS:
        keyholder("decrypt", folder, keys / f"{member}.ev1key", member)
    print(admin("bureau", "result", bureau_id, str(folder)).rstrip(), flush=True)
    records = Path(args.record)
    published = records / bureau_id
    shutil.rmtree(published, ignore_errors=True)
    print(admin("bureau", "publish", bureau_id, str(published)).rstrip(), flush=True)
    for suffix in ("pdf", "html"):
        shutil.copyfile(folder / f"proces-verbal.{suffix}", records / f"{bureau_id}-proces-verbal.{suffix}")

    # 4. The verifier, from the files alone; then the result against the hidden votes.
    print(f"\npython -m verifier {shown(published)}", flush=True)
    verified = subprocess.run(
        [sys.executable, "-m", "verifier", str(published), "--workers", str(args.workers)], cwd=ROOT, check=False
    )
    if verified.returncode:
        raise Stop("the verifier refused the published record")
    result = json.loads((published / "result.json").read_bytes())
    wrong = []
    print("\nResult against the hidden votes (blank first):", flush=True)
    for scrutin in result["scrutins"]:
        wanted = [expected[scrutin["id"]][i] for i in range(len(scrutin["counts"]))]
        same = wanted == scrutin["counts"]
        wrong += [] if same else [scrutin["id"]]
        print(f"  {scrutin['id']:<14} cast {wanted}  counted {scrutin['counts']}  {'OK' if same else 'DIFFERENT'}")
    if wrong:
        raise Stop(f"the result differs from the votes cast for {', '.join(wrong)}")
    receipt = cast[0][2] if cast else "—"
    print(
        f"\nThe demo election is counted and verified ({time.monotonic() - started:.0f} s).\n"
        f"  Public record: {shown(published)}/ (procès-verbal beside it: "
        f"{shown(records / f'{bureau_id}-proces-verbal.pdf')})\n"
        f"  On the portal: {args.portal}/api/elections/{bureau_id}/record/index.json\n"
        f"  Find a receipt: {args.portal}/verifier-mon-vote (one demo voter's: {receipt})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
