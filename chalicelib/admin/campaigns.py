"""`campaign plan|start|pause|resume|cancel|status|list`: the administrators' campaign commands.

French output for people, `--json` for scripts (the id, the state and the counters). The
commands only record decisions and read counters: the campaign runs in AWS.
"""

from __future__ import annotations

import argparse
import json
import time

from chalicelib.admin.progress import ProgressBar
from chalicelib.admin.render import _number, _when, safe
from chalicelib.clock import utc_now
from chalicelib.domain.campaigns import COUNTERS, CampaignAction, CampaignKind, CampaignState, Exclusion
from chalicelib.wiring import sending_plan

STATE_LABELS = {
    CampaignState.PLANNED: "préparée (rien n'est envoyé)",
    CampaignState.RUNNING: "en cours",
    CampaignState.PAUSED: "en pause",
    CampaignState.CANCELLED: "annulée",
}
KIND_LABELS = {CampaignKind.INVITATION: "invitation", CampaignKind.REMINDER: "relance"}
EXCLUSION_LABELS = {
    Exclusion.ACTIVE: "espace déjà activé",
    Exclusion.SUSPENDED: "espace suspendu (adresse modifiée par un import)",
    Exclusion.COMPLAINED: "courriel signalé comme indésirable",
    Exclusion.BOUNCED: "adresse en rejet définitif",
    Exclusion.ALREADY_REACHED: "déjà joints par cette campagne",
}


