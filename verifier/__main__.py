"""`python -m verifier DOSSIER [--workers N]`: exit status 0 when every check holds, 1 at the
first inconsistency (named, in French and in English), 2 for a wrong command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verifier.checks import Inconsistency, verify


def main(argv=None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m verifier",
        description="Vérifie un dossier public d'élection / Verifies a published election record.",
    )
    parser.add_argument("folder", metavar="DOSSIER")
    parser.add_argument("--workers", type=int, default=None, help="processus en parallèle / parallel processes")
    args = parser.parse_args(argv)

    def say(french: str, english: str) -> None:
        print(f"OK  {french}\n    {english}", file=out, flush=True)

    try:
        result = verify(Path(args.folder), workers=args.workers, say=say)
    except Inconsistency as error:
        print(f"ÉCHEC  {error.file} : {error.french}\nFAILED {error.file}: {error.english}", file=out)
        return 1
    for scrutin in result["scrutins"]:
        counts = ", ".join(str(n) for n in scrutin["counts"])
        print(
            f"{scrutin['id']} : {scrutin['ballots']} bulletins, voix {counts} (blanc d'abord / blank first)", file=out
        )
    print(
        "Vérification réussie : le résultat est celui des bulletins publiés.\n"
        "Verified: the result is that of the published ballots.",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
