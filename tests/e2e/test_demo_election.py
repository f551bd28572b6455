"""`make demo-election` against a stack started as `make run` starts it: demo voters vote
through the API with hidden choices (60 of them, each from an address of their own: more
than one client may ask links for), the demo-only switch closes the bureau, the bureau's and
key holders' tools count, decrypt and publish, and the verifier and the result agree exactly
with what was cast; the portal then serves the record, and a voter finds their receipt in
the browser."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.request

import pytest

from chalicelib.crypto import ballots as ev1
from infra.local.process import bureaus_of, notices_of, start_local_stack, stop_local_stack
from tests.e2e.conftest import screenshot
from tests.support import ROOT


@pytest.mark.slow
def test_the_demo_election_from_the_seal_to_a_verified_result(tmp_path, page):
    outbox = tmp_path / "outbox"
    log = tmp_path / "stack.log"
    with open(log, "w") as output:
        process, base, aws_port = start_local_stack(outbox, voters=300, output=output)
    try:
        assert base is not None, log.read_text()[-3000:]
        record = tmp_path / "record"
        done = subprocess.run(
            [sys.executable, "-m", "infra.local.demo_election", "--portal", base, "--aws-port", str(aws_port),
             "--voters", "60", "--outbox", str(outbox), "--notices", str(notices_of(outbox)),
             "--bureaus", str(bureaus_of(outbox)), "--record", str(record)],
            cwd=ROOT, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        report = done.stdout + done.stderr
        assert done.returncode == 0, report[-4000:]
        assert "Vérification réussie" in report and "DIFFERENT" not in report
        assert report.count(" OK\n") == 2, report[-2000:]  # both scrutins: counted = cast
        (election_id,) = [p.name for p in record.iterdir() if p.is_dir()]
        assert (record / f"{election_id}-proces-verbal.pdf").read_bytes().startswith(b"%PDF")
        result = json.loads((record / election_id / "result.json").read_bytes())
        assert sum(s["ballots"] for s in result["scrutins"]) >= 60  # each voter is on both scrutins

        # The portal serves the record, byte for byte, and the same demo election cannot run twice.
        with urllib.request.urlopen(f"{base}/api/elections/{election_id}/record/index.json") as response:
            index = json.loads(response.read())
        tally = next(f for f in index["files"] if f["name"] == "tally.json")
        with urllib.request.urlopen(f"{base}/api/elections/{election_id}/record/tally.json?page=0") as response:
            assert response.read() == (record / election_id / "tally.json").read_bytes() and tally["pages"] == 1
        again = subprocess.run(
            [sys.executable, "-m", "infra.local.demo_election", "--portal", base, "--aws-port", str(aws_port),
             "--bureaus", str(bureaus_of(outbox))],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert again.returncode == 1 and "already closed" in again.stderr, again.stderr

        # « Mon vote a-t-il bien été pris en compte ? »: the short code, typed loosely, is found.
        phi = hashlib.sha256((record / election_id / "election.json").read_bytes()).digest()
        ballot = json.loads((record / election_id / "ballots" / "CSA-MEN.jsonl").read_bytes().splitlines()[0])
        rho = ev1.receipt_of_published(ballot, phi)
        page.goto(f"{base}/verifier-mon-vote")
        page.wait_for_selector("[data-records] li")
        page.fill("#receipt", ev1.short_receipt(rho).lower().replace("-", " ").replace("1", "l"))
        page.click("button[type=submit]")
        page.wait_for_selector("[data-found]:not([hidden])")
        assert page.inner_text('[data-found-field="receipt"]') == rho.hex()
        assert "CSA-MEN.jsonl" in page.inner_text('[data-found-field="file"]')
        screenshot(page, "receipt-found")
        page.fill("#receipt", "ZZZZZ-ZZZZZ")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-form-error]:not([hidden])")
        assert "Aucun bulletin de l'urne publiée ne porte cet accusé" in page.inner_text("[data-form-error]")
        assert page.is_hidden("[data-found]")
    finally:
        stop_local_stack(process)