def add_parser(commands) -> None:
    campaign = commands.add_parser("campaign", help="campagnes d'invitation et de relance par courriel")
    actions = campaign.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")
    plan = actions.add_parser("plan", help="préparer une campagne et compter qui elle vise (rien n'est envoyé)")
    plan.add_argument("--kind", required=True, choices=[k.value for k in CampaignKind])
    plan.add_argument("--ballot", action="append", default=[], help="seulement les inscrits de ce scrutin (répétable)")
    plan.add_argument("--academy", help="seulement les électeurs de cette académie (nom exact du fichier)")
    plan.add_argument("--name", help="un nom pour s'y retrouver")
    plan.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    for name, text in (
        ("start", "lancer une campagne préparée"),
        ("pause", "suspendre l'envoi"),
        ("resume", "reprendre l'envoi"),
        ("cancel", "arrêter définitivement"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("campaign_id", metavar="ID")
        action.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    status = actions.add_parser("status", help="où en est une campagne")
    status.add_argument("campaign_id", metavar="ID")
    status.add_argument("--follow", action="store_true", help="suivre l'envoi jusqu'à la fin (Ctrl-C pour quitter)")
    status.add_argument("--interval", type=float, default=2.0, help=argparse.SUPPRESS)
    status.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    listing = actions.add_parser("list", help="toutes les campagnes")
    listing.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def campaign_command(args, out) -> int:
    from chalicelib.services import campaigns

    try:
        if args.campaign_command == "plan":
            return _plan(args, out)
        if args.campaign_command == "list":
            reports = campaigns.all_campaign_reports()
            if args.json:
                print(json.dumps([as_json(r) for r in reports], ensure_ascii=False, indent=2), file=out)
            else:
                render_list(reports, out)
            return 0
        if args.campaign_command == "status":
            return _status(args, out)
        action = CampaignAction(args.campaign_command)
        if action is CampaignAction.START:
            campaigns.start_campaign(args.campaign_id, now=utc_now())
        else:
            campaigns.change_campaign(args.campaign_id, action, now=utc_now())
        report = campaigns.campaign_report(args.campaign_id)
        if args.json:
            print(json.dumps(as_json(report), ensure_ascii=False, indent=2), file=out)
        else:
            print(DONE[action].format(id=safe(args.campaign_id)), file=out)
        return 0
    except campaigns.CampaignNotFound:
        return _refused(
            args,
            out,
            "campaign_not_found",
            f"Aucune campagne « {safe(args.campaign_id)} ». `campaign list` les montre toutes.",
        )
    except campaigns.CampaignStateError as error:
        return _refused(
            args,
            out,
            "campaign_state",
            f"La campagne {safe(error.campaign_id)} est {STATE_LABELS[error.state]} : "
            f"« {error.action.value} » n'est pas possible ; rien n'a changé.",
            state=error.state.value,
        )
    except campaigns.UnknownBallots as error:
        return _refused(
            args,
            out,
            "unknown_ballots",
            f"Scrutin inconnu : {', '.join(safe(b) for b in error.ballot_ids)} ; rien n'a été créé.",
            ballots=error.ballot_ids,
        )


def _refused(args, out, code: str, text: str, **details) -> int:
    """A refusal: French for people, `{"error": {"code": ...}}` with --json; nothing changed."""
    if getattr(args, "json", False):
        print(json.dumps({"error": {"code": code, "message": text, **details}}, ensure_ascii=False), file=out)
    else:
        print(text, file=out)
    return 1


DONE = {
    CampaignAction.START: "Campagne {id} lancée : l'envoi se fait dans AWS, vous pouvez fermer ce terminal. "
    "Suivez-la avec `campaign status {id} --follow`.",
    CampaignAction.PAUSE: "Campagne {id} en pause : plus rien ne part (dans quelques secondes au plus) ; "
    "`campaign resume {id}` la reprend là où elle en est.",
    CampaignAction.RESUME: "Campagne {id} reprise là où elle en était.",
    CampaignAction.CANCEL: "Campagne {id} annulée : plus rien ne part. Les électeurs déjà joints le restent.",
}


def _plan(args, out) -> int:
    from chalicelib.services import campaigns

    campaign = campaigns.plan_campaign(
        CampaignKind(args.kind),
        ballot_ids=args.ballot,
        academy=args.academy,
        name=args.name,
        now=utc_now(),
        progress=None if args.json else ProgressBar(),
    )
    report = campaigns.campaign_report(campaign.campaign_id)
    if args.json:
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2), file=out)
        return 0
    planned = campaign.planned
    plan = sending_plan()
    seconds = planned.get("seconds") or 0
    print(
        f"Campagne {safe(campaign.campaign_id)} ({KIND_LABELS[CampaignKind(campaign.kind)]}"
        f"{', « ' + safe(campaign.name) + ' »' if campaign.name else ''}) préparée ; rien n'a été envoyé.",
        file=out,
    )
    print(f"  périmètre          {scope_text(campaign)}", file=out)
    print(f"  électeurs ciblés   {_number(planned.get('queued', 0))}", file=out)
    excluded = sum(planned.get(f"excluded_{e.value}", 0) for e in Exclusion)
    print(f"  exclus             {_number(excluded)}", file=out)
    for reason in Exclusion:
        print(f"    {EXCLUSION_LABELS[reason]:<48} {_number(planned.get(f'excluded_{reason.value}', 0)):>10}", file=out)
    print(
        f"  durée estimée      {duration_text(plan.duration(planned.get('queued', 0)).total_seconds())} "
        f"au rythme de {_number(plan.campaign_rate)} courriels/s",
        file=out,
    )
    print(
        f"  comptage           {_number(planned.get('scanned', 0))} électeurs lus en {seconds:.1f} s"
        f" ({_number(planned.get('scanned', 0) / seconds if seconds else 0)}/s)",
        file=out,
    )
    if campaign.academy and not planned.get("queued") and not excluded:
        print(
            f"Aucun électeur de « {safe(campaign.academy)} » : vérifiez le nom exact de l'académie "
            "(celui du fichier des listes, par exemple « Académie de Poitiers »).",
            file=out,
        )
    print(f"Pour l'envoyer : campaign start {safe(campaign.campaign_id)}", file=out)
    return 0


def _status(args, out) -> int:
    from chalicelib.services import campaigns

    report = campaigns.campaign_report(args.campaign_id)
    if args.follow and not args.json:
        bar = ProgressBar()
        try:
            while report.state is CampaignState.RUNNING and not report.finished:
                bar("Envoi", report.totals.handled, max(report.totals["queued"], planned_target(report), 1))
                time.sleep(args.interval)
                report = campaigns.campaign_report(args.campaign_id)
            bar("Envoi", report.totals.handled, max(report.totals.handled, 1))
        except KeyboardInterrupt:
            print("", file=out)
    if args.json:
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2), file=out)
    else:
        render_status(report, out)
    return 0


