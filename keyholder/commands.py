"""`python -m keyholder`: the ceremony's rounds, the seal and the decryption, for one key holder.

Every command reads the ceremony folder (`chalicelib.crypto.ceremony_folder`), checks what it
reads before using it, writes only its own deposit (and, at the rounds, its own key file), and
on any problem prints a French sentence, changes nothing and exits with 1 (3 for a complaint
against another member). The passphrase is read without echo, or, for scripts, from standard
input with --passphrase-stdin (one line; two at init).
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from pathlib import Path

from chalicelib.crypto import ballots, ceremony, record, threshold
from chalicelib.crypto import ceremony_folder as folder_files
from chalicelib.crypto.ceremony import CeremonyError, Roster
from chalicelib.crypto.group import G, scalar_hex
from keyholder import keyfile, texts


class Stop(Exception):
    """A French message for the key holder; nothing was changed."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


# --- reading the folder -----------------------------------------------------------------


def _read(folder: Path, name: str, required: bool = True):
    path = folder / name
    try:
        document = folder_files.read_json(path)
    except ValueError:
        raise Stop(texts.NOT_JSON.format(path=path)) from None
    if document is None and required:
        raise Stop(texts.MISSING_FILE[name].format(folder=folder))
    return document


def _read_bytes(folder: Path, name: str) -> bytes:
    try:
        data = folder_files.read_bytes(folder / name)
    except ValueError:
        raise Stop(texts.NOT_JSON.format(path=folder / name)) from None
    if data is None:
        raise Stop(texts.MISSING_FILE[name].format(folder=folder))
    return data


def _deposit(folder: Path, kind: str, label: str, message) -> Path:
    try:
        return folder_files.deposit(folder, kind, label, message)
    except folder_files.UnsafeFolder:
        raise Stop(texts.UNSAFE_DEPOT.format(path=folder / folder_files.DEPOT)) from None


def _who(roster: Roster | None, label: str | None) -> str:
    if not label:
        return "un membre inconnu"
    if roster is not None:
        for m in roster.members:
            if m.label == label:
                return f"{m.name} ({label})"
    return label


def _ceremony_error(error: CeremonyError, roster: Roster | None) -> Stop:
    text = texts.CEREMONY_ERRORS.get(error.code, error.code)
    return Stop(text.format(who=_who(roster, error.sender), detail=error.detail or "?") + " " + texts.NOTHING_CHANGED)


def _roster(folder: Path) -> Roster:
    try:
        return Roster.from_json(_read(folder, folder_files.ROSTER))
    except CeremonyError as error:
        raise _ceremony_error(error, None) from None


def _round1s(folder: Path, roster: Roster, secrets) -> tuple[dict, bytes]:
    document = _read(folder, folder_files.ROUND1)
    try:
        checked = [ceremony.check_round1(envelope, roster) for envelope in document["messages"]]
    except (KeyError, TypeError):
        raise Stop(texts.NOT_JSON.format(path=folder / folder_files.ROUND1)) from None
    except CeremonyError as error:
        raise _ceremony_error(error, roster) from None
    round1s = {r.member.label: r for r in checked}
    missing = ceremony.missing(roster, round1s)
    if missing or len(checked) != len(roster.members):
        raise Stop(texts.MISSING_FILE[folder_files.ROUND1])
    mine = round1s[secrets.label]
    if mine.sign_pk != secrets.sign_pk or mine.enc_pk != secrets.enc_pk:
        raise Stop(texts.NOT_IN_ROUND1)
    if mine.envelope != ceremony.round1(secrets):  # Ed25519 signatures are deterministic
        raise Stop(texts.NOT_IN_ROUND1)
    ceremony_hash = ceremony.ceremony_hash(roster, round1s)
    if document.get("ceremony_hash") != ceremony_hash.hex():
        raise Stop(texts.ROUND1_HASH)
    return round1s, ceremony_hash


def _round2s(folder: Path, roster: Roster, round1s: dict, ceremony_hash: bytes, group: str) -> dict:
    document = _read(folder, folder_files.ROUND2)
    try:
        checked = [ceremony.check_round2(e, roster, round1s, ceremony_hash) for e in document["messages"]]
    except (KeyError, TypeError):
        raise Stop(texts.NOT_JSON.format(path=folder / folder_files.ROUND2)) from None
    except CeremonyError as error:
        raise _ceremony_error(error, roster) from None
    round2s = {r.member.label: r for r in checked}
    if any(m.label not in round2s for m in roster.group(group)):
        raise Stop(texts.MISSING_FILE[folder_files.ROUND2])
    return round2s


