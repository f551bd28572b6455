"""`bureau demo-close`, the local demo's switch: it ends a sealed demo bureau's vote at once
(no grace) so `make demo-election` can close, count and publish; in any other stage it is
refused and the time it writes is ignored."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from chalicelib.admin import cli
from chalicelib.services.sealed_scrutins import forget_sealed_scrutins, sealed_scrutin
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import BureauItem
from tests.admin.test_bureau_ceremony import admin, bureau, keyholder  # noqa: F401
from tests.admin.test_bureau_close import at, sealed  # noqa: F401
from tests.admin.test_bureau_seal import ready  # noqa: F401
from tests.conftest import NOW, TEST_ENVIRONMENT


@pytest.fixture
def local_admin(tmp_path, monkeypatch):
    """The admin CLI under a `local` stage with the demo's switches, on this test's tables."""
    path = tmp_path / "local-config.json"
    environment = {**TEST_ENVIRONMENT, "STAGE": "local", "DEMO_SWITCHES": "on"}
    path.write_text(json.dumps({"version": "2.0", "stages": {"local": {"environment_variables": environment}}}))
    monkeypatch.setattr(cli, "utc_now", lambda: NOW)

    def run(*argv):
        out = io.StringIO()
        return cli.main(["--stage", "local", *argv], out=out, config_path=path), out.getvalue()

    return run


def test_outside_the_local_stage_the_switch_is_refused_and_ignored(admin, sealed, monkeypatch):
    bureau, _, _, _ = sealed
    status, output = admin("bureau", "demo-close", bureau, "--json")
    assert status == 1 and json.loads(output)["error"] == {
        "code": "demo_only",
        "message": json.loads(output)["error"]["message"],
        "stage": "test",
    }
    assert BallotItem.get("CSA-MEN").closed_early_at is None
    # Written by hand, the time changes nothing outside the local stage, even with the switch set.
    BallotItem("CSA-MEN").update(actions=[BallotItem.closed_early_at.set(NOW)])
    monkeypatch.setenv("DEMO_SWITCHES", "on")
    forget_sealed_scrutins()
    scrutin = sealed_scrutin("CSA-MEN")
    assert scrutin.closes > NOW + timedelta(days=6) and scrutin.grace == timedelta(minutes=30)
    at(monkeypatch, NOW + timedelta(days=1))  # the demo's close is past, the election's is not
    status, output = admin("bureau", "close", bureau, "/nonexistent", "--json")
    assert json.loads(output)["error"]["code"] == "too_early"


def test_in_the_local_demo_the_vote_ends_now_and_the_close_may_run(local_admin, sealed, monkeypatch):
    bureau, folder, _, _ = sealed
    monkeypatch.setattr("chalicelib.admin.bureau.utc_now", lambda: NOW)
    status, output = local_admin("bureau", "demo-close", bureau)
    assert status == 0 and "DÉMO : le vote du bureau" in output and "CSA-MEN" in output, output
    assert BallotItem.get("CSA-MEN").closed_early_at == NOW
    monkeypatch.setenv("STAGE", "local")
    monkeypatch.setenv("DEMO_SWITCHES", "on")
    scrutin = sealed_scrutin("CSA-MEN")  # read again each time under the switches
    assert (scrutin.closes, scrutin.grace) == (NOW, timedelta(0))
    at(monkeypatch, NOW + timedelta(seconds=1))
    status, output = local_admin("bureau", "close", bureau, str(folder))
    assert status == 0 and "Manifeste de clôture écrit" in output, output
    # Once closing, the switch has nothing left to end.
    status, output = local_admin("bureau", "demo-close", bureau, "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "not_sealed"
    assert BureauItem.get(bureau, "definition").state == "closing"
