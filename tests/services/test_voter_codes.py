"""Generating voter codes: one per listed voter, kept only as an HMAC, never twice, and the
printing house's files per académie."""

from __future__ import annotations

import csv
import random

import pytest

from chalicelib.domain.voter_codes import code_hash, normalised
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_codes import OutputInUse, UnknownBallots, generate_codes
from chalicelib.services.voter_import import import_voters
from chalicelib.store.voter_codes import VoterCode
from chalicelib.wiring import voter_code_pepper
from tests.conftest import NOW
from tests.pdf_check import read_pdf
from tests.services.helpers import ballot, voter, write_ballots, write_voters

PORTAL = "https://elections-pro.example.gouv.fr"


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
    report = generate_codes(
        pepper=voter_code_pepper(), output=out, now=NOW, portal_url=PORTAL, randbits=random.Random(3).getrandbits
    )
    assert (report.voters, report.generated, report.already_had) == (7, 7, 0)
    assert sorted(p.name for p in report.files) == [
        "imprimerie-academie-de-lyon.csv",
        "imprimerie-academie-de-poitiers.csv",
        "notices-academie-de-lyon-envoi-postal-au-domicile.pdf",
        "notices-academie-de-poitiers-envoi-postal-au-domicile.pdf",
        "notices-academie-de-poitiers-remise-en-main-propre-lycee-jean-mace.pdf",
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in report.files)
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
    generate_codes(pepper=voter_code_pepper(), output=tmp_path / "1", now=NOW, portal_url=PORTAL)
    before = {item.voter_id: item.code_hash for item in VoterCode.scan()}
    import_voters(write_voters(tmp_path / "v2.csv", [*roll, voter(8)]), now=NOW)
    report = generate_codes(pepper=voter_code_pepper(), output=tmp_path / "2", now=NOW, portal_url=PORTAL)
    assert (report.generated, report.already_had) == (1, 7)
    assert [r["voter_id"] for r in read_csv(tmp_path / "2" / "imprimerie-academie-de-poitiers.csv")] == ["P00000008"]
    assert all(VoterCode.get(v).code_hash == h for v, h in before.items())


def test_a_code_is_one_per_voter_for_all_their_ballots(roll, tmp_path):
    report = generate_codes(
        pepper=voter_code_pepper(), output=tmp_path / "o", now=NOW, portal_url=PORTAL, ballot_ids=["CSA-MEN", "CSA-ACA"]
    )
    assert report.generated == 7  # voters on both ballots counted once


def test_only_the_chosen_ballots(roll, tmp_path):
    report = generate_codes(
        pepper=voter_code_pepper(), output=tmp_path / "o", now=NOW, portal_url=PORTAL, ballot_ids=["CSA-MEN"]
    )
    assert report.generated == 6  # voter 7 is only on CSA-ACA
    with pytest.raises(UnknownBallots):
        generate_codes(
            pepper=voter_code_pepper(), output=tmp_path / "p", now=NOW, portal_url=PORTAL, ballot_ids=["NOPE"]
        )


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


def test_each_delivery_place_gets_its_notices_one_a_page_then_the_hand_over_sheet(roll, tmp_path):
    out = tmp_path / "impression"
    generate_codes(pepper=voter_code_pepper(), output=out, now=NOW, portal_url=PORTAL)
    codes = {r["voter_id"]: r["code"] for r in read_csv(out / "imprimerie-academie-de-poitiers.csv")}
    posted = read_pdf((out / "notices-academie-de-poitiers-envoi-postal-au-domicile.pdf").read_bytes())
    # Voters 1 to 5, by name as on the electoral list (Nom1 … Nom5), then one sheet.
    assert len(posted.pages) == 6
    for number, page in zip(range(1, 6), posted.pages, strict=False):
        text = "\n".join(run.text for run in page)
        voter_id = f"P{number:08d}"
        assert f"Camille Nom{number}" in text and "Lycée Jean Macé, Niort" in text
        assert f"Identifiant électeur : {voter_id}" in text
        code = next(run for run in page if run.font == "Courier-Bold")
        assert code.text == codes[voter_id] and code.size == 30
        assert "elections-pro.example.gouv.fr" in text and "« Je vote »" in text
        # Both scrutins of the voter, with their dates (helpers' ballot(): opens and closes).
        assert text.count(" : du ") == 2
    sheet = posted.page_text(5)
    assert "Bordereau d'envoi des notices de vote" in sheet and "Envoyé le" in sheet
    assert "Page 1 sur 1 — 5 notices en tout" in sheet
    assert [line for line in sheet.split("\n") if line.startswith("P0000")] == [f"P0000000{n}" for n in range(1, 6)]
    assert not any(code in sheet for code in codes.values())

    by_hand = read_pdf((out / "notices-academie-de-poitiers-remise-en-main-propre-lycee-jean-mace.pdf").read_bytes())
    assert len(by_hand.pages) == 2
    assert "Émargement de remise des notices de vote" in by_hand.page_text(1)
    assert "Signature" in by_hand.page_text(1) and "Page 1 sur 1 — 1 notice en tout" in by_hand.page_text(1)
    assert "Scrutin CSA-ACA" in by_hand.page_text(0) and "Scrutin CSA-MEN" not in by_hand.page_text(0)


