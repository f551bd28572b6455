"""How the admin commands print their results (French, for the election administrators)."""

from __future__ import annotations

import os
import resource
import unicodedata

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.claims import ANSWERED
from chalicelib.domain.phases import PARIS
from chalicelib.domain.seals import ELECTORAL_LIST_SEALED_DURING_IMPORT, lists_sealed_during_import

PHASE_LABELS = {
    "upcoming": "à venir",
    "lists_published": "listes publiées",
    "claims_closed": "réclamations closes",
    "candidates_published": "candidatures publiées",
    "voting_open": "vote ouvert",
    "closed": "clos",
}
MAX_PROBLEMS_SHOWN = 200
CAMPAIGN_STATUS_LABELS = {
    "queued": "en file",
    "sending": "en cours d'envoi",
    "sent": "envoyé",
    "failed": "échec",
    "skipped": "écarté à l'envoi",
    "cancelled": "annulé",
    "bounced": "rejeté (bounce)",
    "complained": "signalé comme indésirable",
}

# Characters a terminal interprets rather than shows: besides the C0 and C1 controls and DEL
# (Unicode category Cc: ESC starts escape sequences, CR and LF forge lines), the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and marks, which reorder
# what follows them, and the line and paragraph separators.
_INVISIBLE = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value) -> str:
    """`value` as one inert piece of a line: every character a terminal would interpret
    (escape sequences, line breaks, bidi overrides) written as its visible escape, so that
    text from voters, files or SES can neither drive the administrator's terminal nor forge a
    line of output. Every piece of user data this module prints goes through it."""
    text = "" if value is None else str(value)
    if text.isprintable() and not _INVISIBLE.intersection(text):
        return text  # the common case: nothing to do
    return "".join(_escaped(c) if c in _INVISIBLE or unicodedata.category(c) == "Cc" else c for c in text)


def id_width(ids) -> int:
    """The column a list of scrutin ids is printed in: 12 characters, or the longest id's."""
    return max([12, *(len(safe(i)) for i in ids)])


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _when(moment) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else "—"


def ballot_file_rejected(error, out) -> None:
    print(f"Fichier de scrutins refusé ({safe(error.code)}) ; rien n'a été écrit :", file=out)
    for problem in error.problems:
        print(f"  - {safe(problem)}", file=out)


def ballot_import(report, out) -> None:
    print(
        f"Scrutins : {len(report.created)} créés, {len(report.updated)} mis à jour, {len(report.unchanged)} inchangés.",
        file=out,
    )
    if not report.written:
        print("Simulation (--dry-run) : rien n'a été écrit.", file=out)
    for label, ids in (("créés", report.created), ("mis à jour", report.updated)):
        if ids:
            print(f"  {label} : {', '.join(safe(i) for i in ids)}", file=out)
    if report.not_in_file:
        print(
            f"Absents du fichier (conservés, jamais supprimés) : {', '.join(safe(i) for i in report.not_in_file)}",
            file=out,
        )


