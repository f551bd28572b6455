"""Generating voter codes: one per listed voter, kept only as an HMAC, never twice, and the
printing house's files per académie."""

from __future__ import annotations

import csv
import random

import pytest

from chalicelib.domain.voter_codes import code_hash, normalised
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_codes import UnknownBallots, generate_codes
from chalicelib.services.voter_import import import_voters
from chalicelib.store.voter_codes import VoterCode
from chalicelib.wiring import voter_code_pepper
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters


@pytest.fixture
def roll(aws, tmp_path):
    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    rows = [voter(i) for i in range(1, 6)]
    rows.append(voter(6, academy="Académie de Lyon", ballots="CSA-MEN", last_name="=HYPERLINK(1)"))
    rows.append(voter(7, ballots="CSA-ACA", code_delivery="Remise en main propre, Lycée Jean Macé"))
    import_voters(write_voters(tmp_path / "v.csv", rows), now=NOW)
    return rows


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_every_listed_voter_gets_one_code_kept_only_as_an_hmac(roll, tmp_path):
    out = tmp_path / "impression"
    report = generate_codes(pepper=voter_code_pepper(), output=out, now=NOW, randbits=random.Random(3).getrandbits)
    assert (report.voters, report.generated, report.already_had) == (7, 7, 0)
    assert sorted(p.name for p in report.files) == [
        "imprimerie-academie-de-lyon.csv",
        "imprimerie-academie-de-poitiers.csv",
    ]
    rows = read_csv(out / "imprimerie-academie-de-poitiers.csv") + read_csv(out / "imprimerie-academie-de-lyon.csv")
    assert len({r["voter_id"] for r in rows}) == 7 and list(rows[0]) == [
        "voter_id", "email", "last_name", "first_name", "workplace", "code_delivery", "code",
    ]  # fmt: skip
    for row in rows:
        stored = VoterCode.get(row["voter_id"])
        assert stored.code_hash == code_hash(normalised(row["code"]), voter_code_pepper())
        assert row["code"] not in stored.code_hash and stored.generation == 1
    assert next(r for r in rows if r["voter_id"] == "P00000006")["last_name"] == "'=HYPERLINK(1)"
    assert not list(out.glob("*.sqlite"))  # the staging file is gone


def test_running_again_gives_codes_only_to_voters_who_have_none(roll, tmp_path):
    generate_codes(pepper=voter_code_pepper(), output=tmp_path / "1", now=NOW)
    before = {item.voter_id: item.code_hash for item in VoterCode.scan()}
    import_voters(write_voters(tmp_path / "v2.csv", [*roll, voter(8)]), now=NOW)
    report = generate_codes(pepper=voter_code_pepper(), output=tmp_path / "2", now=NOW)
    assert (report.generated, report.already_had) == (1, 7)
    assert [r["voter_id"] for r in read_csv(tmp_path / "2" / "imprimerie-academie-de-poitiers.csv")] == ["P00000008"]
    assert all(VoterCode.get(v).code_hash == h for v, h in before.items())


def test_a_code_is_one_per_voter_for_all_their_ballots(roll, tmp_path):
    report = generate_codes(
        pepper=voter_code_pepper(), output=tmp_path / "o", now=NOW, ballot_ids=["CSA-MEN", "CSA-ACA"]
    )
    assert report.generated == 7  # voters on both ballots counted once


def test_only_the_chosen_ballots(roll, tmp_path):
    report = generate_codes(pepper=voter_code_pepper(), output=tmp_path / "o", now=NOW, ballot_ids=["CSA-MEN"])
    assert report.generated == 6  # voter 7 is only on CSA-ACA
    with pytest.raises(UnknownBallots):
        generate_codes(pepper=voter_code_pepper(), output=tmp_path / "p", now=NOW, ballot_ids=["NOPE"])


def test_the_cli_generates_and_says_where_the_files_are(roll, tmp_path, test_stage_config):
    import io

    from chalicelib.admin import cli

    out = io.StringIO()
    argv = ["--stage", "test", "voter-codes", "generate", "--output", str(tmp_path / "imp")]
    assert cli.main(argv, out=out, config_path=test_stage_config) == 0
    assert "7 codes générés (0 électeurs en avaient déjà un" in out.getvalue()
    assert "imprimerie-academie-de-poitiers.csv" in out.getvalue()
    out = io.StringIO()
    assert cli.main([*argv, "--ballot", "NOPE"], out=out, config_path=test_stage_config) == 1
    assert "Scrutin inconnu : NOPE" in out.getvalue()
