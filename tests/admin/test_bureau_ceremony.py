"""The key ceremony end to end through both tools: the admin CLI's `bureau` commands on moto,
and `python -m keyholder` run as the key holders would, in a separate process each time,
with 2 + 4 key holders; a bad share caught, its sender named, and a second attempt that works."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chalicelib.crypto import ceremony, record, threshold
from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto.group import scalar_hex
from keyholder import keyfile
from tests.admin.test_cli import admin  # noqa: F401  (the admin CLI on moto, as a fixture)
from tests.services.helpers import ballot, write_ballots
from tests.support import ROOT

MEMBERS = ["adm-1", "adm-2", "del-1", "del-2", "del-3", "del-4"]
PASSPHRASE = "quatre mots sans rapport"


def keyholder(*argv, stdin: str = PASSPHRASE + "\n"):
    done = subprocess.run(
        [sys.executable, "-m", "keyholder", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def bureau(admin, tmp_path):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CAPN-CE")])))
    status, output = admin(
        "bureau", "create", "--name", "BVE ministériel", "--ballots", "CSA-MEN", "CAPN-CE",
        "--president", "Claire Martin", "--secretary", "Samir Haddad",
        "--delegate", "Délégué FSU", "--delegate", "Délégué UNSA", "--delegate", "Délégué FO",
        "--delegate", "Délégué CGT", "--json",
    )  # fmt: skip
    assert status == 0, output
    return json.loads(output)["bureau_id"]


def init_all(folder, keys):
    for member in MEMBERS:
        status, output = keyholder(
            "init", str(folder), "--member", member, "--key", str(keys / f"{member}.ev1key"),
            "--kdf", "interactive", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n",
        )  # fmt: skip
        assert status == 0, output
        assert "Empreinte de votre clé" in output


def run_round(kind, folder, keys, members=MEMBERS):
    yes = ["--yes"] if kind == "shares" else []  # the fingerprints and ceremony code, checked aloud
    return {
        m: keyholder(kind, str(folder), "--key", str(keys / f"{m}.ev1key"), "--passphrase-stdin", *yes) for m in members
    }


def test_a_whole_ceremony_with_a_bad_share_then_a_good_attempt(admin, bureau, tmp_path):
    folder, keys = tmp_path / "cle-usb", tmp_path / "keys"
    keys.mkdir()
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "En attente de l'étape 1 (init)" in output and (folder / files.ROSTER).exists()

    init_all(folder, keys)
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "En attente de l'étape 2" in output, output
    assert (folder / files.ROUND1).exists()

    shared = run_round("shares", folder, keys)
    assert all(s == 0 for s, _ in shared.values())
    # Each holder sees every member's fingerprint, to compare with what was read aloud at init.
    status_output = admin("bureau", "status", bureau, "--json")[1]
    fingerprints = {m["member"]: m["fingerprint"] for m in json.loads(status_output)["members"]}
    assert all(f"{fingerprints[m]}  " in shared["del-1"][1] for m in MEMBERS)
    # del-2's tool is dishonest: it sends del-3 a share off by one, signed and sealed properly.
    secrets, _ = keyfile.open_secrets(keys / "del-2.ev1key", PASSPHRASE)
    deposit = folder / files.DEPOT / "round2-del-2.json"
    message = json.loads(deposit.read_text())
    payload = json.loads(message["payload"])
    round1 = {r["payload"] and json.loads(r["payload"])["index"]: json.loads(r["payload"])
              for r in json.loads((folder / files.ROUND1).read_text())["messages"]
              if json.loads(r["payload"])["group"] == "del"}  # fmt: skip
    inner = ceremony.sign(
        secrets.signing_seed,
        {
            "kind": "share",
            "ceremony_hash": payload["ceremony_hash"],
            "group": "del",
            "from": 2,
            "to": 3,
            "share": scalar_hex(threshold.share(secrets.coefficients, 3) + 1),
        },
    )
    box = ceremony.SealedBox(ceremony.PublicKey(bytes.fromhex(round1[3]["enc_pk"])))
    for item in payload["shares"]:
        if item["to"] == 3:
            item["sealed"] = box.encrypt(json.dumps(inner).encode()).hex()
    deposit.write_text(json.dumps(ceremony.sign(secrets.signing_seed, payload)))

    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "En attente de l'étape 3" in output, output
    results = run_round("check", folder, keys)
    status, output = results["del-3"]
    assert status == 3
    assert "Délégué UNSA (del-2)" in output and "ne correspond pas à ses engagements" in output
    assert all(results[m][0] == 0 for m in MEMBERS if m != "del-3")

    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 1
    assert "CÉRÉMONIE ARRÊTÉE (tentative n° 1)" in output
    assert "la part envoyée par Délégué UNSA (del-2) à Délégué FO (del-3)" in output
    assert (folder / "tentative-1" / files.DEPOT / "complaint-del-3.json").exists()
    assert json.loads((folder / files.ROSTER).read_text())["attempt"] == 2

    # Attempt 2: new key files, everyone honest.
    keys = tmp_path / "keys-2"
    keys.mkdir()
    init_all(folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    assert all(s == 0 for s, _ in run_round("shares", folder, keys).values())
    admin("bureau", "ceremony", bureau, str(folder))
    assert all(s == 0 for s, _ in run_round("check", folder, keys).values())
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "Cérémonie terminée" in output, output

    trustees = record.check_trustees(json.loads((folder / files.TRUSTEES).read_bytes()))
    election = record.read_election((folder / files.ELECTION).read_bytes())
    assert election.public_key == trustees.public_key
    assert election.options == {"CSA-MEN": 2, "CAPN-CE": 2}  # blank and the one list
    assert election.trustees == record.sha256_hex((folder / files.TRUSTEES).read_bytes())
    out = tmp_path / "election.json"
    assert admin("bureau", "election-json", bureau, "--output", str(out))[0] == 0
    assert out.read_bytes() == (folder / files.ELECTION).read_bytes()
    status, output = admin("bureau", "status", bureau, "--json")
    assert json.loads(output)["state"] == "keys_ready"


def test_a_changed_message_is_refused_and_its_sender_named(admin, bureau, tmp_path):
    folder, keys = tmp_path / "d", tmp_path / "k"
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    deposit = folder / files.DEPOT / "round1-del-4.json"
    message = json.loads(deposit.read_text())
    message["payload"] = message["payload"].replace('"index":4', '"index":4 ')
    deposit.write_text(json.dumps(message))
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 1
    assert "REFUSÉ : round1-del-4.json de Délégué CGT (del-4) : signature invalide" in output
    assert "En attente de l'étape 1 (init) de : Délégué CGT (del-4)" in output


def test_a_wrong_passphrase_changes_nothing(admin, bureau, tmp_path):
    folder, keys = tmp_path / "d", tmp_path / "k"
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    before = (keys / "del-1.ev1key").read_bytes()
    status, output = keyholder(
        "shares", str(folder), "--key", str(keys / "del-1.ev1key"), "--passphrase-stdin", stdin="pas la bonne\n"
    )
    assert status == 1 and "Phrase de passe incorrecte" in output
    assert (keys / "del-1.ev1key").read_bytes() == before
    assert not (folder / files.DEPOT / "round2-del-1.json").exists()


def test_a_tampered_key_file_is_refused(bureau, admin, tmp_path):
    folder, keys = tmp_path / "d", tmp_path / "k"
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    path = keys / "adm-1.ev1key"
    document = json.loads(path.read_text())
    document["box"] = document["box"][:-2] + ("00" if document["box"][-2:] != "00" else "11")
    path.write_text(json.dumps(document))
    status, output = keyholder("shares", str(folder), "--key", str(path), "--passphrase-stdin")
    assert status == 1 and "fichier de clé modifié" in output


@pytest.mark.parametrize(
    "argv, code",
    [
        (["--ballots", "NOPE"], "unknown_ballots"),
        (["--ballots", "CSA-MEN", "--delegate", "A"], "bureau_delegates_too_few"),
    ],
)
def test_bureau_create_refusals(admin, tmp_path, argv, code):
    admin("import-ballots", str(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN")])))
    base = ["bureau", "create", "--name", "B", "--president", "P", "--json"]
    if "--delegate" not in argv:
        argv = [*argv, "--delegate", "A", "--delegate", "B"]
    status, output = admin(*base, *argv)
    assert status == 1 and json.loads(output)["error"]["code"] == code


def test_a_ballot_belongs_to_one_bureau(admin, bureau):
    status, output = admin(
        "bureau", "create", "--name", "Autre", "--ballots", "CSA-MEN", "--president", "P",
        "--delegate", "A", "--delegate", "B", "--json",
    )  # fmt: skip
    assert status == 1 and json.loads(output)["error"]["code"] == "ballot_in_another_bureau"


def test_a_key_file_is_never_made_inside_the_ceremony_folder(admin, bureau, tmp_path):
    folder = tmp_path / "d"
    admin("bureau", "ceremony", bureau, str(folder))
    status, output = keyholder(
        "init", str(folder), "--member", "adm-1", "--key", str(folder / "ma-cle.ev1key"), "--kdf", "interactive",
        "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )  # fmt: skip
    assert status == 1 and "ne doit pas être rangé dans le dossier de la cérémonie" in output
    assert not (folder / "ma-cle.ev1key").exists() and not (folder / files.DEPOT).exists()


@pytest.mark.parametrize("hostile", ["directory", "deep", "link", "not_utf8"])
def test_a_hostile_roster_file_gives_a_french_message_not_a_traceback(tmp_path, hostile):
    folder = tmp_path / "d"
    folder.mkdir()
    roster = folder / files.ROSTER
    if hostile == "directory":
        roster.mkdir()
    elif hostile == "deep":
        roster.write_text("[" * 100_000)
    elif hostile == "link":
        roster.symlink_to("/dev/zero")
    else:
        roster.write_bytes(b"\xff\xfe{}")
    status, output = keyholder("init", str(folder), "--member", "adm-1", "--key", str(tmp_path / "k"))
    assert status == 1 and "Erreur :" in output and "Traceback" not in output


def test_a_depot_that_is_a_link_is_never_written_through(admin, bureau, tmp_path):
    folder, elsewhere = tmp_path / "d", tmp_path / "ailleurs"
    admin("bureau", "ceremony", bureau, str(folder))
    elsewhere.mkdir()
    (folder / files.DEPOT).symlink_to(elsewhere)
    status, output = keyholder(
        "init", str(folder), "--member", "adm-1", "--key", str(tmp_path / "k.ev1key"), "--kdf", "interactive",
        "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )  # fmt: skip
    assert status == 1 and "lien vers un autre endroit" in output
    assert not list(elsewhere.iterdir())


def honest_ceremony(admin, bureau, folder, keys) -> None:
    """Every round, every holder honest, the bureau visiting the folder after each; the last
    visit (which writes trustees.json and election.json) is the caller's."""
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    for step in ("shares", "check"):
        admin("bureau", "ceremony", bureau, str(folder))
        assert all(s == 0 for s, _ in run_round(step, folder, keys).values())


def test_a_lost_round_three_deposit_is_made_again(admin, bureau, tmp_path):
    folder, keys = tmp_path / "d", tmp_path / "k"
    honest_ceremony(admin, bureau, folder, keys)
    (folder / files.DEPOT / "round3-del-2.json").unlink()  # the stick was pulled out too early
    status, output = run_round("check", folder, keys, ["del-2"])["del-2"]
    assert status == 0 and (folder / files.DEPOT / "round3-del-2.json").exists(), output
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "Cérémonie terminée" in output, output


def test_shares_wait_for_the_holder_to_confirm_the_codes_read_aloud(admin, bureau, tmp_path):
    folder, keys = tmp_path / "d", tmp_path / "k"
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    key = str(keys / "del-1.ev1key")
    status, output = keyholder("shares", str(folder), "--key", key, "--passphrase-stdin", stdin=f"{PASSPHRASE}\nnon\n")
    assert status == 1 and "Code de la cérémonie" in output
    assert not (folder / files.DEPOT / "round2-del-1.json").exists()
    status, output = keyholder("shares", str(folder), "--key", key, "--passphrase-stdin", stdin=f"{PASSPHRASE}\noui\n")
    assert status == 0 and (folder / files.DEPOT / "round2-del-1.json").exists()
