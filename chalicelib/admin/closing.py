"""`bureau close ID DOSSIER`: the close's manifest for the key holders, then the sealed close.

The French texts for the bureau; `--json` for scripts. Refusals (too early, not sealed, a box
that changed) come back through `bureau.bureau_command` with their code.
"""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib import clock
from chalicelib.admin.render import _number, _when, id_width, safe

NEEDS = {"adm": "du président ou du secrétaire", "del": "d'au moins un délégué"}


def add_parser(actions) -> None:
    close = actions.add_parser(
        "close", help="après la clôture et le délai de grâce : figer et sceller la liste d'émargement et l'urne"
    )
    close.add_argument("bureau_id", metavar="ID")
    close.add_argument("folder", metavar="DOSSIER")
    close.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def close_command(args, out, *, who, problems: dict) -> int:
    from chalicelib.services.closing import close_bureau
    from chalicelib.wiring import server_signing_seed

    report = close_bureau(args.bureau_id, Path(args.folder), now=clock.utc_now(), server_seed=server_signing_seed)
    status = 1 if report.problems or report.differing else 0
    if args.json:
        document = {
            "bureau_id": report.bureau_id,
            "state": report.state,
            "closed": report.closed,
            "manifest_sha256": report.manifest_sha256,
            "manifest_written": report.manifest_written,
            "backup": report.backup,
            "scrutins": [s.manifest_entry() for s in report.scrutins],
            "differing": report.differing,
            "signed_by": report.signed_by,
            "missing": [] if report.closed else report.missing,
            "problems": [{"file": p.file, "code": p.code, "sender": p.sender} for p in report.problems],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return status
    when = _when(clock.utc_now())
    print(f"Clôture du bureau « {safe(report.name)} » ({report.bureau_id}), relevé du {when}", file=out)
    width = id_width(s.ballot_id for s in report.scrutins)
    for s in report.scrutins:
        mark = "" if s.ballots == s.emargements else "   ≠ ÉCART"
        print(
            f"  {safe(s.ballot_id):{width}} {_number(s.ballots):>10} bulletins dans l'urne, "
            f"{_number(s.emargements):>10} émargements{mark}",
            file=out,
        )
    if report.differing:
        print(
            f"ÉCART : l'urne et la liste d'émargement ne concordent pas pour {', '.join(map(safe, report.differing))}. "
            "Les détenteurs de clé ne signeront pas cette clôture ; prévenez l'équipe technique et consignez "
            "l'incident au procès-verbal.",
            file=out,
        )
    if report.closed:
        print("Le bureau est clos : seal-close.json est dans le dossier. Étape suivante : le dépouillement.", file=out)
        return status
    if report.manifest_written:
        print(
            "L'urne et la liste d'émargement sont figées ; la sauvegarde de l'urne est faite "
            f"({safe(report.backup)}).\n"
            f"Manifeste de clôture écrit dans le dossier (empreinte {report.manifest_sha256}), avec ballots/.\n"
            "Chaque détenteur de clé présent le vérifie et le signe : python -m keyholder close DOSSIER --key FICHIER\n"
            "Il faut la signature du président ou du secrétaire et d'au moins un délégué ; puis relancez "
            f"bureau close {report.bureau_id} DOSSIER",
            file=out,
        )
        return status
    for problem in report.problems:
        print(f"REFUSÉ : {safe(problem.file)} de {who(report.roster, problem.sender)} : "
              f"{problems.get(problem.code, problem.code)}.", file=out)  # fmt: skip
    signed = ", ".join(who(report.roster, label) for label in report.signed_by) or "personne"
    print(f"Clôture signée par : {signed}.", file=out)
    if report.missing:
        print(f"Il manque encore la signature {' et '.join(NEEDS[g] for g in report.missing)}.", file=out)
    return status
