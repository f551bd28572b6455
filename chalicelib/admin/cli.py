"""The administrators' commands: imports, demo data, help-desk look-ups, statistics, campaigns.

Output is in French, for the election administrators; exit status 0 means done with nothing
rejected, 1 means something was rejected or not found (and, for imports, what that implies
about writes is printed), 2 is a usage error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from chalicelib.admin import bureau, campaigns, render, voter_codes
from chalicelib.admin.progress import ProgressBar
from chalicelib.admin.stage import CONFIG_PATH, UnknownStage, enter_stage
from chalicelib.clock import utc_now
from chalicelib.domain.errors import ServiceBusy


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.admin",
        description="Administration de l'espace électeur.",
    )
    parser.add_argument("--stage", required=True, help="étape de .chalice/config.json (local, dev, prod)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    ballots = commands.add_parser("import-ballots", help="importer les scrutins (fichier JSON)")
    ballots.add_argument("file")
    ballots.add_argument("--dry-run", action="store_true", help="valider sans rien écrire")

    voters = commands.add_parser("import-voters", help="importer les listes électorales (fichier CSV)")
    voters.add_argument("file")
    voters.add_argument("--dry-run", action="store_true", help="valider sans rien écrire")
    voters.add_argument(
        "--skip-invalid", action="store_true", help="importer les lignes valides malgré les lignes rejetées"
    )
    voters.add_argument("--prune", action="store_true", help="retirer des listes les électeurs absents du fichier")
    voters.add_argument("--workers", type=int, default=4, help="écritures en parallèle (défaut : 4)")

    demo = commands.add_parser("demo", help="générer et importer une élection fictive")
    demo.add_argument("--voters", type=int, default=2000, help="nombre d'électeurs (défaut : 2000)")
    demo.add_argument("--output", help="écrire les fichiers dans ce dossier au lieu de les importer")

    voter = commands.add_parser("voter", help="consulter un électeur")
    voter_commands = voter.add_subparsers(dest="voter_command", required=True, metavar="ACTION")
    show = voter_commands.add_parser("show", help="tout ce que l'assistance doit savoir d'un électeur")
    show.add_argument("email_or_voter_id")

    stats = commands.add_parser("stats", help="par scrutin : électeurs, espaces créés, espaces activés")
    stats.add_argument("--html", metavar="FICHIER", help="écrire aussi un rapport HTML autonome (s'ouvre hors ligne)")

    campaigns.add_parser(commands)
    bureau.add_parser(commands)
    voter_codes.add_parser(commands)

    bounces = commands.add_parser("bounces", help="adresses en rejet définitif ou ayant porté plainte")
    bounce_commands = bounces.add_subparsers(dest="bounces_command", required=True, metavar="ACTION")
    export = bounce_commands.add_parser("export", help="les écrire dans un fichier CSV pour les services RH")
    export.add_argument("file", metavar="FICHIER.csv")
    export.add_argument("--academy", help="seulement cette académie")

    claims = commands.add_parser("claims", help="réclamations et signalements")
    claim_commands = claims.add_subparsers(dest="claims_command", required=True, metavar="ACTION")
    listing = claim_commands.add_parser("list", help="lister les réclamations, les plus récentes d'abord")
    listing.add_argument("--ballot", help="seulement ce scrutin")
    listing.add_argument("--open", action="store_true", help="seulement celles sans réponse")
    answer = claim_commands.add_parser(
        "answer", help="répondre à une réclamation (la réponse est envoyée par courriel)"
    )
    answer.add_argument("reference")
    answer.add_argument("text")
    return parser


def main(argv: list[str] | None = None, out=sys.stdout, config_path=CONFIG_PATH) -> int:
    args = build_parser().parse_args(argv)
    args.config_path = config_path  # `bureau seal` records the stage's configuration
    try:
        enter_stage(args.stage, config_path)
    except UnknownStage as error:
        print(render.safe(error), file=sys.stderr)
        return 2
    command = COMMANDS[args.command]
    try:
        return command(args, out)
    except ServiceBusy:
        # AWS (or the local stack) did not answer, after botocore's retries: a sentence, not a
        # traceback. The imports, campaigns, the bureau's and the voter codes' commands write
        # with conditions, so running them again picks up where they stopped.
        print(
            f"AWS ne répond pas pour l'étape « {render.safe(args.stage)} » (ou, en local, `make run` n'est pas "
            "démarré) : la commande s'est arrêtée en cours de route. Relancez-la quand le service répond.",
            file=out,
        )
        return 3


def import_ballots_command(args, out) -> int:
    from chalicelib.services.ballot_import import BallotFileError, BallotSealedDuringImport, import_ballots

    try:
        report = import_ballots(args.file, now=utc_now(), dry_run=args.dry_run)
    except BallotFileError as error:
        render.ballot_file_rejected(error, out)
        return 1
    except BallotSealedDuringImport as error:
        print(f"Import des scrutins arrêté ({render.safe(error.code)}) : {render.safe(error)}.", file=out)
        return 1
    render.ballot_import(report, out)
    return 0


def import_voters_command(args, out) -> int:
    from chalicelib.services.voter_import import ImportAborted, ImportInterrupted, import_voters

    try:
        report = import_voters(
            args.file,
            now=utc_now(),
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
            prune=args.prune,
            workers=max(1, args.workers),
            progress=ProgressBar(),
        )
    except ImportAborted as error:
        print(f"Import refusé ({render.safe(error.code)}) : {render.safe(error)}. Rien n'a été écrit.", file=out)
        return 1
    except ImportInterrupted as error:
        print(
            f"Import interrompu ({render.safe(error.code)}) : {render.safe(error)}. Relancez la même commande "
            "dans quelques minutes : elle reprendra là où celle-ci s'est arrêtée, sans rien écrire deux fois.",
            file=out,
        )
        return 2
    render.voter_import(report, out, dry_run=args.dry_run, prune=args.prune)
    return 1 if report.rejected or report.sealed_during_import else 0


def demo_command(args, out) -> int:
    from chalicelib.admin.demo import write_demo_files

    now = utc_now()
    if args.output:
        ballots_path, voters_path = write_demo_files(args.output, voters=args.voters, now=now)
        print(f"Fichiers écrits : {ballots_path} et {voters_path} ({args.voters} électeurs).", file=out)
        return 0
    with tempfile.TemporaryDirectory(prefix="demo-") as directory:
        ballots_path, voters_path = write_demo_files(directory, voters=args.voters, now=now)
        args.file, args.dry_run = str(ballots_path), False
        status = import_ballots_command(args, out)
        if status:
            return status
        args.file, args.skip_invalid, args.prune, args.workers = str(voters_path), False, True, 4
        return import_voters_command(args, out)


def voter_command(args, out) -> int:
    from chalicelib.services.helpdesk import VoterNotFound, voter_file

    try:
        found = voter_file(args.email_or_voter_id, now=utc_now())
    except VoterNotFound:
        print(f"Aucun électeur ne correspond à « {render.safe(args.email_or_voter_id)} ».", file=out)
        return 1
    render.voter_file(found, out)
    return 0


def stats_command(args, out) -> int:
    from chalicelib.services.activation_report import PROGRESS_STAGE
    from chalicelib.services.helpdesk import election_stats

    bar = ProgressBar()
    stats = election_stats(now=utc_now(), progress=bar)
    report = stats.report
    bar(PROGRESS_STAGE, report.voters_read, report.voters_read)  # ends the progress line
    render.stats(stats, out)
    if args.html:
        from chalicelib.admin.activation_html import write_report

        try:
            path = write_report(report, args.html)
        except OSError as error:
            print(f"Impossible d'écrire {render.safe(args.html)} : {render.safe(error.strerror)}.", file=out)
            return 1
        read = f"{report.voters_read:,}".replace(",", " ")
        print(f"Rapport écrit : {render.safe(path)} ({read} électeurs lus en {report.elapsed_seconds:.1f} s)", file=out)
    return 0


def claims_command(args, out) -> int:
    from chalicelib.services import claims

    if args.claims_command == "list":
        render.claims(claims.list_claims(ballot_id=args.ballot, only_open=args.open), out)
        return 0
    if len(args.text.strip()) < 2:
        print("La réponse est vide : rien n'a été enregistré.", file=out)
        return 1
    try:
        claim = claims.answer_claim(args.reference, args.text, now=utc_now())
    except claims.ClaimNotFound:
        print(f"Aucune réclamation « {render.safe(args.reference)} ».", file=out)
        return 1
    print(f"Réponse enregistrée pour {render.safe(claim.reference)} ; elle part par courriel au déclarant.", file=out)
    return 0


def bounces_command(args, out) -> int:
    from chalicelib.admin.bounces import write_bounces_csv
    from chalicelib.services.helpdesk import bounced_addresses

    found = bounced_addresses(academy=args.academy)
    try:
        write_bounces_csv(found, args.file)
    except OSError as error:
        print(f"Impossible d'écrire {render.safe(args.file)} : {render.safe(error.strerror)}.", file=out)
        return 1
    print(
        f"{render._number(len(found))} adresses à corriger écrites dans {render.safe(args.file)} "
        "(rejets définitifs et plaintes) : à transmettre aux services RH, qui les corrigent à la source ; "
        "le prochain import des listes leur redonnera une chance.",
        file=out,
    )
    return 0


COMMANDS = {
    "import-ballots": import_ballots_command,
    "import-voters": import_voters_command,
    "demo": demo_command,
    "voter": voter_command,
    "stats": stats_command,
    "claims": claims_command,
    "campaign": campaigns.campaign_command,
    "bureau": bureau.bureau_command,
    "voter-codes": voter_codes.voter_codes_command,
    "bounces": bounces_command,
}
