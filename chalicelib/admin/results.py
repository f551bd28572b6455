"""`bureau result ID DOSSIER`: the partial decryptions checked and combined into result.json."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib import clock
from chalicelib.admin.render import _number, id_width, safe


def add_parser(actions) -> None:
    result = actions.add_parser(
        "result", help="vérifier les déchiffrements partiels des détenteurs de clé et écrire le résultat"
    )
    result.add_argument("bureau_id", metavar="ID")
    result.add_argument("folder", metavar="DOSSIER")
    result.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def result_command(args, out) -> int:
    from chalicelib.crypto.result import ResultError
    from chalicelib.services.results import bureau_result

    try:
        report = bureau_result(args.bureau_id, Path(args.folder), now=clock.utc_now())
    except ResultError as error:
        access = error.what.startswith("access:")
        text = (
            "Pas de résultat : il faut les déchiffrements du président ou du secrétaire et d'au moins deux "
            f"délégués ({safe(error.what)})."
            if access
            else f"Pas de résultat : {safe(error.what)}. Aucun résultat n'est produit ; consignez-le au procès-verbal."
        )
        if args.json:
            code = "access_structure" if access else "result_refused"
            print(json.dumps({"error": {"code": code, "message": text, "what": error.what}}), file=out)
        else:
            print(text, file=out)
        return 1
    if args.json:
        document = {"bureau_id": report.bureau_id, "used": report.used, "scrutins": report.scrutins,
                    "result_sha256": report.result_sha256}  # fmt: skip
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return 0
    members = ", ".join(f"{g}-{i}" for g, indices in report.used.items() for i in indices)
    print(f"Résultat du bureau « {safe(report.name)} » (déchiffrements de {members}) :", file=out)
    width = id_width(s["id"] for s in report.scrutins)
    for s in report.scrutins:
        counts = " ; ".join(_number(n) for n in s["counts"])
        print(f"  {safe(s['id']):{width}} {_number(s['ballots']):>10} bulletins : {counts} (blanc d'abord)", file=out)
    print(f"result.json est dans le dossier (empreinte {report.result_sha256}).", file=out)
    return 0