def voter_import(report, out, *, dry_run: bool, prune: bool) -> None:
    for line, problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        print(f"ligne {line} : {safe(problem.code)} — {safe(problem.message)}", file=out)
    if len(report.problems) > MAX_PROBLEMS_SHOWN or report.rejected > len(report.problems):
        print(f"… et d'autres problèmes ({report.rejected} lignes rejetées en tout).", file=out)
    print("", file=out)
    print("Résumé de l'import des listes électorales", file=out)
    print(f"  lignes lues          {_number(report.rows_read)}", file=out)
    print(f"  électeurs créés      {_number(report.created)}", file=out)
    print(f"  électeurs mis à jour {_number(report.updated)}", file=out)
    print(f"  électeurs inchangés  {_number(report.unchanged)}", file=out)
    print(
        f"  adresses modifiées : {_number(report.address_changes)} "
        f"(dont {_number(report.address_changes_with_account)} espaces suspendus)",
        file=out,
    )
    print(f"  lignes rejetées      {_number(report.rejected)}", file=out)
    print(f"  absents du fichier   {_number(report.missing)}", file=out)
    print(
        f"  durée                {report.seconds:.1f} s ({_number(report.rows_read / report.seconds if report.seconds else 0)} lignes/s)",
        file=out,
    )
    print(
        f"  éléments écrits      {_number(report.items_written)} ({_number(report.items_per_second)} éléments/s)",
        file=out,
    )
    print(f"  mémoire maximale     {peak_memory_mib():.0f} Mio", file=out)
    if dry_run:
        print("Simulation (--dry-run) : rien n'a été écrit ; les nombres disent ce que ferait l'import.", file=out)
    elif not report.written:
        print(
            "Des lignes sont rejetées : rien n'a été écrit. Corrigez le fichier, ou relancez avec --skip-invalid pour importer les lignes valides.",
            file=out,
        )
    elif report.rejected:
        print("Les lignes valides ont été importées (--skip-invalid) ; les lignes rejetées ne l'ont pas été.", file=out)
    if report.missing and not prune:
        sample = ", ".join(safe(s) for s in report.missing_sample)
        print(
            f"{_number(report.missing)} électeurs enregistrés sont absents de ce fichier ; ils restent sur les listes. "
            f"Exemples : {sample}. Relancez avec --prune pour les retirer.",
            file=out,
        )
    if report.address_changes_with_account:
        done = "sont suspendus" if report.written else "seraient suspendus"
        print(
            f"{_number(report.address_changes_with_account)} espaces électeurs dont l'adresse change {done} : "
            "mot de passe, connexions et liens ne fonctionnent plus ; l'ancienne adresse est prévenue et "
            "la nouvelle reçoit un lien pour choisir un mot de passe.",
            file=out,
        )
    if report.sealed_during_import:
        message = lists_sealed_during_import([safe(b) for b in report.sealed_during_import])
        print(f"Attention ({ELECTORAL_LIST_SEALED_DURING_IMPORT}) : {message}", file=out)
    if prune and report.pruned:
        done = "retirés" if report.written else "seraient retirés"
        print(
            f"{_number(report.pruned)} électeurs absents du fichier {done} de toutes les listes. "
            f"{_number(report.pruned_with_account)} avaient un espace électeur (dont "
            f"{_number(report.pruned_with_active_account)} activés) : l'espace est conservé mais "
            "suspendu ; leurs connexions en cours sont fermées, ils ne peuvent plus se connecter "
            "ni recevoir de courriel du portail, et "
            "un import qui les inscrit de nouveau le leur rend tel quel.",
            file=out,
        )