def _trustees(folder: Path, roster: Roster | None = None) -> tuple[record.Trustees, bytes]:
    data = _read_bytes(folder, folder_files.TRUSTEES)
    try:
        return record.check_trustees(_loads(data, folder / folder_files.TRUSTEES)), data
    except CeremonyError as error:
        raise _ceremony_error(error, roster) from None


def _loads(data: bytes, path: Path):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Stop(texts.NOT_JSON.format(path=path)) from None


def _election(folder: Path, trustees: record.Trustees, trustees_bytes: bytes) -> tuple[record.Election, bytes]:
    data = _read_bytes(folder, folder_files.ELECTION)
    try:
        election = record.read_election(data)
    except record.InvalidElection as error:
        raise Stop(texts.ELECTION_MISMATCH.format(what=str(error))) from None
    if election.public_key != trustees.public_key:
        raise Stop(texts.ELECTION_MISMATCH.format(what="clé publique"))
    if election.trustees != record.sha256_hex(trustees_bytes):
        raise Stop(texts.ELECTION_MISMATCH.format(what="empreinte de trustees.json"))
    if election.uuid != trustees.roster.election:
        raise Stop(texts.ELECTION_MISMATCH.format(what="identifiant"))
    return election, data


# --- the passphrase and the key file ----------------------------------------------------


class Passphrases:
    def __init__(self, from_stdin: bool, stdin=None):
        self.from_stdin, self.stdin = from_stdin, stdin or sys.stdin

    def ask(self, prompt: str = texts.PASSPHRASE_PROMPT) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise Stop(texts.NO_PASSPHRASE)
            return line.rstrip("\r\n")
        return getpass.getpass(prompt)


def _open_key(path: Path, passphrases: Passphrases):
    try:
        keyfile.header(path)  # a missing or foreign file is said before the passphrase is asked
        passphrase = passphrases.ask()
        secrets, cost = keyfile.open_secrets(path, passphrase)
    except keyfile.KeyFileError as error:
        raise Stop(texts.KEYFILE_ERRORS[error.code].format(path=path)) from None
    return secrets, passphrase, cost


def _same_election(secrets, roster: Roster) -> None:
    if secrets.election != roster.election:
        raise Stop(texts.WRONG_KEY.format(key=f"{secrets.label} / {secrets.election}", expected=roster.election))


def _not_yet_deposited(folder: Path, kind: str, label: str) -> None:
    path = folder / folder_files.DEPOT / folder_files.deposit_name(kind, label)
    if path.exists():
        raise Stop(texts.ALREADY_DEPOSITED.format(path=path))


def _confirm(args, passphrases: Passphrases, out, question: str = texts.CONFIRM) -> None:
    if args.yes:
        return
    print(question, end="", file=out, flush=True)
    answer = passphrases.stdin.readline().strip().lower()
    if answer not in ("oui", "o"):
        raise Stop(texts.NOT_CONFIRMED)


# --- the commands -----------------------------------------------------------------------


def _choose_member(args, roster: Roster, passphrases: Passphrases, out) -> ceremony.Member:
    labels = {m.label: m for m in roster.members}
    if args.member:
        if args.member not in labels:
            raise Stop(texts.UNKNOWN_MEMBER.format(member=args.member, members=", ".join(labels)))
        return labels[args.member]
    for number, m in enumerate(roster.members, start=1):
        print(
            f"{number}. " + texts.MEMBER_LINE.format(label=m.label, role=texts.ROLE_NAMES[m.role], name=m.name),
            file=out,
        )
    print(texts.CHOOSE_MEMBER, end="", file=out, flush=True)
    answer = passphrases.stdin.readline().strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(roster.members):
        raise Stop(texts.UNKNOWN_MEMBER.format(member=answer, members=", ".join(labels)))
    return roster.members[int(answer) - 1]


