"""`voter-codes generate`: the voter codes and the printing house's files (per académie the CSV,
per delivery place the notices with their hand-over sheet).

The codes exist in clear only in the files written here, for the printing house: keep the
folder on an encrypted disk, hand it over as the ministry's procedure says, delete it after.
"""

from __future__ import annotations

from pathlib import Path

from chalicelib.admin.progress import ProgressBar
from chalicelib.admin.render import _number, safe
from chalicelib.clock import utc_now
from chalicelib.domain.phases import PARIS


def add_parser(commands) -> None:
    codes = commands.add_parser("voter-codes", help="codes électeur : génération pour l'imprimerie")
    actions = codes.add_subparsers(dest="voter_codes_command", required=True, metavar="ACTION")
    generate = actions.add_parser(
        "generate", help="donner un code à chaque électeur inscrit qui n'en a pas, et écrire les fichiers d'impression"
    )
    generate.add_argument(
        "--ballot", action="append", default=[], metavar="ID", help="seulement ce scrutin (répétable)"
    )
    generate.add_argument("--output", required=True, metavar="DOSSIER", help="où écrire les fichiers de l'imprimerie")
    reissue = actions.add_parser(
        "reissue",
        help="assistance : un nouveau code électeur pour un électeur qui a perdu le sien, pendant le vote, "
        "et sa notice à remettre (PDF)",
    )
    reissue.add_argument("voter", metavar="EMAIL|IDENTIFIANT")
    reissue.add_argument("--output", required=True, metavar="DOSSIER", help="où écrire la notice (PDF)")
    reissue.add_argument("--operator", required=True, metavar="NOM", help="qui remet la notice (pour la trace)")


def voter_codes_command(args, out) -> int:
    if args.voter_codes_command == "reissue":
        return _reissue_command(args, out)
    from chalicelib import settings
    from chalicelib.services.voter_codes import STAGING, OutputInUse, UnknownBallots, generate_codes
    from chalicelib.wiring import voter_code_pepper

    bar = ProgressBar()
    try:
        report = generate_codes(
            pepper=voter_code_pepper(),
            output=Path(args.output),
            now=utc_now(),
            portal_url=settings.Settings.from_environment().portal_url,
            ballot_ids=args.ballot or None,
            progress=bar,
        )
    except UnknownBallots as error:
        print(f"Scrutin inconnu : {', '.join(safe(b) for b in error.ballot_ids)}. Rien n'a été fait.", file=out)
        return 1
    except OutputInUse:
        print(
            f"Le dossier {safe(args.output)} contient déjà les fichiers d'une génération précédente : ils "
            "seraient écrasés, et leurs codes n'existent nulle part ailleurs. Choisissez un nouveau dossier. "
            "Rien n'a été fait.",
            file=out,
        )
        return 1
    except BaseException:
        if (Path(args.output) / STAGING).exists():
            print(
                "\nLa génération s'est interrompue. Aucun code n'est perdu : relancez la même commande, avec "
                f"le même dossier ({safe(args.output)}), pour la reprendre là où elle s'est arrêtée.",
                file=out,
            )
        raise
    except OSError as error:
        print(f"Impossible d'écrire dans {safe(args.output)} : {safe(error.strerror or str(error))}.", file=out)
        return 1
    if report.resumed:
        print(f"Reprise de la génération interrompue : {_number(report.resumed)} codes déjà générés repris.", file=out)
    print(
        f"{_number(report.generated)} codes générés ({_number(report.already_had)} électeurs en avaient déjà un, "
        f"{_number(report.voters)} électeurs inscrits lus).",
        file=out,
    )
    for academy, count in sorted(report.by_academy.items()):
        print(f"  {safe(academy)} : {_number(count)} codes", file=out)
    shown = report.files if len(report.files) <= 20 else report.files[:20]
    for path in shown:
        print(f"  {safe(str(path))}", file=out)
    if len(report.files) > len(shown):
        print(f"  … et {_number(len(report.files) - len(shown))} autres fichiers dans {safe(args.output)}", file=out)
    if report.files:
        print(
            "Ces fichiers contiennent les codes en clair : gardez-les sur un disque chiffré, remettez-les à "
            "l'imprimerie selon la procédure, puis supprimez-les. Le portail n'en garde qu'une empreinte.",
            file=out,
        )
    return 0


def _reissue_command(args, out) -> int:
    """The code is in the notice only: never on the terminal, whose scrollback is kept."""
    from chalicelib import settings
    from chalicelib.domain.emails import normalise_email
    from chalicelib.domain.errors import ReissueClosed, TooManyRequests
    from chalicelib.services.voter_code_reissue import reissue_by_help_desk
    from chalicelib.store.voters import find_listed_voter, find_voter
    from chalicelib.wiring import voter_code_pepper

    wanted = args.voter.strip()
    voter = find_listed_voter(normalise_email(wanted)) if "@" in wanted else find_voter(wanted)
    if voter is None or not voter.is_listed:
        print(f"Aucun électeur inscrit sous « {safe(wanted)} ». Rien n'a été fait.", file=out)
        return 1
    try:
        reissued, path = reissue_by_help_desk(
            voter, operator=args.operator, folder=Path(args.output), now=utc_now(), pepper=voter_code_pepper(),
            portal_url=settings.Settings.from_environment().portal_url,
        )  # fmt: skip
    except ReissueClosed:
        print(
            "Aucun scrutin de cet électeur n'est ouvert au vote en ce moment : un nouveau code n'est remis que "
            "pendant le vote. Rien n'a été fait.",
            file=out,
        )
        return 1
    except TooManyRequests:
        print("Un autre nouveau code vient d'être émis pour cet électeur : réessayez dans un instant.", file=out)
        return 1
    except OSError as error:
        print(
            f"Impossible d'écrire la notice dans {safe(args.output)} : {safe(error.strerror or str(error))}. "
            "Aucun nouveau code n'a été émis.",
            file=out,
        )
        return 1
    print(
        f"Nouveau code électeur émis pour {safe(voter.first_name)} {safe(voter.last_name)} ({safe(voter.voter_id)}), "
        f"le {reissued.issued_at.astimezone(PARIS):%d/%m/%Y à %H:%M} : l'ancien code ne fonctionne plus, les votes "
        "déjà exprimés restent enregistrés, et l'électeur reçoit un courriel (sans le code).",
        file=out,
    )
    print(
        f"Notice à remettre en main propre, contre signature : {safe(str(path))}\n"
        "Elle contient le code en clair : imprimez-la, puis supprimez le fichier.",
        file=out,
    )
    return 0
