"""The procès-verbal of the count: what the bureau signs and posts, in French, as PDF and HTML.

Per scrutin: inscrits (the electoral list as sealed), votants (émargements), bulletins in the
box, blancs, suffrages exprimés (the ballots that chose a list) and the votes of each list in
ballot order; then the key holders whose decryptions were combined, and the SHA-256 of every
file of the record, so that anyone holding the PV can check the published files are the ones
it reports. Plain data in, document out: the HTML escapes every value, the PDF is laid out
with `documents.pdf`. No clock: the moment is given.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents.pdf import TEXT_WIDTH, Item, Row, Rule, Text
from chalicelib.domain.phases import PARIS

ROLES = {"president": "président", "secretary": "secrétaire", "delegate": "délégué"}


@dataclass(frozen=True)
class ScrutinResult:
    ballot_id: str
    label: str
    registered: int  # inscrits
    signed_in: int  # votants (émargements)
    ballots: int  # bulletins dans l'urne
    counts: tuple[int, ...]  # blank first, then each list in ballot order
    lists: tuple[str, ...]  # the lists' names, in ballot order

    @property
    def blank(self) -> int:
        return self.counts[0]

    @property
    def expressed(self) -> int:
        return self.ballots - self.blank


@dataclass(frozen=True)
class ProcesVerbal:
    bureau: str  # the bureau's name
    election_id: str
    at: datetime
    scrutins: tuple[ScrutinResult, ...]
    key_holders: tuple[tuple[str, str, str], ...]  # (member label, role, name) whose partials were used
    digests: tuple[tuple[str, str], ...]  # (file of the record, SHA-256)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}".replace(".", ",") + "\u00a0%" if whole else "—"


def _when(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %Hh%M")


def pdf_pages(pv: ProcesVerbal) -> list[list[Item]]:
    """The PV's pages: a heading, a page per scrutin, then the key holders and the digests."""
    heading = [
        Text("Procès-verbal du dépouillement", size=16, bold=True, center=True),
        Text(f"Bureau de vote électronique « {pv.bureau} »", size=12, center=True, gap_before=2),
        Text(f"Élection {pv.election_id} — établi le {_when(pv.at)} (heure de Paris)", size=9, center=True),
        Rule(gap_before=10, gap_after=8),
    ]
    pages = []
    widths = (TEXT_WIDTH - 170, 90.0, 80.0)
    for number, s in enumerate(pv.scrutins):
        items = list(heading) if number == 0 else []
        items += [
            Text(s.label, size=13, bold=True, gap_before=4),
            Text(f"Scrutin {s.ballot_id}", size=9),
            Row(("Inscrits", _n(s.registered), ""), widths, gap_before=8),
            Row(("Votants (émargements)", _n(s.signed_in), _share(s.signed_in, s.registered)), widths),
            Row(("Bulletins dans l'urne", _n(s.ballots), ""), widths),
            Row(("Votes blancs", _n(s.blank), _share(s.blank, s.ballots)), widths),
            Row(("Suffrages exprimés", _n(s.expressed), _share(s.expressed, s.ballots)), widths, bold=True),
            Text("Voix par liste, dans l'ordre du bulletin", size=11, bold=True, gap_before=12),
            Row(("Liste", "Voix", "des exprimés"), widths, bold=True, gap_before=4),
        ]
        items += [
            Row((name, _n(votes), _share(votes, s.expressed)), widths)
            for name, votes in zip(s.lists, s.counts[1:], strict=True)
        ]
        pages.append(items)
    closing = [
        Text("Détenteurs de clé ayant déchiffré", size=12, bold=True),
        *[
            Text(f"{name} ({ROLES.get(role, role)}, {label})", size=10, gap_before=2)
            for label, role, name in pv.key_holders
        ],
        Text("Empreintes (SHA-256) des fichiers du dossier public", size=12, bold=True, gap_before=14),
        *[Text(f"{name} : {digest}", size=8, mono=True, gap_before=2) for name, digest in pv.digests],
        Text("Signatures des membres du bureau :", size=11, gap_before=20),
    ]
    pages.append(closing)
    return pages


def html_page(pv: ProcesVerbal) -> str:
    """The PV as one self-contained page (inline CSS, no script, every value escaped)."""
    e = html.escape
    sections = []
    for s in pv.scrutins:
        lists = "".join(
            f"<tr><td>{e(name)}</td><td class=n>{_n(votes)}</td><td class=n>{_share(votes, s.expressed)}</td></tr>"
            for name, votes in zip(s.lists, s.counts[1:], strict=True)
        )
        sections.append(
            f"<section><h2>{e(s.label)} <small>{e(s.ballot_id)}</small></h2><table>"
            f"<tr><th>Inscrits</th><td class=n>{_n(s.registered)}</td><td></td></tr>"
            f"<tr><th>Votants (émargements)</th><td class=n>{_n(s.signed_in)}</td>"
            f"<td class=n>{_share(s.signed_in, s.registered)}</td></tr>"
            f"<tr><th>Bulletins dans l'urne</th><td class=n>{_n(s.ballots)}</td><td></td></tr>"
            f"<tr><th>Votes blancs</th><td class=n>{_n(s.blank)}</td><td class=n>{_share(s.blank, s.ballots)}</td></tr>"
            f"<tr><th>Suffrages exprimés</th><td class=n>{_n(s.expressed)}</td>"
            f"<td class=n>{_share(s.expressed, s.ballots)}</td></tr></table>"
            f"<h3>Voix par liste</h3><table><tr><th>Liste</th><th class=n>Voix</th><th class=n>des exprimés</th></tr>"
            f"{lists}</table></section>"
        )
    holders = "".join(
        f"<li>{e(name)} ({e(ROLES.get(role, role))}, {e(label)})</li>" for label, role, name in pv.key_holders
    )
    digests = "".join(f"<tr><td>{e(name)}</td><td><code>{e(d)}</code></td></tr>" for name, d in pv.digests)
    css = (
        "body{font:15px/1.45 system-ui,sans-serif;color:#1e1e1e;max-width:900px;margin:0 auto;padding:16px}"
        "h1{color:#000091}table{border-collapse:collapse;width:100%;margin:.5em 0}"
        "th,td{border:1px solid #ddd;padding:6px 8px;text-align:left}"
        ".n{text-align:right;font-variant-numeric:tabular-nums}"
        "code{font-size:.8em;word-break:break-all}small{color:#666;font-weight:normal}"
    )
    return (
        "<!doctype html><html lang=fr><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Procès-verbal — {e(pv.bureau)}</title><style>{css}</style></head><body><main>"
        f"<h1>Procès-verbal du dépouillement</h1><p>Bureau de vote électronique « {e(pv.bureau)} », élection "
        f"<code>{e(pv.election_id)}</code>, établi le {e(_when(pv.at))} (heure de Paris).</p>"
        f"{''.join(sections)}<h2>Détenteurs de clé ayant déchiffré</h2><ul>{holders}</ul>"
        f"<h2>Empreintes (SHA-256) des fichiers du dossier public</h2><table>{digests}</table>"
        "</main></body></html>\n"
    )