def init(args, passphrases: Passphrases, out) -> int:
    folder = Path(args.folder)
    roster = _roster(folder)
    member = _choose_member(args, roster, passphrases, out)
    _not_yet_deposited(folder, "round1", member.label)
    key_path = (
        Path(args.key)
        if args.key
        else Path.home() / f"cle-{member.label}-{roster.election[:8]}-{roster.attempt}.ev1key"
    )
    if key_path.resolve().is_relative_to(folder.resolve()):
        raise Stop(texts.KEY_IN_FOLDER.format(path=key_path))
    if key_path.exists():
        raise Stop(texts.KEYFILE_ERRORS["exists"].format(path=key_path))
    if not passphrases.from_stdin:
        print(texts.PASSPHRASE_NEW_HELP.format(minimum=keyfile.MIN_PASSPHRASE), file=out)
    first = passphrases.ask()
    if len(first) < keyfile.MIN_PASSPHRASE:
        raise Stop(texts.PASSPHRASE_SHORT.format(minimum=keyfile.MIN_PASSPHRASE))
    if passphrases.ask(texts.PASSPHRASE_AGAIN) != first:
        raise Stop(texts.PASSPHRASE_DIFFERENT)
    secrets = ceremony.new_secrets(roster, member.group, member.index, ballots.SystemRandom())
    try:
        keyfile.create(key_path, secrets, first, args.kdf)
    except keyfile.KeyFileError as error:
        raise Stop(texts.KEYFILE_ERRORS[error.code].format(path=key_path)) from None
    deposit = _deposit(folder, "round1", member.label, ceremony.round1(secrets))
    print(
        texts.INIT_DONE.format(key=key_path, deposit=deposit, fingerprint=ceremony.key_fingerprint(secrets.sign_pk)),
        file=out,
    )
    return 0


def shares(args, passphrases: Passphrases, out) -> int:
    folder = Path(args.folder)
    roster = _roster(folder)
    secrets, passphrase, cost = _open_key(Path(args.key), passphrases)
    _same_election(secrets, roster)
    _not_yet_deposited(folder, "round2", secrets.label)
    round1s, ceremony_hash = _round1s(folder, roster, secrets)
    # Before any share leaves this computer: everyone must see the same keys (see ceremony.py).
    print(texts.FINGERPRINTS, file=out)
    for m in roster.members:
        fingerprint = ceremony.key_fingerprint(round1s[m.label].sign_pk)
        print(texts.FINGERPRINT_LINE.format(fingerprint=fingerprint, who=_who(roster, m.label)), file=out)
    print(texts.CEREMONY_CODE.format(code=ceremony.ceremony_code(ceremony_hash)), file=out)
    _confirm(args, passphrases, out, texts.CONFIRM_KEYS)
    if secrets.ceremony_hash != ceremony_hash:
        secrets.ceremony_hash = ceremony_hash
        keyfile.replace(Path(args.key), secrets, passphrase, cost)
    message = ceremony.round2(secrets, roster, round1s, ceremony_hash, ballots.SystemRandom())
    deposit = _deposit(folder, "round2", secrets.label, message)
    print(texts.SHARES_DONE.format(deposit=deposit), file=out)
    return 0


def check(args, passphrases: Passphrases, out) -> int:
    folder = Path(args.folder)
    roster = _roster(folder)
    secrets, passphrase, cost = _open_key(Path(args.key), passphrases)
    _same_election(secrets, roster)
    round1s, ceremony_hash = _round1s(folder, roster, secrets)
    if secrets.key_share is not None:
        # Done before: if the folder lost the deposit (a stick pulled out), make it again.
        path = folder / folder_files.DEPOT / folder_files.deposit_name("round3", secrets.label)
        if secrets.ceremony_hash != ceremony_hash or path.exists():
            raise Stop(texts.STEP_ALREADY_DONE)
        message = ceremony.round3_message(secrets, ceremony_hash, ballots.SystemRandom())
        deposit = _deposit(folder, "round3", secrets.label, message)
        print(texts.CHECK_DONE.format(count=len(roster.group(secrets.group)) - 1, deposit=deposit), file=out)
        return 0
    round2s = _round2s(folder, roster, round1s, ceremony_hash, secrets.group)
    outcome = ceremony.round3(secrets, roster, round1s, round2s, ceremony_hash, ballots.SystemRandom())
    if outcome.key_share is None:
        payload = ceremony.payload_of(outcome.message)
        deposit = _deposit(folder, "complaint", secrets.label, outcome.message)
        reason = texts.COMPLAINT_REASONS.get(payload["reason"], payload["reason"])
        print(texts.COMPLAINT.format(who=_who(roster, outcome.against), reason=reason, deposit=deposit), file=out)
        return 3
    secrets.ceremony_hash, secrets.key_share = ceremony_hash, outcome.key_share
    keyfile.replace(Path(args.key), secrets, passphrase, cost)
    deposit = _deposit(folder, "round3", secrets.label, outcome.message)
    print(texts.CHECK_DONE.format(count=len(roster.group(secrets.group)) - 1, deposit=deposit), file=out)
    return 0


