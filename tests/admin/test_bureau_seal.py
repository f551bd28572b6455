"""The seal through both tools, and the key holders' decryption of a tally (used by the count)."""

from __future__ import annotations

import json

import pytest

from chalicelib.crypto import ballots, ceremony, record, threshold
from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto.group import IDENTITY, point_from_hex, scalar_from_hex
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import BureauItem, StateChanged, replace_before_seal
from tests.admin.test_bureau_ceremony import MEMBERS, admin, bureau, init_all, keyholder, run_round  # noqa: F401
from tests.conftest import NOW
from tests.services.helpers import ballot, write_ballots


@pytest.fixture
def ready(admin, bureau, tmp_path):
    folder, keys = tmp_path / "usb", tmp_path / "keys"
    keys.mkdir()
    admin("bureau", "ceremony", bureau, str(folder))
    init_all(folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    run_round("shares", folder, keys)
    admin("bureau", "ceremony", bureau, str(folder))
    run_round("check", folder, keys)
    status, output = admin("bureau", "ceremony", bureau, str(folder))
    assert status == 0 and "Cérémonie terminée" in output, output
    return bureau, folder, keys


def sign_seal(folder, keys, member):
    return keyholder("seal", str(folder), "--key", str(keys / f"{member}.ev1key"), "--passphrase-stdin", "--yes")


def test_the_seal_needs_the_president_or_secretary_and_a_delegate(admin, ready):
    bureau, folder, keys = ready
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "Manifeste de scellement écrit" in output, output
    manifest = json.loads((folder / files.SEAL_MANIFEST).read_bytes())
    assert manifest["phi"] == record.sha256_hex((folder / files.ELECTION).read_bytes())
    assert manifest["package"]["kind"] == "source" and manifest["static"]["files"]
    assert any(f["path"] == "booth/ev1.js" for f in manifest["static"]["files"])
    assert [s["id"] for s in manifest["scrutins"]] == ["CSA-MEN", "CAPN-CE"]
    assert all(s["ballot_box_empty"] and s["sign_in_empty"] for s in manifest["scrutins"])
    assert manifest["configuration"]["variables"]["STAGE"] == "test"

    status, output = sign_seal(folder, keys, "del-2")
    assert status == 0 and "Empreinte de l'élection" in output, output
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "Il manque encore la signature du président ou du secrétaire" in output, output

    assert sign_seal(folder, keys, "adm-2")[0] == 0
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "est scellé" in output, output

    sealed = json.loads((folder / files.SEAL_OPEN).read_bytes())
    assert record.sha256_hex(sealed["manifest"].encode()) == sealed["manifest_sha256"]
    assert sealed["manifest"].encode() == (folder / files.SEAL_MANIFEST).read_bytes()
    trustees = record.check_trustees(json.loads((folder / files.TRUSTEES).read_bytes()))
    signers = []
    for envelope in sealed["signatures"]:
        payload = ceremony.payload_of(envelope)
        label = f"{payload['group']}-{payload['index']}"
        ceremony.open_signed(envelope, trustees.sign_keys[label], label)
        assert payload["manifest"] == sealed["manifest_sha256"]
        signers.append(label)
    assert signers == ["adm-2", "del-2"]
    assert all(BallotItem.get(b).sealed_at for b in ("CSA-MEN", "CAPN-CE"))
    assert [e.part for e in BureauItem.query("sealed-elections")] == [bureau]
    assert json.loads(admin("bureau", "status", bureau, "--json")[1])["state"] == "sealed"
    with pytest.raises(StateChanged):  # a published file never changes
        replace_before_seal(bureau, files.ELECTION, b"{}\n", NOW)


def test_a_change_after_the_manifest_voids_the_signatures(admin, ready, tmp_path):
    bureau, folder, keys = ready
    admin("bureau", "seal", bureau, str(folder))
    assert sign_seal(folder, keys, "adm-1")[0] == 0
    assert sign_seal(folder, keys, "del-1")[0] == 0
    # The administrator re-imports a ballot with another label before the seal is recorded.
    changed = write_ballots(tmp_path / "b2.json", [ballot("CSA-MEN", label="Autre libellé"), ballot("CAPN-CE")])
    admin("import-ballots", str(changed))
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert "a changé depuis la préparation du manifeste" in output and "phi" in output, output
    # election.json follows the scrutin (same key, new φ): the key holders sign the new one
    election = record.read_election((folder / files.ELECTION).read_bytes())
    assert election.document["scrutins"][0]["label"] == "Autre libellé"
    assert election.phi.hex() == json.loads((folder / files.SEAL_MANIFEST).read_bytes())["phi"]
    assert not BallotItem.get("CSA-MEN").sealed_at
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert "signature d'un manifeste précédent" in output and "est scellé" not in output


def test_nothing_is_sealed_before_the_ceremony_ends(admin, bureau, tmp_path):
    status, output = admin("bureau", "seal", bureau, str(tmp_path / "d"), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "not_keys_ready"


def test_the_key_holders_decrypt_a_tally_and_refuse_anything_else(admin, ready):
    bureau, folder, keys = ready
    election = record.read_election((folder / files.ELECTION).read_bytes())
    votes = {"CSA-MEN": [0, 1, 1, 1, 0], "CAPN-CE": [1]}
    scrutins = []
    for scrutin, choices in votes.items():
        sums = [(IDENTITY, IDENTITY)] * election.options[scrutin]
        for choice in choices:
            cast = ballots.encrypt(
                public_key=election.public_key, phi=election.phi, scrutin=scrutin, options=2, choice=choice
            )
            checked = ballots.verify(cast, public_key=election.public_key, phi=election.phi, scrutin=scrutin, options=2)
            sums = [(A + a, B + b) for (A, B), (a, b) in zip(sums, checked.pairs, strict=True)]
        options = [{"a": A.hex(), "b": B.hex()} for A, B in sums]
        scrutins.append({"id": scrutin, "ballots": len(choices), "options": options})
    tally = {"v": 1, "election": election.phi.hex(), "scrutins": scrutins}

    wrong = dict(tally, election="00" * 32)
    files.write_json(folder / files.TALLY, wrong)
    key = str(keys / "adm-1.ev1key")
    status, output = keyholder("decrypt", str(folder), "--key", key, "--passphrase-stdin", "--yes")
    assert status == 1 and "Refusé : tally.json n'est pas le résultat scellé" in output

    files.write_json(folder / files.TALLY, tally)
    present = ["adm-1", "del-1", "del-3"]
    for member in present:
        status, output = keyholder(
            "decrypt", str(folder), "--key", str(keys / f"{member}.ev1key"), "--passphrase-stdin", "--yes"
        )
        assert status == 0, output
    trustees = record.check_trustees(json.loads((folder / files.TRUSTEES).read_bytes()))
    for scrutin in tally["scrutins"]:
        counts = []
        for i, option in enumerate(scrutin["options"]):
            A, B = point_from_hex(option["a"]), point_from_hex(option["b"])
            removed = IDENTITY
            for group in ("adm", "del"):
                partials = {}
                for member in (m for m in present if m.startswith(group)):
                    partial = json.loads((folder / files.DEPOT / f"partial-{member}.json").read_text())
                    entry = next(s for s in partial["scrutins"] if s["id"] == scrutin["id"])["options"][i]
                    D = point_from_hex(entry["d"])
                    proof = threshold.Proof(scalar_from_hex(entry["c"]), scalar_from_hex(entry["s"]))
                    index = int(member[4:])
                    assert threshold.partial_is_valid(
                        trustees.verification_keys[member],
                        A,
                        D,
                        proof,
                        phi=election.phi,
                        label=threshold.decryption_label(group, scrutin["id"], i),
                        index=index,
                    )
                    partials[index] = D
                removed = removed + threshold.combine(partials)
            counts.append(threshold.discrete_log(B - removed, scrutin["ballots"]))
        assert counts == [votes[scrutin["id"]].count(0), votes[scrutin["id"]].count(1)]
