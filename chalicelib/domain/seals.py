"""A scrutin sealed by its polling bureau: no import may change it, nor its electoral list.

The bureau seals a scrutin once its key ceremony is done (`store.bureaus.record_seal` sets the
ballot's `sealed_at`). From then on the ballot's definition and its electoral list are what
the bureau sealed: `import-ballots` refuses a file that changes a sealed ballot, and
`import-voters` a file that adds, removes or rewrites an entry of a sealed ballot's list.
Both refuse the whole file before writing anything. What stays possible for a voter of a
sealed ballot is what the list does not show: the address, the académie, the département and
where the voter code is handed.

Each refusal has a stable code, and its French wording is here, for the administrators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from chalicelib.domain.phases import PARIS

# import-ballots: the file changes a sealed ballot (one problem per ballot, nothing written).
BALLOT_SEALED = "ballot_sealed"
# import-ballots: a ballot was sealed, or given to a bureau, between the read and its write.
BALLOT_SEALED_DURING_IMPORT = "ballot_sealed_during_import"
# import-voters: the file changes the electoral list of sealed ballots (nothing written).
ELECTORAL_LIST_SEALED = "electoral_list_sealed"
# import-voters: a ballot whose list this import was writing got sealed while it wrote.
ELECTORAL_LIST_SEALED_DURING_IMPORT = "electoral_list_sealed_during_import"

WHAT_THE_BUREAU_DOES = (
    "Une correction après le scellement ne passe jamais par un import : si elle est indispensable, "
    "voyez avec le bureau de vote, qui la consigne au procès-verbal et la traite selon la procédure "
    "(docs/runbook.md, « A sealed scrutin needs a correction »)"
)
SAMPLE_SIZE = 5


def _when(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("le %d/%m/%Y à %H:%M")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def sealed_ballot_changed(ballot_id: str, sealed_at: datetime, changed_fields: Sequence[str]) -> str:
    """A problem of a ballot file: this sealed ballot's definition differs in the file."""
    changed = f"les champs {', '.join(changed_fields)}" if changed_fields else "sa définition"
    return (
        f"scrutin {ballot_id} : scellé par le bureau de vote {_when(sealed_at)}, il ne peut plus être "
        f"modifié par un import, or le fichier change {changed}. Remettez dans le "
        "fichier sa définition telle qu'elle a été scellée (le reste du fichier pourra alors être "
        f"importé). {WHAT_THE_BUREAU_DOES}."
    )


def ballot_sealed_during_import(ballot_id: str, written: Sequence[str]) -> str:
    """The conditional write of this ballot failed: it was sealed (or given to a bureau) since
    the file was compared with the stored ballots."""
    before = (
        f"Les scrutins écrits avant lui le restent : {', '.join(written)}" if written else "Aucun scrutin n'a été écrit"
    )
    return (
        f"le scrutin {ballot_id} a été rattaché à un bureau de vote ou scellé pendant l'import : il "
        "n'a pas été modifié, pas plus que les scrutins qui restaient à écrire. "
        f"{before}. Relancez la même commande : si le scrutin est maintenant scellé, elle dira ce "
        "qu'il faut faire"
    )


def sealed_lists_changed(
    rows_by_ballot: Mapping[str, int],
    pruned_by_ballot: Mapping[str, int],
    voters: int,
    sample: Sequence[str],
) -> str:
    """A voter file refused: for each sealed ballot, how many of its rows, and how many voters
    pruned (absent from the file, with --prune), would change its list; `voters` is how many
    voters that makes in all, and `sample` names a few of them."""
    parts = []
    for ballot_id in sorted(set(rows_by_ballot) | set(pruned_by_ballot)):
        counts = []
        if rows_by_ballot.get(ballot_id):
            counts.append(_plural(rows_by_ballot[ballot_id], "ligne", "lignes"))
        if pruned_by_ballot.get(ballot_id):
            counts.append(
                _plural(
                    pruned_by_ballot[ballot_id],
                    "électeur absent du fichier que --prune retirerait",
                    "électeurs absents du fichier que --prune retirerait",
                )
            )
        parts.append(f"{ballot_id} ({', '.join(counts)})")
    example = f", par exemple {', '.join(sample)}" if sample else ""
    return (
        "ce fichier modifierait la liste électorale de scrutins scellés par le bureau de vote : "
        f"{', '.join(parts)} ; {_plural(voters, 'électeur concerné', 'électeurs concernés')} en tout{example}. "
        "Tout le fichier est refusé, y compris ses changements sur les autres scrutins. La liste d'un "
        "scrutin scellé ne change plus : pour ces électeurs, gardez le nom, le prénom, le lieu de "
        "travail et les scrutins enregistrés au scellement, n'ajoutez personne à ces scrutins et "
        "laissez les absents sur leurs listes (gardez-les dans le fichier, ou importez sans --prune) ; "
        "l'adresse électronique, l'académie, le département et la remise du code peuvent encore "
        f"changer. {WHAT_THE_BUREAU_DOES}"
    )


def lists_sealed_during_import(ballot_ids: Sequence[str]) -> str:
    """After the writes: these ballots were sealed while the import was changing their lists."""
    return (
        f"le bureau de vote a scellé {', '.join(ballot_ids)} pendant que cet import en modifiait la "
        "liste électorale : la liste scellée peut ne contenir qu'une partie des changements du "
        "fichier. Prévenez le bureau de vote sans attendre : c'est un incident, à consigner au "
        "procès-verbal, et la liste scellée n'est peut-être pas celle que le bureau a vérifiée. "
        f"{WHAT_THE_BUREAU_DOES}."
    )