def planned_target(report) -> int:
    return int((report.campaign.planned or {}).get("queued", 0))


def scope_text(campaign) -> str:
    parts = []
    if campaign.ballot_ids:
        parts.append("scrutins " + ", ".join(safe(b) for b in campaign.ballot_ids))
    if campaign.academy:
        parts.append(safe(campaign.academy))
    return " ; ".join(parts) or "tous les électeurs inscrits"


def duration_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min {int(seconds % 60):02d} s" if minutes else f"{int(seconds)} s"


def state_text(report) -> str:
    if report.finished:
        return "terminée"
    return STATE_LABELS[report.state]


def render_status(report, out) -> None:
    campaign, totals = report.campaign, report.totals
    print(
        f"Campagne {safe(campaign.campaign_id)} — {KIND_LABELS[CampaignKind(campaign.kind)]}"
        f"{' « ' + safe(campaign.name) + ' »' if campaign.name else ''} — {state_text(report)}",
        file=out,
    )
    print(f"  périmètre          {scope_text(campaign)}", file=out)
    print(f"  préparée le        {_when(campaign.created_at)} ; lancée le {_when(campaign.started_at)}", file=out)
    if totals.units:
        print(f"  parcours           {totals.units_done}/{totals.units} parties terminées", file=out)
    rows = [
        ("ciblés (comptage)", planned_target(report)),
        ("mis en file", totals["queued"]),
        ("envoyés", totals["sent"]),
        ("échecs", totals["failed"]),
        ("écartés à l'envoi", totals["skipped"]),
        ("annulés", totals["cancelled"]),
        ("rejetés (bounce)", totals["bounced"]),
        ("plaintes", totals["complained"]),
        ("espaces activés depuis", totals["activated"]),
    ]
    for label, value in rows:
        print(f"  {label:<22} {_number(value):>10}", file=out)
    if totals["sent"]:
        print(
            f"  taux d'activation    {100 * totals['activated'] / totals['sent']:.1f} % des électeurs joints", file=out
        )
    excluded = [
        (EXCLUSION_LABELS[e], totals[f"excluded_{e.value}"]) for e in Exclusion if totals[f"excluded_{e.value}"]
    ]
    if excluded:
        print("  exclus pendant le parcours", file=out)
        for label, value in excluded:
            print(f"    {label:<48} {_number(value):>10}", file=out)


def render_list(reports, out) -> None:
    if not reports:
        print("Aucune campagne. `campaign plan --kind invitation` en prépare une.", file=out)
        return
    print(f"{'campagne':<22} {'type':<11} {'état':<30} {'ciblés':>9} {'envoyés':>9} {'activés':>9}  nom", file=out)
    for report in reports:
        campaign = report.campaign
        print(
            f"{safe(campaign.campaign_id):<22} {KIND_LABELS[CampaignKind(campaign.kind)]:<11} {state_text(report):<30} "
            f"{_number(planned_target(report)):>9} {_number(report.totals['sent']):>9} "
            f"{_number(report.totals['activated']):>9}  {safe(campaign.name or '')}",
            file=out,
        )


def as_json(report) -> dict:
    campaign = report.campaign
    return {
        "id": campaign.campaign_id,
        "kind": campaign.kind,
        "name": campaign.name,
        "state": "finished" if report.finished else campaign.state,
        "ballots": list(campaign.ballot_ids or []),
        "academy": campaign.academy,
        "created_at": campaign.created_at.isoformat() if campaign.created_at else None,
        "started_at": campaign.started_at.isoformat() if campaign.started_at else None,
        "targeted": planned_target(report),
        "planned": campaign.planned or {},
        "counters": {name: report.totals[name] for name in COUNTERS},
        "units": report.totals.units,
        "units_done": report.totals.units_done,
    }