def _signed_already(folder: Path, kind: str, label: str, digest: str, field: str) -> None:
    """Refuse to sign twice what was signed; a signature of an earlier version is replaced."""
    try:
        previous = folder_files.read_json(folder / folder_files.DEPOT / folder_files.deposit_name(kind, label))
        signed = ceremony.payload_of(previous).get(field) if previous is not None else None
    except ValueError:
        signed = None
    if signed == digest:
        raise Stop(texts.ALREADY_SIGNED)


def _holder_of_this_election(secrets, trustees: record.Trustees) -> None:
    if secrets.key_share is None:
        raise Stop(texts.NO_KEY_SHARE)
    expected = trustees.verification_keys.get(secrets.label)
    same_ceremony = secrets.ceremony_hash == trustees.ceremony_hash
    if secrets.election != trustees.roster.election or not same_ceremony or expected != secrets.key_share * G:
        raise Stop(
            texts.WRONG_KEY.format(key=f"{secrets.label} / {secrets.election}", expected=trustees.roster.election)
        )


def _scrutins_line(election: record.Election) -> str:
    return ", ".join(f"{s['id']} ({len(s['options'])} choix)" for s in election.document["scrutins"])


def seal(args, passphrases: Passphrases, out) -> int:
    folder = Path(args.folder)
    trustees, trustees_bytes = _trustees(folder)
    election, election_bytes = _election(folder, trustees, trustees_bytes)
    manifest_bytes = _read_bytes(folder, folder_files.SEAL_MANIFEST)
    manifest = _loads(manifest_bytes, folder / folder_files.SEAL_MANIFEST)
    expected = {
        "election": trustees.roster.election,
        "phi": election.phi.hex(),
        "trustees": record.sha256_hex(trustees_bytes),
    }
    for field, value in expected.items():
        if not isinstance(manifest, dict) or manifest.get(field) != value:
            raise Stop(texts.MANIFEST_MISMATCH.format(what=field))
    server_key = manifest.get("server_sign_pk")
    if not isinstance(server_key, str) or not re.fullmatch("[0-9a-f]{64}", server_key):
        raise Stop(texts.MANIFEST_MISMATCH.format(what="server_sign_pk"))
    secrets, _, _ = _open_key(Path(args.key), passphrases)
    _holder_of_this_election(secrets, trustees)
    _signed_already(folder, "seal", secrets.label, record.sha256_hex(manifest_bytes), "manifest")
    document = election.document
    print(
        texts.SEAL_SUMMARY.format(
            name=document.get("name", election.uuid),
            scrutins=_scrutins_line(election),
            opens=document.get("voting_opens_at"),
            closes=document.get("voting_closes_at"),
            phi=election.phi.hex(),
            manifest_hash=record.sha256_hex(manifest_bytes),
            server=ceremony.key_fingerprint(bytes.fromhex(server_key)),
        ),
        file=out,
    )
    _confirm(args, passphrases, out)
    signature = ceremony.sign(
        secrets.signing_seed,
        {
            "kind": "seal",
            "election": secrets.election,
            "group": secrets.group,
            "index": secrets.index,
            "manifest": record.sha256_hex(manifest_bytes),
        },
    )
    deposit = _deposit(folder, "seal", secrets.label, signature)
    print(texts.SEAL_DONE.format(deposit=deposit), file=out)
    return 0


