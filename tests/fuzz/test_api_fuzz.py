"""Bad input, systematically: schemathesis sends every operation of docs/openapi.json (as the
stack of `make run` serves it at /api/openapi.json) generated and mutated bodies, query
strings, path parameters and headers, and checks each answer against the document: never a
5xx, only documented statuses, content types and headers, every body of its schema (errors
included: `{"error": {"code", "message", ...}}`).

Bounded: `MAX_EXAMPLES` per operation and mode (positive and negative), no shrinking, and
`BUDGET_SECONDS` for the whole run, after which the remaining examples are not sent (a
warning says so). The signed-in operations get a real session: two demo voters create their
password through the API (the link read in the outbox), one for the operations that read and
write, the other for those that end sessions.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from chalicelib.api.auth import COOKIE
from infra.local.outbox import describe
from infra.local.process import stop_local_stack
from tests.support import ROOT, call, start_local_stack

pytestmark = pytest.mark.slow

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUDGET_SECONDS = float(os.environ.get("FUZZ_SECONDS", "100"))
PASSWORD = "Fuzz2026ok"
JETON = re.compile(r"#jeton=([A-Za-z0-9_-]{43})")
# The operations that end sessions get the second voter's, so the others keep theirs.
ENDING_SESSIONS = {("DELETE", "/api/sessions"), ("DELETE", "/api/sessions/current"), ("PUT", "/api/me/password")}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _mail_to(outbox: Path, address: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")):
            mail = describe(path.read_text(encoding="utf-8"))
            if mail["to"] == address:
                return mail
        time.sleep(0.2)
    raise AssertionError(f"no email for {address}")


def _session_of(base: str, outbox: Path, address: str) -> str:
    """Register a demo voter, follow the emailed link and create the password: signed in."""
    assert call(base, "POST", "/api/registrations", {"email": address})[0] == 202
    token = JETON.search(_mail_to(outbox, address)["links"][0]).group(1)
    status, headers, _ = call(
        base, "POST", "/api/passwords", {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD}
    )
    assert status == 200, status
    return headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


class Fuzzed:
    def __init__(self, base: str, sessions: dict[str, str], ballots: list[str], elections: list[str]):
        self.base = base
        self.sessions = sessions
        self.ballots = ballots  # the main voter's: positive examples of {ballot_id} use them
        self.elections = elections  # the sealed demo elections: and of {election_id}
        self.started: float | None = None
        self.unsent = 0

    def out_of_time(self) -> bool:
        if self.started is None:
            self.started = time.monotonic()
        return time.monotonic() - self.started > BUDGET_SECONDS


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz")
    outbox, log = directory / "outbox", directory / "stack.log"
    with open(log, "w") as output:
        process, base = start_local_stack(outbox, voters=40, output=output)
    if base is None:
        stop_local_stack(process)
        raise AssertionError(f"the local stack did not start:\n{log.read_text()[-3000:]}")
    try:
        sessions = {
            "main": _session_of(base, outbox, "camille.martin@ac-poitiers.fr"),
            "ending": _session_of(base, outbox, "hugo.lefevre@ac-poitiers.fr"),
        }
        status, _, raw = call(base, "GET", "/api/me/ballots", cookie=sessions["main"])
        mine = json.loads(raw or b"null")
        assert status == 200 and mine["ballots"], (status, mine)
        status, _, raw = call(base, "GET", "/api/elections")
        sealed = json.loads(raw or b"null")
        assert status == 200 and sealed["elections"], (status, sealed)
        state = Fuzzed(
            base, sessions, [ballot["id"] for ballot in mine["ballots"]], [e["id"] for e in sealed["elections"]]
        )
        yield state
    finally:
        stop_local_stack(process, timeout=30)
    if state.unsent:
        warnings.warn(f"{state.unsent} fuzz examples not sent: the {BUDGET_SECONDS} s budget was spent", stacklevel=1)
    server_errors = [line for line in log.read_text().splitlines() if "unhandled_exception" in line]
    assert not server_errors, server_errors[:3]


@pytest.fixture(scope="module")
def api_schema(fuzzed):
    """The document the stack serves (tests/api checks it is docs/openapi.json)."""
    config = SchemathesisConfig.from_dict({"generation": {"database": "none"}})
    return schemathesis.openapi.from_url(f"{fuzzed.base}/api/openapi.json", config=config)


# One test per operation and mode, listed from docs/openapi.json (the live document is the same);
# negative examples only where there is something to make invalid (a body, a parameter).
DOCUMENT = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
CASES = [
    (method.upper(), path, mode)
    for path, methods in DOCUMENT["paths"].items()
    for method, described in methods.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or "requestBody" in described or "parameters" in described
]
CASES.sort(key=lambda case: case[:2] in ENDING_SESSIONS)  # those last


@pytest.mark.parametrize("method, path, mode", CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_every_operation_answers_as_documented(method, path, mode, fuzzed, api_schema):
    operation = api_schema[path][method]
    headers = {}
    if operation.definition.raw.get("security"):
        which = "ending" if (method, path) in ENDING_SESSIONS else "main"
        headers["Cookie"] = f"{COOKIE}={fuzzed.sessions[which]}"

    strategy = operation.as_strategy(mode)
    if mode is GenerationMode.POSITIVE and "ballot_id" in path:
        strategy = st.one_of(
            strategy, *(operation.as_strategy(mode, path_parameters={"ballot_id": ballot}) for ballot in fuzzed.ballots)
        )
    if mode is GenerationMode.POSITIVE and "election_id" in path:
        strategy = st.one_of(
            strategy, *(operation.as_strategy(mode, path_parameters={"election_id": e}) for e in fuzzed.elections)
        )

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as is
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        if fuzzed.out_of_time():
            fuzzed.unsent += 1
            return
        case.call_and_validate(base_url=fuzzed.base, headers=headers, checks=CHECKS, timeout=30)

    fuzz()
