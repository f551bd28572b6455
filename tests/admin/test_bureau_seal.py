"""The seal through both tools, and the key holders' decryption of a tally (used by the count)."""

from __future__ import annotations

import hashlib
import json

import pytest

from chalicelib import wiring
from chalicelib.crypto import ballots, ceremony, record, threshold
from chalicelib.crypto import ceremony_folder as files
from chalicelib.crypto.group import IDENTITY, point_from_hex, scalar_from_hex
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import BureauItem, StateChanged, replace_before_seal
from tests.admin.test_bureau_ceremony import admin, bureau, honest_ceremony, keyholder  # noqa: F401
from tests.conftest import NOW
from tests.services.helpers import ballot, write_ballots


@pytest.fixture
def ready(admin, bureau, tmp_path):
    folder, keys = tmp_path / "usb", tmp_path / "keys"
    honest_ceremony(admin, bureau, folder, keys)
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
    # The key holder is shown the key the server will sign the close with, and signs it too.
    server_key = ceremony.signing_public_key(wiring.server_signing_seed())
    assert manifest["server_sign_pk"] == server_key.hex()
    assert f"Clé de signature du serveur, qui signera la clôture : {ceremony.key_fingerprint(server_key)}" in output
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
    # They sign the new manifest (their old signatures are replaced) and the seal is recorded.
    assert sign_seal(folder, keys, "adm-1")[0] == 0
    assert sign_seal(folder, keys, "del-1")[0] == 0
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "est scellé" in output, output
    assert BallotItem.get("CSA-MEN").sealed_at


