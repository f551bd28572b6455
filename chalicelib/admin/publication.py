"""`bureau publish ID DOSSIER`: the public record, for anyone to verify."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.admin.render import safe


def add_parser(actions) -> None:
    publish = actions.add_parser("publish", help="écrire le dossier public de l'élection (après le résultat)")
    publish.add_argument("bureau_id", metavar="ID")
    publish.add_argument("folder", metavar="DOSSIER")
    publish.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def publish_command(args, out) -> int:
    from chalicelib.services.publication import publish

    written, portal = publish(args.bureau_id, Path(args.folder))
    if args.json:
        answer = {
            "bureau_id": args.bureau_id,
            "files": written,
            "portal": {"pages": portal.pages, "receipts": portal.receipts, "prefix_length": portal.prefix_length,
                       "already": portal.already},
        }  # fmt: skip
        print(json.dumps(answer, ensure_ascii=False, indent=2), file=out)
        return 0
    print(f"Dossier public écrit dans {safe(args.folder)} ({len(written)} fichiers) :", file=out)
    for name in written:
        print(f"  {safe(name)}", file=out)
    again = " (il y était déjà, identique)" if portal.already else ""
    print(
        f"Le portail le sert en lecture seule{again} : {portal.files} fichiers en {portal.pages} pages, et "
        f"{portal.receipts} accusés de réception que chaque électeur peut retrouver (page « Mon vote a bien été "
        "pris en compte »).",
        file=out,
    )
    print(f"Chacun peut le vérifier à partir de ces fichiers seuls : python -m verifier {safe(args.folder)}", file=out)
    return 0
