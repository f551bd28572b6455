"""The key holder's key file: their secrets, encrypted under a passphrase.

Argon2id (libsodium's, through PyNaCl) turns the passphrase and a random salt into a 32-byte
key; SecretBox (XSalsa20-Poly1305) encrypts and authenticates the secrets with it. A wrong
passphrase and a changed file fail the same authentication, so neither can yield wrong
secrets silently. The header (election, member) is repeated inside the encrypted part and
compared after opening, so a header edited to pass one member's file for another's is caught.
The file is written to a temporary name and renamed, readable by its owner only.
"""

from __future__ import annotations

import json
import secrets as random
from pathlib import Path

from nacl import exceptions as nacl_errors
from nacl import pwhash
from nacl.secret import SecretBox

from chalicelib.crypto.ceremony import Secrets
from chalicelib.crypto.ceremony_folder import write_bytes

KIND = "ev1-key-holder"
COSTS = {
    # The default: about 0.6 s and 256 MiB on a laptop, each time the file is opened.
    "moderate": (pwhash.argon2id.OPSLIMIT_MODERATE, pwhash.argon2id.MEMLIMIT_MODERATE),
    # For tests and the local demo only: about 0.1 s and 64 MiB.
    "interactive": (pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE),
}
MINIMUM = COSTS["interactive"]
MIN_PASSPHRASE = 12


class KeyFileError(Exception):
    """`code`: missing, exists, unreadable, wrong_passphrase, mismatch, weak_cost."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return pwhash.argon2id.kdf(
        SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit
    )


def _encode(secrets: Secrets, passphrase: str, cost: str) -> bytes:
    opslimit, memlimit = COSTS[cost]
    salt = random.token_bytes(pwhash.argon2id.SALTBYTES)
    box = SecretBox(_key(passphrase, salt, opslimit, memlimit)).encrypt(json.dumps(secrets.to_json()).encode())
    document = {
        "v": 1,
        "kind": KIND,
        "election": secrets.election,
        "member": secrets.label,
        "kdf": {"name": "argon2id", "salt": salt.hex(), "opslimit": opslimit, "memlimit": memlimit},
        "box": bytes(box).hex(),
    }
    return (json.dumps(document, indent=1) + "\n").encode()


def create(path: Path, secrets: Secrets, passphrase: str, cost: str = "moderate") -> None:
    if path.exists():
        raise KeyFileError("exists")
    write_bytes(path, _encode(secrets, passphrase, cost), mode=0o600)


def replace(path: Path, secrets: Secrets, passphrase: str, cost: str) -> None:
    """Write the updated secrets under the same passphrase (after round 3)."""
    write_bytes(path, _encode(secrets, passphrase, cost), mode=0o600)


def header(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError("missing") from None
    except (OSError, ValueError, RecursionError):
        raise KeyFileError("unreadable") from None
    if not isinstance(document, dict) or document.get("kind") != KIND or document.get("v") != 1:
        raise KeyFileError("unreadable")
    kdf = document.get("kdf")
    fields = (document.get("member"), document.get("election"), document.get("box"))
    if not all(isinstance(x, str) for x in fields) or not isinstance(kdf, dict):
        raise KeyFileError("unreadable")
    if not all(type(kdf.get(k)) is int for k in ("opslimit", "memlimit")) or not isinstance(kdf.get("salt"), str):
        raise KeyFileError("unreadable")
    return document


def cost_of(document: dict) -> str:
    kdf = document["kdf"]
    for name, (opslimit, memlimit) in COSTS.items():
        if (kdf["opslimit"], kdf["memlimit"]) == (opslimit, memlimit):
            return name
    return "moderate"


def open_secrets(path: Path, passphrase: str) -> tuple[Secrets, str]:
    """The secrets and the file's cost name; KeyFileError on any failure, nothing changed."""
    document = header(path)
    try:
        kdf = document["kdf"]
        salt, opslimit, memlimit = bytes.fromhex(kdf["salt"]), int(kdf["opslimit"]), int(kdf["memlimit"])
        box = bytes.fromhex(document["box"])
    except (KeyError, TypeError, ValueError):
        raise KeyFileError("unreadable") from None
    if kdf.get("name") != "argon2id" or opslimit < MINIMUM[0] or memlimit < MINIMUM[1]:
        raise KeyFileError("weak_cost")
    if len(salt) != pwhash.argon2id.SALTBYTES:
        raise KeyFileError("unreadable")
    try:
        plain = SecretBox(_key(passphrase, salt, opslimit, memlimit)).decrypt(box)
    except nacl_errors.CryptoError:
        raise KeyFileError("wrong_passphrase") from None
    try:
        secrets = Secrets.from_json(json.loads(plain))
    except (KeyError, TypeError, ValueError):
        raise KeyFileError("unreadable") from None
    if (secrets.election, secrets.label) != (document.get("election"), document.get("member")):
        raise KeyFileError("mismatch")
    return secrets, cost_of(document)