def test_nothing_is_sealed_before_the_ceremony_ends(admin, bureau, tmp_path):
    status, output = admin("bureau", "seal", bureau, str(tmp_path / "d"), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "not_keys_ready"


def seal(admin, bureau, folder, keys):
    """The seal recorded (adm-2 and del-2 sign): seal-open.json in the folder, naming the
    server's key; the election as sealed."""
    admin("bureau", "seal", bureau, str(folder))
    for member in ("adm-2", "del-2"):
        assert sign_seal(folder, keys, member)[0] == 0
    status, output = admin("bureau", "seal", bureau, str(folder))
    assert status == 0 and "est scellé" in output, output
    return record.read_election((folder / files.ELECTION).read_bytes())


def close_the_box(folder, election, votes):
    """What the close leaves in the folder, written here by hand: the box's files, sorted by
    nonce, and the close's manifest (ballots, émargements, each file's SHA-256)."""
    (folder / files.BALLOTS).mkdir(exist_ok=True)
    scrutins = []
    for scrutin, choices in votes.items():
        k = election.options[scrutin]
        cast = [
            ballots.encrypt(public_key=election.public_key, phi=election.phi, scrutin=scrutin, options=k, choice=c)
            for c in choices
        ]
        lines = b"".join(
            json.dumps(b, separators=(",", ":")).encode() + b"\n" for b in sorted(cast, key=lambda b: b["nonce"])
        )
        (folder / files.BALLOTS / f"{scrutin}.jsonl").write_bytes(lines)
        entry = {"id": scrutin, "ballots": len(choices), "emargements": len(choices)}
        scrutins.append(entry | {"ballots_sha256": hashlib.sha256(lines).hexdigest()})
    manifest = {"v": 1, "kind": "seal-close", "election": election.uuid, "phi": election.phi.hex()}
    (folder / files.SEAL_CLOSE_MANIFEST).write_bytes(record.compact(manifest | {"scrutins": scrutins}))


def seal_close(folder, signers):
    text = (folder / files.SEAL_CLOSE_MANIFEST).read_text()
    signatures = [json.loads((folder / files.DEPOT / f"close-{m}.json").read_text()) for m in signers]
    digest = record.sha256_hex(text.encode())
    election = json.loads(text)["election"]
    server = record.server_close_signature(wiring.server_signing_seed(), election, digest)
    document = {"v": 1, "manifest": text, "manifest_sha256": digest, "server_signature": server}
    files.write_json(folder / files.SEAL_CLOSE, document | {"signatures": signatures})


def decrypt(folder, keys, member):
    return keyholder("decrypt", str(folder), "--key", str(keys / f"{member}.ev1key"), "--passphrase-stdin", "--yes")


def test_the_key_holders_decrypt_only_the_sums_of_the_whole_sealed_box(admin, ready):
    bureau, folder, keys = ready
    election = seal(admin, bureau, folder, keys)
    votes = {"CSA-MEN": [0, 1, 1, 1, 0], "CAPN-CE": [1]}
    close_the_box(folder, election, votes)

    status, output = decrypt(folder, keys, "adm-1")
    assert status == 1 and "la clôture n'est pas encore scellée" in output

    for member in ("del-2", "del-4"):
        close = ["close", str(folder), "--key", str(keys / f"{member}.ev1key"), "--passphrase-stdin", "--yes"]
        status, output = keyholder(*close)
        assert status == 0 and "5 bulletins dans l'urne, 5 émargements" in output, output
    seal_close(folder, ["del-2", "del-4"])  # two délégués, no président nor secrétaire
    status, output = decrypt(folder, keys, "adm-1")
    assert status == 1 and "Refusé : ce n'est pas l'urne scellée de cette élection (quorum)" in output

    close = ["close", str(folder), "--key", str(keys / "adm-2.ev1key"), "--passphrase-stdin", "--yes"]
    assert keyholder(*close)[0] == 0
    seal_close(folder, ["adm-2", "del-4"])

    box = folder / files.BALLOTS / "CSA-MEN.jsonl"
    whole = box.read_bytes()
    box.write_bytes(whole.splitlines(keepends=True)[0])  # one voter's ballot alone
    status, output = decrypt(folder, keys, "adm-1")
    assert (
        status == 1
        and "ce n'est pas l'urne scellée" in output
        and not (folder / files.DEPOT / "partial-adm-1.json").exists()
    )
    box.write_bytes(whole)

    files.write_json(folder / files.TALLY, {"v": 1, "election": election.phi.hex(), "scrutins": []})
    status, output = decrypt(folder, keys, "adm-1")
    assert status == 1 and "tally.json ne correspond pas" in output
    (folder / files.TALLY).unlink()

    present = ["adm-1", "del-1", "del-3"]
    for member in present:
        status, output = decrypt(folder, keys, member)
        assert status == 0, output
    trustees = record.check_trustees(json.loads((folder / files.TRUSTEES).read_bytes()))
    for scrutin, choices in votes.items():
        lines = (folder / files.BALLOTS / f"{scrutin}.jsonl").read_bytes().splitlines(keepends=True)
        count, _, sums = record.sum_ballots(lines, phi=election.phi, scrutin=scrutin, options=election.options[scrutin])
        counts = []
        for i, (A, B) in enumerate(sums):
            removed = IDENTITY
            for group in ("adm", "del"):
                partials = {}
                for member in (m for m in present if m.startswith(group)):
                    partial = json.loads((folder / files.DEPOT / f"partial-{member}.json").read_text())
                    entry = next(s for s in partial["scrutins"] if s["id"] == scrutin)["options"][i]
                    D = point_from_hex(entry["d"])
                    proof = threshold.Proof(scalar_from_hex(entry["c"]), scalar_from_hex(entry["s"]))
                    index = int(member[4:])
                    assert threshold.partial_is_valid(
                        trustees.verification_keys[member],
                        A,
                        D,
                        proof,
                        phi=election.phi,
                        label=threshold.decryption_label(group, scrutin, i),
                        index=index,
                    )
                    partials[index] = D
                removed = removed + threshold.combine(partials)
            counts.append(threshold.discrete_log(B - removed, count))
        assert counts == [choices.count(0), choices.count(1)]


def test_a_close_where_ballots_and_emargements_differ_is_not_signed(admin, ready):
    bureau, folder, keys = ready
    election = seal(admin, bureau, folder, keys)
    close_the_box(folder, election, {"CSA-MEN": [0, 1], "CAPN-CE": []})
    manifest = json.loads((folder / files.SEAL_CLOSE_MANIFEST).read_bytes())
    manifest["scrutins"][0]["emargements"] = 3
    (folder / files.SEAL_CLOSE_MANIFEST).write_bytes(record.compact(manifest))
    close = ["close", str(folder), "--key", str(keys / "adm-1.ev1key"), "--passphrase-stdin", "--yes"]
    status, output = keyholder(*close)
    assert status == 1 and "ballots ≠ émargements" in output
    assert not (folder / files.DEPOT / "close-adm-1.json").exists()
