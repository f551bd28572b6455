"""The local demo's polling bureau: keyed and sealed by the real tools at start-up."""

from __future__ import annotations

import io

from chalicelib.admin import cli
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import BureauItem, get_definition
from infra.local.demo_bureau import open_ballots_by_period, seal_demo_bureaus
from keyholder import keyfile


def test_the_demo_bureau_is_sealed_for_the_ballots_whose_voting_is_open(aws, test_stage_config, tmp_path):
    demo = ["--stage", "test", "demo", "--voters", "40"]
    assert cli.main(demo, out=io.StringIO(), config_path=test_stage_config) == 0
    lines = []
    sealed = seal_demo_bureaus(tmp_path, echo=lines.append, stage="test", config_path=test_stage_config)
    expected = [[b.ballot_id for b in period] for period in open_ballots_by_period(cli.utc_now())]
    assert [s["ballots"] for s in sealed] == expected and expected
    for bureau in sealed:
        assert get_definition(bureau["bureau_id"]).state == "sealed"
        assert all(BallotItem.get(b).sealed_at for b in bureau["ballots"])
        key = tmp_path / bureau["bureau_id"] / "cles" / "del-1.ev1key"
        secrets, _ = keyfile.open_secrets(key, "demo-seulement-del-1")
        assert secrets.key_share is not None
    assert {e.part for e in BureauItem.query("sealed-elections")} == {s["bureau_id"] for s in sealed}
    assert "DEMO ONLY passphrases" in lines[0]