def _every_code_works(folder, pepper):
    """Every voter with a stored code finds it, in clear, in the folder's CSV: no code is lost."""
    rows = [r for path in sorted(folder.glob("imprimerie-*.csv")) for r in read_csv(path)]
    printed = {r["voter_id"]: r["code"] for r in rows}
    stored = {item.voter_id: item.code_hash for item in VoterCode.scan()}
    assert set(printed) == set(stored) and len(rows) == len(printed)
    assert all(stored[v] == code_hash(normalised(c), pepper) for v, c in printed.items())


def test_a_run_that_fails_writing_the_notices_is_resumed_and_no_code_is_lost(roll, tmp_path, monkeypatch):
    from chalicelib.services import voter_code_notices

    out, pepper = tmp_path / "impression", voter_code_pepper()
    real = voter_code_notices.write_place

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(voter_code_notices, "write_place", disk_full)
    with pytest.raises(OSError):
        generate_codes(pepper=pepper, output=out, now=NOW, portal_url=PORTAL)
    staging = out / ".codes-staging.sqlite"
    assert staging.exists() and staging.stat().st_mode & 0o777 == 0o600
    assert VoterCode.count() == 7  # the HMACs are stored: only the staging file knows the codes

    monkeypatch.setattr(voter_code_notices, "write_place", real)
    report = generate_codes(pepper=pepper, output=out, now=NOW, portal_url=PORTAL)
    assert (report.resumed, report.generated) == (7, 0)
    assert not staging.exists() and len(list(out.glob("notices-*.pdf"))) == 3
    _every_code_works(out, pepper)


def test_an_interruption_between_staging_and_storing_is_settled_on_resume(roll, tmp_path, monkeypatch):
    from chalicelib.store import voter_codes as store

    out, pepper = tmp_path / "impression", voter_code_pepper()
    real, calls = store.issue_first_code, []

    def cut_off(voter_id, code_hash, *, now):
        calls.append(voter_id)
        if len(calls) > 3:
            raise KeyboardInterrupt  # Ctrl-C with the page staged, three HMACs written
        return real(voter_id, code_hash, now=now)

    monkeypatch.setattr(store, "issue_first_code", cut_off)
    with pytest.raises(KeyboardInterrupt):
        generate_codes(pepper=pepper, output=out, now=NOW, portal_url=PORTAL)
    assert VoterCode.count() < 7 and (out / ".codes-staging.sqlite").exists()

    monkeypatch.setattr(store, "issue_first_code", real)
    report = generate_codes(pepper=pepper, output=out, now=NOW, portal_url=PORTAL)
    assert report.resumed == 7 and VoterCode.count() == 7
    _every_code_works(out, pepper)


def test_a_folder_holding_an_earlier_runs_files_is_refused_before_anything_is_written(roll, tmp_path):
    out = tmp_path / "impression"
    generate_codes(pepper=voter_code_pepper(), output=out, now=NOW, portal_url=PORTAL)
    before = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    import_voters(write_voters(tmp_path / "v2.csv", [*roll, voter(8)]), now=NOW)
    with pytest.raises(OutputInUse):
        generate_codes(pepper=voter_code_pepper(), output=out, now=NOW, portal_url=PORTAL)
    assert sorted((p.name, p.read_bytes()) for p in out.iterdir()) == before
    assert VoterCode.count() == 7  # voter 8 still has none


def test_the_files_are_private_from_their_creation(roll, tmp_path, monkeypatch):
    import os

    opened = []
    real_open = os.open

    def recording(path, flags, mode=0o777, *args, **kwargs):
        opened.append((os.path.basename(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording)
    out = tmp_path / "nouveau" / "impression"
    generate_codes(pepper=voter_code_pepper(), output=out, now=NOW, portal_url=PORTAL)
    assert out.stat().st_mode & 0o777 == 0o700
    ours = [(name, mode) for name, mode in opened if name.startswith(("imprimerie-", "notices-", ".codes-"))]
    assert {name.split("-")[0] for name, _ in ours} == {"imprimerie", "notices", ".codes"}
    assert all(mode == 0o600 for _, mode in ours), ours