def voter_file(found, out) -> None:
    voter, account = found.voter, found.account
    print(f"{safe(voter.first_name)} {safe(voter.last_name)} — électeur {safe(voter.voter_id)}", file=out)
    print(
        f"  adresse            {safe(voter.email) or f'(retiré des listes ; ancienne adresse {safe(voter.removed_email)})'}",
        file=out,
    )
    print(f"  académie           {safe(voter.academy)}", file=out)
    print(f"  département        {safe(voter.department)}", file=out)
    print(f"  lieu de travail    {safe(voter.workplace)}", file=out)
    print(f"  code de vote       {safe(voter.code_delivery)}", file=out)
    print(f"  importé le         {_when(voter.imported_at)} ; mis à jour le {_when(voter.updated_at)}", file=out)
    if voter.removed_at:
        print(f"  retiré des listes  le {_when(voter.removed_at)}", file=out)
    if account is None:
        print("  espace électeur    non créé", file=out)
    else:
        state = "activé" if account.status == AccountStatus.ACTIVE else "en attente de confirmation"
        print(
            f"  espace électeur    {state} (créé le {_when(account.created_at)}, activé le {_when(account.activated_at)})",
            file=out,
        )
        if account.address_changed_at:
            print(
                f"  suspendu le        {_when(account.address_changed_at)} : adresse modifiée par un import "
                "(l'ancienne adresse est prévenue, la nouvelle a reçu un lien)",
                file=out,
            )
    print(f"  scrutins ({len(found.ballots)})", file=out)
    for ballot, phase in found.ballots:
        print(f"    {safe(ballot.ballot_id):<18} {PHASE_LABELS[phase.value]:<22} {safe(ballot.label)}", file=out)
    delivery = found.delivery
    if delivery is None:
        print("  délivrabilité      aucun retour de la messagerie", file=out)
    else:
        labels = {
            "delivery": "remis",
            "bounce": "rejeté (bounce)",
            "complaint": "signalé comme indésirable",
            "reject": "refusé par SES",
        }
        detail = f" — {safe(delivery.bounce_type)}/{safe(delivery.bounce_subtype)}" if delivery.bounce_type else ""
        print(
            f"  délivrabilité      dernier retour : {safe(labels.get(delivery.last_event, delivery.last_event))}{detail}, le {_when(delivery.last_event_at)} "
            f"({int(delivery.deliveries)} remis, {int(delivery.bounces)} rejets, {int(delivery.complaints)} plaintes)",
            file=out,
        )
    print(f"  campagnes ({len(found.campaigns)})", file=out)
    for entry in found.campaigns:
        detail = f" ({safe(entry.reference)})" if entry.reference else ""
        print(
            f"    {_when(entry.requested_at)}  {safe(entry.campaign_id):<22} {safe(entry.kind):<11} "
            f"{CAMPAIGN_STATUS_LABELS.get(entry.status, safe(entry.status))}{detail}",
            file=out,
        )
    print(f"  derniers courriels ({len(found.recent_mail)})", file=out)
    for entry in found.recent_mail:
        print(f"    {_when(entry.requested_at)}  {safe(entry.kind):<16} {safe(entry.status)}", file=out)


def stats(result, out) -> None:
    print(
        f"{'scrutin':<18} {'phase':<22} {'électeurs':>10} {'espaces créés':>14} {'activés':>10} {'taux':>7}", file=out
    )
    for row in result.ballots:
        rate = f"{100 * row.accounts_activated / row.voters:.1f} %" if row.voters else "—"
        print(
            f"{safe(row.ballot.ballot_id):<18} {PHASE_LABELS[row.phase.value]:<22} {_number(row.voters):>10} "
            f"{_number(row.accounts_created):>14} {_number(row.accounts_activated):>10} {rate:>7}",
            file=out,
        )
    print(
        f"Total : {_number(result.voters)} électeurs inscrits, {_number(result.accounts_created)} espaces créés, "
        f"{_number(result.accounts_activated)} activés ; {_number(result.removed_voters)} électeurs retirés des listes.",
        file=out,
    )
    print(
        f"Délivrabilité : {_number(result.addresses_bounced)} adresses en rejet définitif, "
        f"{_number(result.addresses_complained)} ayant signalé un courriel comme indésirable.",
        file=out,
    )


def claims(found, out) -> None:
    if not found:
        print("Aucune réclamation.", file=out)
        return
    for claim in found:
        who = safe(claim.voter_id) or (
            f"{safe(claim.first_name)} {safe(claim.last_name)} <{safe(claim.email)}>, {safe(claim.workplace)}"
        )
        about = safe(claim.ballot_id) or "signalement public"
        state = "répondue" if claim.status == ANSWERED else "ouverte"
        print(f"{safe(claim.reference)}  {_when(claim.created_at)}  {state:<9} {about:<18} {who}", file=out)
        print(f"    « {safe(claim.message.strip()[:300])} »", file=out)
        if claim.answer:
            print(f"    réponse du {_when(claim.answered_at)} : {safe(claim.answer.strip()[:300])}", file=out)


def peak_memory_mib() -> float:
    """Peak resident memory of this process, for the import summary."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if os.uname().sysname != "Darwin" else peak / (1024 * 1024)
