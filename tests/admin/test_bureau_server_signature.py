"""The server's own signature of the close (VOTING.md, "At close … sealed"): the seal names the
server's signing key, so the key holders sign it before the first vote; the close is recorded
only with the server's signature by that key, which the key holders' tool and the verifier
check. A key that changed between the seal and the close signs nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3

from chalicelib import wiring
from chalicelib.crypto import ceremony, record
from chalicelib.crypto import ceremony_folder as files
from chalicelib.store.bureaus import BureauItem
from tests.admin.test_bureau_ceremony import admin, bureau, keyholder  # noqa: F401
from tests.admin.test_bureau_close import CLOSE, at, cast, closed, sealed, sign_close  # noqa: F401
from tests.admin.test_bureau_seal import decrypt, ready  # noqa: F401
from tests.conftest import TEST_ENVIRONMENT


def test_the_seal_names_the_servers_key_and_the_close_is_signed_with_it(admin, closed):
    bureau, folder, _, election = closed
    trustees_bytes = (folder / files.TRUSTEES).read_bytes()
    trustees = record.check_trustees(json.loads(trustees_bytes))
    opened = record.check_seal_open(
        json.loads((folder / files.SEAL_OPEN).read_bytes()), trustees, election, trustees_bytes
    )
    assert opened.server_key == ceremony.signing_public_key(wiring.server_signing_seed())
    assert opened.sealers == ["adm-2", "del-2"]
    sealed_close = json.loads((folder / files.SEAL_CLOSE).read_bytes())
    assert record.check_seal_close(sealed_close, trustees, election, opened.server_key).keys() == {"CSA-MEN", "CAPN-CE"}
    assert json.loads(sealed_close["server_signature"]["payload"]) == {
        "kind": "close-server",
        "election": bureau,
        "manifest": sealed_close["manifest_sha256"],
    }
    # The same close, checked against any other key: refused.
    other = ceremony.signing_public_key(b"\x01" * 32)
    try:
        record.check_seal_close(sealed_close, trustees, election, other)
    except record.InvalidClose as refused:
        assert refused.what == "server_signature"
    else:
        raise AssertionError("a close checked against another server key was accepted")


def _change_the_server_key(secret: str) -> None:
    boto3.client("secretsmanager", region_name="eu-west-3").put_secret_value(
        SecretId=TEST_ENVIRONMENT["SERVER_SIGNING_KEY_ID"], SecretString=secret
    )
    wiring.server_signing_seed.cache_clear()


def test_a_server_key_changed_before_the_close_begins_freezes_nothing(admin, sealed, monkeypatch):
    bureau, folder, _, election = sealed
    cast(election, "CSA-MEN", "P00000001", 1)
    at(monkeypatch, CLOSE + timedelta(hours=1))
    _change_the_server_key("another-secret-" + "w" * 40)
    status, output = admin("bureau", "close", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "server_key_changed", output
    assert BureauItem.get(bureau, "definition").state == "sealed" and not (folder / files.SEAL_CLOSE_MANIFEST).exists()


def test_a_server_key_changed_since_the_seal_signs_no_close(admin, sealed, monkeypatch):
    bureau, folder, keys, election = sealed
    cast(election, "CSA-MEN", "P00000001", 1)
    at(monkeypatch, CLOSE + timedelta(hours=1))
    assert admin("bureau", "close", bureau, str(folder))[0] == 0
    for member in ("adm-1", "del-2"):
        assert sign_close(folder, keys, member)[0] == 0
    _change_the_server_key("another-secret-" + "z" * 40)
    status, output = admin("bureau", "close", bureau, str(folder), "--json")
    assert status == 1 and json.loads(output)["error"]["code"] == "server_key_changed", output
    assert BureauItem.get(bureau, "definition").state == "closing"
    assert not (folder / files.SEAL_CLOSE).exists()
    status, output = admin("bureau", "close", bureau, str(folder))
    assert "La clé de signature du serveur n'est plus celle que le scellement a nommée" in output


def test_the_key_holders_tool_refuses_a_close_the_server_did_not_sign(admin, closed):
    bureau, folder, keys, _ = closed
    path = folder / files.SEAL_CLOSE
    document = json.loads(path.read_bytes())
    document["server_signature"] = record.server_close_signature(b"\x02" * 32, bureau, document["manifest_sha256"])
    path.write_text(json.dumps(document))
    status, output = decrypt(folder, keys, "adm-1")
    assert status != 0 and "server_signature" in output and "Rien n'a été déchiffré" in output, output
    assert not (folder / files.DEPOT / "partial-adm-1.json").exists()
