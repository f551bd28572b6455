"""`bureau …`: the polling bureau's commands (create, ceremony, status, election-json, seal, participation,
close, count, result, publish; and demo-close, for the local demo only).

The bureau's président (or whoever runs the admin CLI for the bureau) creates the bureau,
then visits the ceremony folder after each round: `bureau ceremony ID DOSSIER` takes in what
the key holders handed in and writes what they need next. French output for people; `--json`
for scripts. Refusals give a French sentence, a stable code, exit status 1, and change nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from chalicelib.admin import closing, counting, participation, publication, results
from chalicelib.admin.render import safe
from chalicelib.admin.stage import stage_environment
from chalicelib.clock import utc_now

ROLE = {"president": "président", "secretary": "secrétaire", "delegate": "délégué"}
ROUND_NAMES = {
    "round1": "étape 1 (init)",
    "round2": "étape 2 (shares)",
    "round3": "étape 3 (check)",
    "seal": "signature du scellement (seal)",
}
STATE = {
    "ceremony": "cérémonie des clés en cours",
    "keys_ready": "clés prêtes, en attente du scellement",
    "sealed": "scellé",
    "closing": "vote clos, clôture en attente des signatures",
    "closed": "clos",
}

ERRORS = {
    "bureau_not_found": "Aucun bureau « {bureau} ».",
    "bureau_names_missing": "Le nom du bureau, le président et chaque délégué doivent avoir un nom.",
    "bureau_names_repeated": "Chaque membre du bureau doit avoir un nom différent.",
    "bureau_ballots_invalid": "Indiquez au moins un scrutin, chacun une seule fois (--ballots).",
    "bureau_delegates_too_few": "Il faut au moins {threshold} délégués (un par liste) pour que deux "
    "d'entre eux soient requis au dépouillement ; vous en avez indiqué {delegates}.",
    "bureau_grace_invalid": "Le délai de grâce doit être compris entre 0 et 240 minutes.",
    "unknown_ballots": "Scrutin inconnu : {ballots}. Importez-le d'abord (import-ballots).",
    "bureau_dates_differ": "Les scrutins d'un même bureau doivent avoir les mêmes dates de vote : "
    "créez un bureau par période de vote.",
    "ballot_in_another_bureau": "Le scrutin {ballot} est déjà rattaché à un autre bureau de vote.",
    "ceremony_not_finished": "La cérémonie des clés du bureau {bureau} n'est pas terminée : "
    "election.json n'existe pas encore.",
    "not_keys_ready": "Le bureau {bureau} ne peut pas être scellé maintenant ({state}).",
    "seal_changed": "Ce qui est scellé a changé depuis la préparation du manifeste ({what}) : un nouveau "
    "manifeste a été écrit ; les signatures déjà données ne valent plus, faites-le signer à nouveau.",
    "seal_not_empty": "L'urne ou la liste d'émargement de {ballot} n'est pas vide : le bureau ne peut "
    "pas être scellé. Rien n'a été enregistré ; prévenez l'équipe technique.",
    "seal_raced": "Quelque chose a changé pendant l'enregistrement du scellement (un scrutin réimporté, "
    "election.json réécrit, ou un autre « bureau seal ») : rien n'a été scellé ; relancez « bureau seal ».",
    "folder_unwritable": "Impossible d'écrire dans le dossier {folder} : {reason}.",
    "too_early": "Le vote du bureau {bureau} n'est pas encore clos : la clôture sera possible à partir du "
    "{until} (heure de Paris), après la fin du vote et le délai de grâce.",
    "close_raced": "Un autre « bureau close » a changé l'état du bureau {bureau} en même temps : relancez la commande.",
    "box_changed": "L'urne ou la liste d'émargement du bureau {bureau} a changé depuis le manifeste de clôture "
    "({what}) : c'est un incident grave. Rien n'est signé ; prévenez l'équipe technique.",
    "record_changed": "Le portail sert déjà un registre public différent pour le bureau {bureau} : "
    "c'est un incident grave, prévenez l'équipe technique.",
    "no_result": "Le bureau {bureau} n'a pas encore de résultat : rien de l'urne n'est public avant.",
    "seal_invalid": (
        "Le scellement du bureau {bureau} ne peut pas servir à la clôture ({what}) : il ne nomme pas la clé de "
        "signature du serveur. Rien n'a été modifié ; prévenez l'équipe technique."
    ),
    "server_key_changed": (
        "La clé de signature du serveur n'est plus celle que le scellement a nommée (le secret "
        "SERVER_SIGNING_KEY_ID a-t-il changé ?) : la clôture du bureau {bureau} ne peut pas être signée, et rien "
        "n'a été modifié. Prévenez l'équipe technique : c'est la clé du scellement qui doit signer la clôture."
    ),
    "not_counted": "Le bureau {bureau} n'est pas encore dépouillé : lancez d'abord « bureau count ».",
    "not_closed": "Le bureau {bureau} n'est pas clos : le dépouillement vient après « bureau close » et "
    "les signatures de la clôture.",
    "demo_only": "« bureau demo-close » n'existe que pour la démonstration locale (étape local) ; "
    "ici l'étape est « {stage} » : le vote se termine à la date prévue.",
    "not_sealed": "Le bureau {bureau} n'est pas scellé : personne ne peut encore voter, il n'y a pas de "
    "participation à suivre.",
}
CEREMONY_PROBLEMS = {
    "bad_signature": "signature invalide : le fichier a été modifié, ou ne vient pas de ce membre",
    "bad_message": "message illisible ou incomplet",
    "wrong_round": "ce n'est pas le message de cette étape",
    "wrong_election": "message d'une autre élection",
    "wrong_ceremony": "message d'une autre cérémonie ou d'une tentative précédente",
    "bad_commitments": "engagements invalides",
    "commitments_changed": "engagements différents de ceux annoncés à l'étape 1",
    "bad_pok": "preuve fausse",
    "missing_shares": "il manque des parts pour des membres de son groupe",
    "bad_verification_key": "clé de vérification fausse",
    "unknown_member": "membre inconnu de ce bureau",
    "already_handed_in": "un autre message de ce membre est déjà enregistré pour cette étape",
    "not_json": "fichier abîmé (pas du JSON)",
    "bad_seal": "signature de scellement invalide",
    "bad_disclosure": "la clé révélée dans la réclamation n'est pas celle de son auteur",
    "old_manifest": "signature d'un manifeste précédent : il faut signer le manifeste actuel",
}
VERDICTS = {
    "share_mismatch": "la part envoyée par {at_fault} à {complainer} ne correspond pas à ses engagements "
    "(vérifié par le bureau avec la clé révélée)",
    "share_misaddressed": "{at_fault} a envoyé à {complainer} une part destinée à une autre cérémonie ou à "
    "un autre membre (vérifié par le bureau)",
    "share_was_valid": "la réclamation de {complainer} contre {accused} est infondée : la part était juste "
    "(la faute est à {at_fault})",
    "bad_disclosure": "la réclamation de {complainer} contre {accused} ne révèle pas sa propre clé de "
    "chiffrement (la faute est à {at_fault})",
    "share_unreadable": "la part que {accused} a envoyée à {complainer} ne s'ouvre pas avec la clé de "
    "{complainer} (vérifié par le bureau avec la clé révélée)",
    "share_unsigned": "la part que {accused} a envoyée à {complainer} n'est pas signée par {accused} "
    "(vérifié par le bureau)",
}


def add_parser(commands) -> None:
    bureau = commands.add_parser("bureau", help="le bureau de vote électronique : clés, cérémonie, scellement")
    actions = bureau.add_subparsers(dest="bureau_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="créer le bureau de vote de ces scrutins et ses détenteurs de clé")
    create.add_argument("--name", required=True, help="le nom du bureau, par exemple « BVE CSA ministériel »")
    create.add_argument("--ballots", nargs="+", required=True, metavar="ID", help="les scrutins qu'il dépouille")
    create.add_argument("--president", required=True, metavar="NOM")
    create.add_argument("--secretary", metavar="NOM")
    create.add_argument(
        "--delegate", action="append", default=[], metavar="NOM", help="un délégué par liste (répétable)"
    )
    create.add_argument(
        "--delegate-threshold", type=int, default=2, help="délégués requis au dépouillement (défaut : 2)"
    )
    create.add_argument("--grace-minutes", type=int, default=30, help="délai de grâce après la clôture (défaut : 30)")
    create.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    ceremony = actions.add_parser("ceremony", help="relever le dossier de la cérémonie et préparer l'étape suivante")
    ceremony.add_argument("bureau_id", metavar="ID")
    ceremony.add_argument("folder", metavar="DOSSIER")
    ceremony.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    status = actions.add_parser("status", help="où en est le bureau : qui a remis quoi, ce qui reste à faire")
    status.add_argument("bureau_id", metavar="ID")
    status.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    election = actions.add_parser("election-json", help="écrire les octets exacts d'election.json")
    election.add_argument("bureau_id", metavar="ID")
    election.add_argument("--output", metavar="FICHIER", help="le fichier à écrire (défaut : la sortie standard)")
    seal = actions.add_parser("seal", help="préparer le manifeste de scellement, puis recueillir les signatures")
    seal.add_argument("bureau_id", metavar="ID")
    seal.add_argument("folder", metavar="DOSSIER")
    seal.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    participation.add_parser(actions)
    closing.add_parser(actions)
    counting.add_parser(actions)
    results.add_parser(actions)
    publication.add_parser(actions)
    demo_close = actions.add_parser(
        "demo-close", help="DÉMO SEULEMENT (étape local) : terminer le vote du bureau maintenant, sans délai de grâce"
    )
    demo_close.add_argument("bureau_id", metavar="ID")
    demo_close.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def bureau_command(args, out) -> int:
    from chalicelib.services import bureaus

    try:
        if args.bureau_command == "create":
            return _create(args, out)
        if args.bureau_command == "ceremony":
            progress = bureaus.sync_ceremony(args.bureau_id, Path(args.folder), now=utc_now())
            return _show(progress, args, out, visited=True)
        if args.bureau_command == "status":
            return _show(bureaus.bureau_progress(args.bureau_id), args, out)
        if args.bureau_command == "election-json":
            data = bureaus.election_json(args.bureau_id)
            if args.output:
                Path(args.output).write_bytes(data)
            else:
                sys.stdout.buffer.write(data) if out is sys.stdout else out.write(data.decode())
            return 0
        if args.bureau_command == "demo-close":
            return _demo_close(args, out)
        if args.bureau_command == "publish":
            return publication.publish_command(args, out)
        if args.bureau_command == "result":
            return results.result_command(args, out)
        if args.bureau_command == "count":
            return counting.count_command(args, out)
        if args.bureau_command == "close":
            return closing.close_command(args, out, who=_who, problems=CEREMONY_PROBLEMS)
        if args.bureau_command == "participation":
            return participation.participation_command(args, out)
        if args.bureau_command == "seal":
            from chalicelib.crypto.ceremony import signing_public_key
            from chalicelib.services import seal
            from chalicelib.wiring import server_signing_seed

            configuration = stage_environment(args.stage, args.config_path)
            report = seal.seal_bureau(
                args.bureau_id, Path(args.folder), now=utc_now(), configuration=configuration,
                server_key=signing_public_key(server_signing_seed()),
            )  # fmt: skip
            return _seal(report, args, out)
    except bureaus.BureauError as error:
        return _refused(args, out, error.code, ERRORS[error.code].format(**_safe(error.details)), **error.details)
    except OSError as error:
        folder = getattr(args, "folder", None) or getattr(args, "html", None) or "?"
        return _refused(
            args,
            out,
            "folder_unwritable",
            ERRORS["folder_unwritable"].format(folder=safe(folder), reason=safe(error.strerror or str(error))),
        )
    raise AssertionError(args.bureau_command)


def _demo_close(args, out) -> int:
    from chalicelib.services.demo_close import close_voting_now

    ballots = close_voting_now(args.bureau_id, now=utc_now())
    if args.json:
        print(json.dumps({"bureau_id": args.bureau_id, "ballots": ballots}), file=out)
    else:
        print(
            f"DÉMO : le vote du bureau {safe(args.bureau_id)} est terminé ({', '.join(map(safe, ballots))}) ; "
            "la clôture est possible dès maintenant (bureau close).",
            file=out,
        )
    return 0


def _safe(details: dict) -> dict:
    return {k: ", ".join(safe(x) for x in v) if isinstance(v, list) else safe(v) for k, v in details.items()}


def _refused(args, out, code: str, text: str, **details) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": {"code": code, "message": text, **details}}, ensure_ascii=False), file=out)
    else:
        print(text + " Rien n'a été modifié.", file=out)
    return 1


def _create(args, out) -> int:
    from chalicelib.services import bureaus

    bureau_id = bureaus.create_bureau(
        name=args.name,
        ballot_ids=args.ballots,
        president=args.president,
        secretary=args.secretary,
        delegates=args.delegate,
        delegate_threshold=args.delegate_threshold,
        grace_minutes=args.grace_minutes,
        now=utc_now(),
    )
    if args.json:
        print(json.dumps({"bureau_id": bureau_id}), file=out)
        return 0
    print(
        f"Bureau « {safe(args.name)} » créé : {bureau_id}\n"
        f"Préparez le dossier de la cérémonie (une clé USB par exemple) :\n"
        f"  bureau ceremony {bureau_id} DOSSIER\n"
        "puis chaque détenteur de clé fait, sur son ordinateur : python -m keyholder init DOSSIER",
        file=out,
    )
    return 0


def _who(roster, label: str | None) -> str:
    if not label:
        return "expéditeur inconnu"
    for m in roster.members:
        if m.label == label:
            return f"{safe(m.name)} ({label})"
    return safe(label)


def _show(progress, args, out, visited: bool = False) -> int:
    if args.json:
        print(json.dumps(_as_json(progress), ensure_ascii=False, indent=2), file=out)
        return 1 if progress.problems or progress.verdict else 0
    roster = progress.roster
    print(
        f"Bureau « {safe(progress.name)} » ({progress.bureau_id}) : {STATE.get(progress.state, progress.state)}",
        file=out,
    )
    print(f"Scrutins : {', '.join(safe(b) for b in progress.ballot_ids)} ; tentative n° {progress.attempt}", file=out)
    for m in roster.members:
        kinds = progress.handed_in.get(m.label, set())
        steps = " ".join(("✓" if k in kinds else "·") + str(n) for n, k in enumerate(("round1", "round2", "round3"), 1))
        seal_mark = "  scellement signé" if any(k.startswith("seal") for k in kinds) else ""
        fingerprint = progress.fingerprints.get(m.label, "")
        print(f"  {m.label:6} {ROLE[m.role]:10} {safe(m.name):28} {steps}  {fingerprint}{seal_mark}", file=out)
    for problem in progress.problems:
        reason = CEREMONY_PROBLEMS.get(problem.code, problem.code)
        print(f"REFUSÉ : {safe(problem.file)} de {_who(roster, problem.sender)} : {reason}.", file=out)
    failure = progress.verdict or (progress.failure if not visited else None)
    if failure:
        names = {k: _who(roster, failure[k]) for k in ("complainer", "accused", "at_fault")}
        text = VERDICTS.get(failure["reason"], failure["reason"]).format(**names)
        heading = "CÉRÉMONIE ARRÊTÉE" if progress.verdict else "La tentative précédente a été arrêtée"
        print(f"{heading} (tentative n° {failure['attempt']}) : {text}.", file=out)
        if progress.verdict:
            print(
                "Les messages de cette tentative sont conservés. Une nouvelle tentative commence : chacun refait "
                "python -m keyholder init avec un nouveau fichier de clé.",
                file=out,
            )
    print(_next_step(progress), file=out)
    return 1 if progress.problems or progress.verdict else 0


def _next_step(progress) -> str:
    if progress.state == "closed":
        return "Le bureau est clos : étape suivante, le dépouillement."
    if progress.state == "closing":
        return (
            "Le vote est clos : le manifeste de clôture attend les signatures (python -m keyholder close), "
            f"puis bureau close {progress.bureau_id} DOSSIER"
        )
    if progress.state == "sealed":
        return "Le bureau est scellé : le vote pourra ouvrir à la date prévue."
    if progress.state == "keys_ready":
        return (
            "Cérémonie terminée : trustees.json et election.json sont dans le dossier. "
            f"Étape suivante : bureau seal {progress.bureau_id} DOSSIER"
        )
    kind = progress.next_round
    waiting = ", ".join(f"{safe(m.name)} ({m.label})" for m in progress.waiting_for(kind))
    return f"En attente de l'{ROUND_NAMES[kind]} de : {waiting}."


def _as_json(progress) -> dict:
    return {
        "bureau_id": progress.bureau_id,
        "name": progress.name,
        "state": progress.state,
        "attempt": progress.attempt,
        "ballots": progress.ballot_ids,
        "members": [
            {
                "member": m.label,
                "role": m.role,
                "name": m.name,
                "handed_in": sorted(progress.handed_in.get(m.label, set())),
                "fingerprint": progress.fingerprints.get(m.label),
            }
            for m in progress.roster.members
        ],
        "problems": [{"file": p.file, "code": p.code, "sender": p.sender} for p in progress.problems],
        "verdict": progress.verdict,
        "next": None if progress.state != "ceremony" else progress.next_round,
    }


def _seal(report, args, out) -> int:
    status = 0 if report.sealed or not (report.problems or report.not_empty) else 1
    if args.json:
        document = {
            "bureau_id": report.bureau_id,
            "state": report.state,
            "sealed": report.sealed,
            "manifest_sha256": report.manifest_sha256,
            "manifest_written": report.manifest_written,
            "changed": report.changed,
            "signed_by": report.signed_by,
            "missing": [] if report.sealed else report.missing,
            "not_empty": report.not_empty,
            "problems": [{"file": p.file, "code": p.code, "sender": p.sender} for p in report.problems],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return status
    roster = report.roster
    if report.sealed:
        print(
            f"Le bureau « {safe(report.name)} » est scellé. seal-open.json est dans le dossier ; "
            "le vote ouvrira à la date prévue.",
            file=out,
        )
        return 0
    for scrutin in report.not_empty:
        print(ERRORS["seal_not_empty"].format(ballot=safe(scrutin)), file=out)
    if report.changed:
        print(ERRORS["seal_changed"].format(what=safe(report.changed)), file=out)
    if report.manifest_written:
        print(
            f"Manifeste de scellement écrit dans le dossier (empreinte {report.manifest_sha256}).\n"
            "Chaque détenteur de clé présent le vérifie et le signe : python -m keyholder seal DOSSIER --key FICHIER\n"
            "Il faut la signature du président ou du secrétaire et d'au moins un délégué ; puis relancez "
            f"bureau seal {report.bureau_id} DOSSIER",
            file=out,
        )
        return status
    for problem in report.problems:
        reason = CEREMONY_PROBLEMS.get(problem.code, problem.code)
        print(f"REFUSÉ : {safe(problem.file)} de {_who(roster, problem.sender)} : {reason}.", file=out)
    signed = ", ".join(_who(roster, label) for label in report.signed_by) or "personne"
    print(f"Scellement signé par : {signed}.", file=out)
    needs = {"adm": "du président ou du secrétaire", "del": "d'au moins un délégué"}
    if report.missing:
        print(f"Il manque encore la signature {' et '.join(needs[g] for g in report.missing)}.", file=out)
    return status