def close(args, passphrases: Passphrases, out) -> int:
    """Sign what the bureau closed: per scrutin, ballots in the box, émargements, the box's file."""
    folder = Path(args.folder)
    trustees, trustees_bytes = _trustees(folder)
    election, _ = _election(folder, trustees, trustees_bytes)
    manifest_bytes = _read_bytes(folder, folder_files.SEAL_CLOSE_MANIFEST)
    manifest = _loads(manifest_bytes, folder / folder_files.SEAL_CLOSE_MANIFEST)
    digest = record.sha256_hex(manifest_bytes)
    try:  # the same reading as at decryption, before any signature (the quorum comes later)
        record.check_seal_close(
            {"manifest": manifest_bytes.decode("utf-8"), "manifest_sha256": digest, "signatures": []},
            trustees,
            election,
            _sealed(folder, trustees, election, trustees_bytes).server_key,
        )
    except record.InvalidClose as refused:
        if refused.what != "quorum":
            raise Stop(texts.CLOSE_REFUSED.format(what=refused.what)) from None
    secrets, _, _ = _open_key(Path(args.key), passphrases)
    _holder_of_this_election(secrets, trustees)
    _signed_already(folder, "close", secrets.label, digest, "manifest")
    print(texts.CLOSE_SUMMARY.format(name=election.document.get("name", election.uuid)), file=out)
    for s in manifest["scrutins"]:
        print(texts.CLOSE_LINE.format(id=s["id"], ballots=s["ballots"], emargements=s["emargements"]), file=out)
    _confirm(args, passphrases, out)
    signature = ceremony.sign(
        secrets.signing_seed,
        {
            "kind": "close",
            "election": secrets.election,
            "group": secrets.group,
            "index": secrets.index,
            "manifest": digest,
        },
    )
    deposit = _deposit(folder, "close", secrets.label, signature)
    print(texts.CLOSE_DONE.format(deposit=deposit), file=out)
    return 0


def _sealed(folder: Path, trustees: record.Trustees, election: record.Election, trustees_bytes: bytes):
    """The seal of this election (seal-open.json, signed by an adm and a del key holder), which
    names the key the server signs the close with."""
    try:
        return record.check_seal_open(_read(folder, folder_files.SEAL_OPEN), trustees, election, trustees_bytes)
    except record.InvalidSeal as refused:
        raise Stop(texts.SEAL_REFUSED.format(what=refused.what)) from None


def _sealed_sums(
    folder: Path, trustees: record.Trustees, election: record.Election, trustees_bytes: bytes, out
) -> list[tuple[str, list]]:
    """The sums of the sealed box, recomputed here from ballots/<σ>.jsonl, refused unless the
    close is sealed (an adm and a del signature, and the server's with the key of the seal),
    each file is the one sealed, and each holds as many ballots as émargements: never the sums
    of a few ballots someone chose."""
    server_key = _sealed(folder, trustees, election, trustees_bytes).server_key
    try:
        closed = record.check_seal_close(_read(folder, folder_files.SEAL_CLOSE), trustees, election, server_key)
    except record.InvalidClose as refused:
        raise Stop(texts.TALLY_REFUSED.format(what=refused.what)) from None
    result = []
    for scrutin, entry in closed.items():
        path = folder / folder_files.BALLOTS / f"{scrutin}.jsonl"
        print(texts.SUMMING.format(id=scrutin, ballots=entry["ballots"]), file=out, flush=True)
        try:
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise record.InvalidClose(f"{scrutin}: {path.name}")
            with open(path, "rb") as lines:
                count, digest, sums = record.sum_ballots(
                    lines, phi=election.phi, scrutin=scrutin, options=election.options[scrutin]
                )
        except FileNotFoundError:
            raise Stop(texts.TALLY_REFUSED.format(what=f"{path} absent")) from None
        except record.InvalidClose as refused:
            raise Stop(texts.TALLY_REFUSED.format(what=refused.what)) from None
        if digest != entry["ballots_sha256"] or count != entry["ballots"]:
            raise Stop(texts.TALLY_REFUSED.format(what=f"{scrutin}: ce n'est pas l'urne scellée"))
        result.append((scrutin, sums))
    tally = _read(folder, folder_files.TALLY, required=False)
    if tally is not None:
        computed = [
            {
                "id": scrutin,
                "ballots": closed[scrutin]["ballots"],
                "options": [{"a": A.hex(), "b": B.hex()} for A, B in sums],
            }
            for scrutin, sums in result
        ]
        if tally != {"v": 1, "election": election.phi.hex(), "scrutins": computed}:
            raise Stop(texts.TALLY_REFUSED.format(what="tally.json ne correspond pas à l'urne scellée"))
    return result


