"""The close through both tools: `bureau close` refuses before the close plus the grace, then
freezes the box into `ballots/<σ>.jsonl` with the close's manifest, backs the box up, and with
the président's or secrétaire's and a délégué's signatures records seal-close.json, from which
the key holders decrypt; a box that disagrees with the sign-in list, or that changes after the
manifest, is never signed."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.crypto import ballots, record
from chalicelib.crypto import ceremony_folder as files
from chalicelib.services.sealed_scrutins import forget_sealed_scrutins
from chalicelib.store import ballot_box, sign_in
from chalicelib.store.bureaus import BureauItem
from tests.admin.test_bureau_ceremony import admin, bureau, keyholder  # noqa: F401
from tests.admin.test_bureau_seal import decrypt, ready, sign_seal  # noqa: F401
from tests.conftest import NOW
from tests.pdf_check import read_pdf

CLOSE = NOW + timedelta(days=7, hours=7)  # 6 December, 17:00 in Paris (tests.services.helpers)


@pytest.fixture
def sealed(admin, ready):
    bureau, folder, keys = ready
    admin("bureau", "seal", bureau, str(folder))
    for member in ("adm-2", "del-2"):
        assert sign_seal(folder, keys, member)[0] == 0
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "est scellé" in output, output
    forget_sealed_scrutins()
    return bureau, folder, keys, record.read_election((folder / files.ELECTION).read_bytes())


def cast(election, scrutin: str, voter_id: str, choice: int) -> dict:
    """A vote as the cast writes it: the émargement and the ballot (with its points) together."""
    ballot = ballots.encrypt(
        public_key=election.public_key, phi=election.phi, scrutin=scrutin, options=election.options[scrutin],
        choice=choice,
    )  # fmt: skip
    checked = ballots.decode(ballot, phi=election.phi, scrutin=scrutin, options=election.options[scrutin])
    stored = json.dumps(ballot, separators=(",", ":"))
    points = [a.encoded for a, _ in checked.pairs]
    sign_in.record_vote(
        scrutin, voter_id, NOW, together_with=ballot_box.new_entries(scrutin, checked.nonce, stored, points)
    )
    return ballot


def at(monkeypatch, moment) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: moment)


def sign_close(folder, keys, member):
    return keyholder("close", str(folder), "--key", str(keys / f"{member}.ev1key"), "--passphrase-stdin", "--yes")


def test_nothing_is_closed_before_the_close_plus_the_grace(admin, sealed, monkeypatch):
    bureau, folder, _, _ = sealed
    at(monkeypatch, CLOSE + timedelta(minutes=29))  # the grace is 30 minutes
    status, output = admin("bureau", "close", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "too_early"
    status, output = admin("bureau", "close", bureau, str(folder))
    assert "à partir du 06/12/2026 à 17:30 (heure de Paris)" in output and "Rien n'a été modifié" in output
    assert BureauItem.get(bureau, "definition").state == "sealed" and not (folder / files.SEAL_CLOSE_MANIFEST).exists()


def test_the_close_freezes_the_box_and_the_key_holders_seal_it_then_decrypt(admin, sealed, monkeypatch):
    bureau, folder, keys, election = sealed
    cast_ballots = [cast(election, "CSA-MEN", f"P{n:08d}", n % 2) for n in range(1, 6)]
    cast(election, "CAPN-CE", "P00000001", 1)
    at(monkeypatch, CLOSE + timedelta(minutes=30))

    status, output = admin("bureau", "close", bureau, str(folder))
    assert status == 0 and "Manifeste de clôture écrit" in output, output
    assert "5 bulletins dans l'urne,          5 émargements" in output and "sauvegarde de l'urne est faite" in output
    lines = (folder / files.BALLOTS / "CSA-MEN.jsonl").read_bytes().splitlines()
    # Every ballot exactly as cast, one a line, sorted by nonce; no marker, nothing else.
    assert [json.loads(line) for line in lines] == sorted(cast_ballots, key=lambda b: b["nonce"])
    manifest = json.loads((folder / files.SEAL_CLOSE_MANIFEST).read_bytes())
    assert manifest["kind"] == "seal-close" and manifest["election"] == bureau
    assert [(s["id"], s["ballots"], s["emargements"]) for s in manifest["scrutins"]] == [
        ("CSA-MEN", 5, 5),
        ("CAPN-CE", 1, 1),
    ]
    assert json.loads(admin("bureau", "status", bureau, "--json")[1])["state"] == "closing"
    assert "le manifeste de clôture attend les signatures" in admin("bureau", "status", bureau)[1]
    assert admin("bureau", "participation", bureau)[0] == 0  # still readable

    # A délégué alone is not enough; a secrétaire and a délégué are.
    assert sign_close(folder, keys, "del-3")[0] == 0
    status, output = admin("bureau", "close", bureau, str(folder))
    assert status == 0 and "Il manque encore la signature du président ou du secrétaire" in output, output
    assert sign_close(folder, keys, "adm-2")[0] == 0
    status, output = admin("bureau", "close", bureau, str(folder))
    assert status == 0 and "Le bureau est clos" in output, output
    sealed_close = json.loads((folder / files.SEAL_CLOSE).read_bytes())
    trustees = record.check_trustees(json.loads((folder / files.TRUSTEES).read_bytes()))
    trustees_bytes = (folder / files.TRUSTEES).read_bytes()
    opened = record.check_seal_open(
        json.loads((folder / files.SEAL_OPEN).read_bytes()), trustees, election, trustees_bytes
    )
    assert set(record.check_seal_close(sealed_close, trustees, election, opened.server_key)) == {"CSA-MEN", "CAPN-CE"}
    assert json.loads(admin("bureau", "status", bureau, "--json")[1])["state"] == "closed"
    assert "Le bureau est clos" in admin("bureau", "status", bureau)[1]
    # Visiting again changes nothing, in this folder or another.
    again = folder.parent / "copie"
    assert admin("bureau", "close", bureau, str(again))[0] == 0
    assert (again / files.SEAL_CLOSE).read_bytes() == (folder / files.SEAL_CLOSE).read_bytes()

    for member in ("adm-1", "del-1", "del-4"):
        status, output = decrypt(folder, keys, member)
        assert status == 0, output


def test_a_box_that_disagrees_with_the_sign_in_list_is_reported_and_not_signed(admin, sealed, monkeypatch):
    bureau, folder, keys, election = sealed
    cast(election, "CSA-MEN", "P00000001", 0)
    sign_in.record_vote("CSA-MEN", "P00000002", NOW, together_with=[])  # an émargement without its ballot
    at(monkeypatch, CLOSE + timedelta(hours=1))
    status, output = admin("bureau", "close", bureau, str(folder))
    assert status == 1 and "≠ ÉCART" in output and "ne concordent pas pour CSA-MEN" in output, output
    status, output = sign_close(folder, keys, "adm-1")
    assert status != 0 and not (folder / files.DEPOT / "close-adm-1.json").exists(), output


def test_a_box_that_changes_after_the_manifest_is_an_incident(admin, sealed, monkeypatch):
    bureau, folder, _, election = sealed
    cast(election, "CSA-MEN", "P00000001", 0)
    at(monkeypatch, CLOSE + timedelta(hours=1))
    assert admin("bureau", "close", bureau, str(folder))[0] == 0
    cast(election, "CSA-MEN", "P00000002", 1)  # written behind the close's back
    status, output = admin("bureau", "close", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "box_changed"


@pytest.fixture
def closed(admin, sealed, monkeypatch):
    """Votes cast in both scrutins, the bureau closed and its close signed by adm-1 and del-2."""
    bureau, folder, keys, election = sealed
    votes = {"CSA-MEN": [0, 1, 1, 2, 1, 0, 2], "CAPN-CE": [1, 1, 0]}
    for scrutin, choices in votes.items():
        for n, choice in enumerate(choices, 1):
            cast(election, scrutin, f"P{n:08d}", choice % election.options[scrutin])
    at(monkeypatch, CLOSE + timedelta(hours=1))
    assert admin("bureau", "close", bureau, str(folder))[0] == 0
    for member in ("adm-1", "del-2"):
        assert sign_close(folder, keys, member)[0] == 0
    assert "Le bureau est clos" in admin("bureau", "close", bureau, str(folder))[1]
    return bureau, folder, keys, election


def test_the_count_verifies_every_ballot_and_its_tally_is_what_the_key_holders_recompute(admin, closed):
    bureau, folder, keys, election = closed
    status, output = admin("bureau", "count", bureau, str(folder), "--workers", "1")
    assert status == 0 and "chaque bulletin a été revérifié" in output, output
    assert "CSA-MEN               7 bulletins" in output
    tally = json.loads((folder / files.TALLY).read_bytes())
    assert tally["election"] == election.phi.hex() and [(s["id"], s["ballots"]) for s in tally["scrutins"]] == [
        ("CSA-MEN", 7),
        ("CAPN-CE", 3),
    ]
    # The key holders' tool sums ballots/ itself and refuses a tally.json that differs: it agrees.
    for member in ("adm-2", "del-1", "del-3"):
        status, output = decrypt(folder, keys, member)
        assert status == 0, output
    again = json.loads(admin("bureau", "count", bureau, str(folder), "--workers", "1", "--json")[1])
    assert again["counted_now"] == 0 and again["tally_sha256"] == record.sha256_hex((folder / files.TALLY).read_bytes())


def test_shards_counted_twice_or_out_of_order_give_the_same_tally(admin, closed):
    from chalicelib.services.counting import count_bureau, count_shard

    bureau, folder, _, _ = closed
    for shard in reversed(range(64)):  # out of order, and some twice
        count_shard(bureau, "CSA-MEN", shard, now=NOW)
        if shard % 7 == 0:
            count_shard(bureau, "CSA-MEN", shard, now=NOW)
    report = count_bureau(bureau, folder, now=NOW)
    assert report.counted_now == 64  # CAPN-CE's shards only
    first = (folder / files.TALLY).read_bytes()
    (folder / files.TALLY).unlink()
    assert count_bureau(bureau, folder, now=NOW).counted_now == 0
    assert (folder / files.TALLY).read_bytes() == first


def forge_a_ballot():
    """A CSA-MEN ballot of the box changed in place (two proofs swapped); its entry."""
    from chalicelib.store.ballot_box import BallotBoxEntry

    entry = next(e for shard in range(64) for e in BallotBoxEntry.query(f"CSA-MEN#{shard:02d}"))
    ballot = json.loads(entry.ballot)
    ballot["proofs"][0]["c0"], ballot["proofs"][1]["c0"] = ballot["proofs"][1]["c0"], ballot["proofs"][0]["c0"]
    entry.ballot = json.dumps(ballot, separators=(",", ":"))
    entry.save()  # what no role of the stack may do; an operator with the account's keys could
    return entry


def test_a_ballot_forged_into_the_box_stops_the_count(admin, closed):
    from chalicelib.crypto.tally import CountError
    from chalicelib.services.counting import count_bureau

    bureau, folder, _, _ = closed
    forge_a_ballot()
    with pytest.raises(CountError) as stopped:
        count_bureau(bureau, folder, now=NOW)
    assert "CSA-MEN: ballot" in stopped.value.what and "bit_proof" in stopped.value.what
    assert not (folder / files.TALLY).exists()
    status, output = admin("bureau", "count", bureau, str(folder), "--workers", "1")
    assert status == 1 and "Le dépouillement s'est arrêté" in output


def test_nothing_is_counted_before_the_close_is_sealed(admin, sealed, monkeypatch):
    bureau, folder, _, _ = sealed
    status, output = admin("bureau", "count", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "not_closed"


def test_the_result_needs_the_president_or_secretary_and_two_delegates_and_checks_every_partial(admin, closed):
    bureau, folder, keys, election = closed
    assert admin("bureau", "count", bureau, str(folder), "--workers", "1")[0] == 0
    depot = folder / files.DEPOT

    def partials(*members):
        for path in depot.glob("partial-*.json"):
            path.unlink()
        for member in members:
            status, output = decrypt(folder, keys, member)
            assert status == 0, output

    partials("adm-1", "del-2")  # the président and one délégué
    status, output = admin("bureau", "result", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "access_structure"
    partials("del-1", "del-2", "del-3", "del-4")  # four délégués alone
    status, output = admin("bureau", "result", bureau, str(folder))
    assert status == 1 and "il faut les déchiffrements du président ou du secrétaire" in output
    assert not (folder / "result.json").exists()

    partials("adm-2", "del-1", "del-3")
    forged = json.loads((depot / "partial-del-3.json").read_text())
    good = forged["scrutins"][0]["options"][1]["d"]
    forged["scrutins"][0]["options"][1]["d"] = forged["scrutins"][0]["options"][0]["d"]
    (depot / "partial-del-3.json").write_text(json.dumps(forged))
    status, output = admin("bureau", "result", bureau, str(folder))
    assert status == 1 and "partial-del-3.json: CSA-MEN option 1: proof" in output, output
    forged["scrutins"][0]["options"][1]["d"] = good
    (depot / "partial-del-3.json").write_text(json.dumps(forged))

    status, output = admin("bureau", "result", bureau, str(folder))
    assert status == 0 and "déchiffrements de adm-2, del-1, del-3" in output, output
    result = json.loads((folder / "result.json").read_bytes())
    # The fixture's votes, choice modulo each scrutin's options (blank and one list here).
    assert result == {
        "v": 1,
        "election": election.phi.hex(),
        "used": {"adm": [2], "del": [1, 3]},
        "scrutins": [
            {"id": "CSA-MEN", "ballots": 7, "counts": [4, 3]},
            {"id": "CAPN-CE", "ballots": 3, "counts": [1, 2]},
        ],
    }
    assert sorted(p.name for p in (folder / "partials").iterdir()) == ["adm-2.json", "del-1.json", "del-3.json"]
    # The procès-verbal, as the bureau signs and posts it.
    pv = (folder / "proces-verbal.html").read_text(encoding="utf-8")
    assert "Procès-verbal du dépouillement" in pv and "Samir Haddad (secrétaire, adm-2)" in pv
    assert "<th>Inscrits</th><td class=n>" in pv and "FSU — FSU</td><td class=n>3</td>" in pv
    assert hashlib.sha256((folder / "result.json").read_bytes()).hexdigest() in pv
    document = read_pdf((folder / "proces-verbal.pdf").read_bytes())
    text = "\n".join(document.page_text(i) for i in range(len(document.pages)))
    assert "Suffrages exprimés" in text and "Votes blancs" in text and "Délégué FSU (délégué, del-1)" in text
    # Run again with other key holders: the same result, recorded once.
    partials("adm-1", "del-2", "del-4")
    status, output = admin("bureau", "result", bureau, str(folder), "--json")
    assert status == 1 and "differs from the one recorded" in output


@pytest.fixture
def published(admin, closed, tmp_path):
    """The whole count done (adm-1, del-2, del-4 decrypting) and the record published."""
    bureau, folder, keys, election = closed
    assert admin("bureau", "count", bureau, str(folder), "--workers", "1")[0] == 0
    for member in ("adm-1", "del-2", "del-4"):
        assert decrypt(folder, keys, member)[0] == 0
    assert admin("bureau", "result", bureau, str(folder))[0] == 0
    record_folder = tmp_path / "record"
    status, output = admin("bureau", "publish", bureau, str(record_folder))
    assert status == 0 and "python -m verifier" in output, output
    return record_folder


def verifier(folder):
    import subprocess
    import sys

    from tests.support import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(folder), "--workers", "2"],
        capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, timeout=300,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def test_anyone_verifies_the_published_record_from_its_files_alone(published):
    status, output = verifier(published)
    assert status == 0, output
    assert "Vérification réussie" in output and "Verified: the result is that of the published ballots" in output
    assert "CSA-MEN : 7 bulletins, voix 4, 3" in output and "seal-open.json: signed by adm-2, del-2" in output


@pytest.mark.parametrize(
    ("file", "tamper"),
    [
        ("ballots/CSA-MEN.jsonl", "ballot"),
        ("partials/del-2.json", "partial"),
        ("result.json", "count"),
        ("tally.json", "sum"),
        ("seal-close.json", "server"),
        ("seal-close.json", "unsigned"),
    ],
)
def test_a_tampered_record_file_fails_the_verifier_which_names_it(published, file, tamper):
    path = published / file
    if tamper == "ballot":
        lines = path.read_bytes().splitlines(keepends=True)
        ballot = json.loads(lines[2])
        ballot["proofs"][0]["s0"], ballot["proofs"][0]["s1"] = ballot["proofs"][0]["s1"], ballot["proofs"][0]["s0"]
        lines[2] = json.dumps(ballot, separators=(",", ":")).encode() + b"\n"
        path.write_bytes(b"".join(lines))
    elif tamper == "partial":
        document = json.loads(path.read_bytes())
        first = document["scrutins"][1]["options"]
        first[0]["c"], first[1]["c"] = first[1]["c"], first[0]["c"]
        path.write_text(json.dumps(document))
    elif tamper in ("server", "unsigned"):
        # A close signed by another key than the one the seal named, or by no server at all.
        document = json.loads(path.read_bytes())
        other = record.server_close_signature(b"\x07" * 32, document["election"], document["manifest_sha256"])
        document["server_signature"] = other
        if tamper == "unsigned":
            del document["server_signature"]
        path.write_text(json.dumps(document))
    elif tamper == "count":
        document = json.loads(path.read_bytes())
        document["scrutins"][0]["counts"] = [3, 4]
        path.write_text(json.dumps(document))
    else:
        document = json.loads(path.read_bytes())
        a = document["scrutins"][0]["options"]
        a[0]["a"], a[1]["a"] = a[1]["a"], a[0]["a"]
        path.write_text(json.dumps(document))
    status, output = verifier(published)
    assert status == 1 and f"ÉCHEC  {file}" in output and f"FAILED {file}" in output, output
    if file == "seal-close.json":
        assert "invalid close (server_signature)" in output, output
