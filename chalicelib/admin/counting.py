"""`bureau count ID DOSSIER [--workers N]`: the count of a closed bureau, then tally.json.

By default the shards go to the count's Lambda workers through the count queue (on the local
stack, `make run` runs that worker too); `--workers N` counts them on this machine instead,
in N processes. Either way the sums, the checks and tally.json are the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from chalicelib import clock
from chalicelib.admin.progress import ProgressBar
from chalicelib.admin.render import _number, id_width, safe


def add_parser(actions) -> None:
    count = actions.add_parser("count", help="le dépouillement : chaque bulletin revérifié, les sommes, tally.json")
    count.add_argument("bureau_id", metavar="ID")
    count.add_argument("folder", metavar="DOSSIER")
    count.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="compter sur cette machine, en N processus, au lieu de confier les fragments aux fonctions "
        f"Lambda du dépouillement (file d'attente COUNT_QUEUE_NAME) ; cette machine a {os.cpu_count() or 1} cœurs",
    )
    count.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def count_command(args, out) -> int:
    from chalicelib.crypto.tally import CountError
    from chalicelib.services.counting import CountQueue, ProcessPool, count_bureau

    runner = CountQueue() if args.workers is None else ProcessPool(max(1, args.workers))
    try:
        report = count_bureau(
            args.bureau_id, Path(args.folder), now=clock.utc_now(), runner=runner,
            progress=None if args.json else ProgressBar(),
        )  # fmt: skip
    except CountError as error:
        text = (
            f"Le dépouillement s'est arrêté : {safe(error.what)}. Aucun résultat n'est produit ; consignez "
            "l'incident et prévenez l'équipe technique. Relancer la commande reprend là où elle s'est arrêtée."
        )
        if args.json:
            print(json.dumps({"error": {"code": "count_refused", "message": text, "what": error.what}}), file=out)
        else:
            print(text, file=out)
        return 1
    if args.json:
        document = {
            "bureau_id": report.bureau_id,
            "items": report.items,
            "counted_now": report.counted_now,
            "scrutins": [{"id": s, "ballots": n} for s, n in report.scrutins],
            "tally_sha256": report.tally_sha256,
        }
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return 0
    print(f"Dépouillement du bureau « {safe(report.name)} » : chaque bulletin a été revérifié.", file=out)
    width = id_width(scrutin for scrutin, _ in report.scrutins)
    for scrutin, ballots in report.scrutins:
        print(f"  {safe(scrutin):{width}} {_number(ballots):>10} bulletins", file=out)
    print(
        f"tally.json est dans le dossier (empreinte {report.tally_sha256}). Étape suivante : chaque détenteur de "
        "clé présent déchiffre, python -m keyholder decrypt DOSSIER --key FICHIER",
        file=out,
    )
    return 0