def decrypt(args, passphrases: Passphrases, out) -> int:
    folder = Path(args.folder)
    trustees, trustees_bytes = _trustees(folder)
    election, _ = _election(folder, trustees, trustees_bytes)
    secrets, _, _ = _open_key(Path(args.key), passphrases)
    _holder_of_this_election(secrets, trustees)
    _not_yet_deposited(folder, "partial", secrets.label)
    sums = _sealed_sums(folder, trustees, election, trustees_bytes, out)
    name = election.document.get("name", election.uuid)
    print(texts.DECRYPT_SUMMARY.format(name=name, scrutins=_scrutins_line(election)), file=out)
    _confirm(args, passphrases, out)
    X = secrets.key_share * G
    rng = ballots.SystemRandom()
    scrutins = []
    for scrutin, options in sums:
        partials = []
        for i, (A, _) in enumerate(options):
            label = threshold.decryption_label(secrets.group, scrutin, i)
            D, proof = threshold.partial_decrypt(
                secrets.key_share, X, A, phi=election.phi, label=label, index=secrets.index, rng=rng
            )
            partials.append({"d": D.hex(), "c": scalar_hex(proof.c), "s": scalar_hex(proof.s)})
        scrutins.append({"id": scrutin, "options": partials})
    partial = {"v": 1, "group": secrets.group, "index": secrets.index, "scrutins": scrutins}
    deposit = _deposit(folder, "partial", secrets.label, partial)
    print(texts.DECRYPT_DONE.format(deposit=deposit), file=out)
    return 0


def show(args, passphrases: Passphrases, out) -> int:
    try:
        header = keyfile.header(Path(args.key))
    except keyfile.KeyFileError as error:
        raise Stop(texts.KEYFILE_ERRORS[error.code].format(path=args.key)) from None
    print(
        texts.SHOW.format(member=header["member"], election=header["election"], cost=keyfile.cost_of(header)), file=out
    )
    return 0


COMMANDS = {
    "init": (init, "étape 1 : créer votre clé et votre message d'engagement"),
    "shares": (shares, "étape 2 : publier vos engagements et les parts chiffrées des autres membres"),
    "check": (check, "étape 3 : vérifier les parts reçues et compléter votre clé"),
    "seal": (seal, "signer le scellement de l'élection"),
    "close": (close, "signer la clôture : le nombre de bulletins et d'émargements de chaque scrutin"),
    "decrypt": (decrypt, "déchiffrer les totaux de l'urne scellée, après la clôture"),
    "show": (show, "dire à qui appartient un fichier de clé (sans phrase de passe)"),
}


def _french(parser_: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser_._positionals.title, parser_._optionals.title = "arguments", "options"
    parser_.add_argument("-h", "--help", action="help", help="afficher cette aide")
    return parser_


def parser() -> argparse.ArgumentParser:
    top = _french(
        argparse.ArgumentParser(
            prog="python -m keyholder",
            add_help=False,
            description="L'outil des détenteurs de clé du bureau de vote électronique (hors ligne). "
            "Chaque commande lit le dossier de la cérémonie et n'y écrit que votre propre message.",
        )
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for name, (_, help_text) in COMMANDS.items():
        command = _french(commands.add_parser(name, help=help_text, description=help_text, add_help=False))
        if name != "show":
            command.add_argument("folder", metavar="DOSSIER", help="le dossier de la cérémonie (clé USB)")
        command.add_argument(
            "--key", required=name != "init", metavar="FICHIER", help="votre fichier de clé (à garder chez vous)"
        )
        command.add_argument(
            "--passphrase-stdin", action="store_true", help="lire la phrase de passe sur l'entrée standard (scripts)"
        )
        if name == "init":
            command.add_argument("--member", metavar="MEMBRE", help="votre place au bureau, par exemple adm-1 ou del-3")
            command.add_argument(
                "--kdf",
                choices=sorted(keyfile.COSTS),
                default="moderate",
                help="coût de la protection du fichier (interactive : tests et démonstration seulement)",
            )
        if name in ("shares", "seal", "close", "decrypt"):
            command.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    return top


def main(argv: list[str], out=None, stdin=None) -> int:
    """`stdin`: where --passphrase-stdin reads (the local demo passes its own)."""
    out = out or sys.stdout
    args = parser().parse_args(argv)
    run, _ = COMMANDS[args.command]
    try:
        return run(args, Passphrases(args.passphrase_stdin, stdin), out)
    except Stop as stop:
        print(texts.ERROR.format(message=stop), file=sys.stderr)
        return stop.status
    except KeyboardInterrupt:
        print(texts.ERROR.format(message=texts.NOT_CONFIRMED), file=sys.stderr)
        return 1
