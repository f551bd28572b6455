"""`bureau participation ID [--follow] [--html FICHIER] [--json]`: the émargements per scrutin.

For the polling bureau during the vote: per scrutin, how many of the registered voters have
voted (émargements on the sign-in list), and nothing of the ballot box. `--follow` refreshes
every `--interval` seconds until Ctrl-C; `--html` writes a self-contained page (inline CSS, no
script, every value escaped) that the browser reloads by itself while it is followed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from chalicelib.admin.activation_html import CSS, e, number, percent, rate_cell
from chalicelib.admin.render import _number, _when, safe
from chalicelib.clock import utc_now
from chalicelib.services.participation import Participation, participation

TITLE = "Participation"
REFRESH_SECONDS = 30


def add_parser(actions) -> None:
    follow = actions.add_parser(
        "participation", help="la participation par scrutin pendant le vote (émargements, jamais l'urne)"
    )
    follow.add_argument("bureau_id", metavar="ID")
    follow.add_argument("--follow", action="store_true", help="actualiser jusqu'à Ctrl-C")
    follow.add_argument(
        "--interval",
        type=float,
        default=REFRESH_SECONDS,
        help=f"secondes entre deux relevés (défaut : {REFRESH_SECONDS})",
    )
    follow.add_argument("--html", metavar="FICHIER", help="écrire aussi la page HTML de la participation")
    follow.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")


def participation_command(args, out) -> int:
    while True:
        report = participation(args.bureau_id, now=utc_now())
        if args.html:
            write_html(report, Path(args.html), refresh=REFRESH_SECONDS if args.follow else None)
        if args.json:
            print(json.dumps(as_json(report), ensure_ascii=False), file=out, flush=True)
        else:
            print(as_text(report), file=out, flush=True)
        if not args.follow:
            return 0
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


def as_json(report: Participation) -> dict:
    return {
        "bureau": report.bureau_id,
        "at": report.at.isoformat(),
        "scrutins": [
            {
                "id": t.ballot_id,
                "label": t.label,
                "registered": t.registered,
                "signed_in": t.signed_in,
                "codes_reissued": t.codes_reissued,
            }
            for t in report.scrutins
        ],
        "registered": report.registered,
        "signed_in": report.signed_in,
    }


def _rate(signed_in: int, registered: int) -> str:
    return f"{100 * signed_in / registered:5.1f} %".replace(".", ",") if registered else "    —"


def as_text(report: Participation) -> str:
    lines = [f"Participation — {safe(report.name)} — relevé du {_when(report.at)} (heure de Paris)"]
    width = max([len(t.ballot_id) for t in report.scrutins] + [7])
    for t in report.scrutins:
        lines.append(
            f"  {safe(t.ballot_id):<{width}}  {_number(t.signed_in):>10} votants sur {_number(t.registered):>10} "
            f"inscrits  {_rate(t.signed_in, t.registered)}  {_number(t.codes_reissued):>6} codes réémis  "
            f"{safe(t.label)}"
        )
    lines.append(
        f"  {'Total':<{width}}  {_number(report.signed_in):>10} émargements sur {_number(report.registered):>10} "
        f"inscriptions  {_rate(report.signed_in, report.registered)}"
    )
    lines.append("Seuls les émargements sont comptés : le contenu de l'urne n'est lu qu'au dépouillement.")
    return "\n".join(lines)


def write_html(report: Participation, path: Path, *, refresh: int | None) -> None:
    """The page, written to a temporary name and renamed: a browser reloading it never reads half."""
    rows = "".join(
        f"<tr><td>{e(t.label)} <span class=id>{e(t.ballot_id)}</span></td>"
        f"<td class=num>{number(t.registered)}</td><td class=num>{number(t.signed_in)}</td>"
        f"{rate_cell(None if t.rate is None else 100 * t.rate)}<td class=num>{number(t.codes_reissued)}</td></tr>"
        for t in report.scrutins
    )
    total_rate = 100 * report.signed_in / report.registered if report.registered else None
    reload = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    page = (
        "<!doctype html><html lang=fr><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{reload}<title>{e(TITLE)} — {e(report.name)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>{e(TITLE)} — {e(report.name)}</h1>"
        f'<p class="meta">Relevé du {e(_when(report.at))} (heure de Paris)'
        f"{f', actualisé toutes les {refresh} secondes' if refresh else ''}. Émargements sur la liste "
        "d'émargement, rapportés aux inscrits de la liste électorale scellée ; le contenu de l'urne n'est lu "
        "qu'au dépouillement.</p>"
        '<div class="cards">'
        f'<div class="card"><b>{percent(total_rate)}</b><span>participation (tous scrutins)</span></div>'
        f'<div class="card"><b>{number(report.signed_in)}</b><span>émargements</span></div>'
        f'<div class="card"><b>{number(report.registered)}</b><span>inscriptions</span></div></div>'
        '<h2>Par scrutin</h2><div class="scroll"><table><thead><tr><th>Scrutin</th>'
        "<th class=num>Inscrits</th><th class=num>Votants</th><th class=num>Participation</th>"
        "<th class=num>Codes réémis</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></main></body></html>\n"
    )
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)
