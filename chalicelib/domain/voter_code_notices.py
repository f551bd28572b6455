"""The paper voter-code notice (notice de vote) and the hand-over sheet, as pages to print.

A notice is one A4 page, for one voter: who it is for (name, workplace, voter id), the code in
large monospaced characters, the voter's scrutins with their dates, how to vote in four steps,
what to do if the code is lost, and the portal's address. It goes in a sealed envelope, so it
says nothing another person could use but the code itself.

The sheet lists every voter of one delivery place, in the notices' order, with a blank date and
signature column: the « émargement de remise », which the person who hands the notices over
keeps as proof of who received theirs. It never holds a code. Where the roll says the codes are
posted (its delivery mode speaks of post, mail or home), the same sheet becomes the posting slip
(bordereau d'envoi), with a column for the date of posting; any other mode is a hand-over, since
a signature sheet too many is harmless and one missing loses the proof.

Plain data in, `chalicelib.documents.pdf` items out: no clock, no I/O. The French texts are
here, in one place, for proof-reading.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents.pdf import PAGE_ROOM, TEXT_WIDTH, Item, Row, Rule, Text, height, one_line
from chalicelib.domain.phases import PARIS
from chalicelib.domain.voter_codes import shown

SHEET_ROWS = 22  # voters per page of the sheet: rows tall enough to sign in
SHEET_WIDTHS = (90.0, 76.0, 72.0, 103.9, 50.0, 90.0)  # sums to the text width
assert abs(sum(SHEET_WIDTHS) - TEXT_WIDTH) < 0.01


@dataclass(frozen=True, slots=True)
class Scrutin:
    label: str
    opens: datetime
    closes: datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    """One voter on the sheet (and on the notice, with the code)."""

    last_name: str
    first_name: str
    voter_id: str
    workplace: str


def _when(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %Hh%M")


POSTED = ("postal", "poste", "courrier", "envoi", "domicile")


def by_hand(code_delivery: str) -> bool:
    """Handed over against signature, unless the roll's delivery mode says the notice is posted."""
    folded = unicodedata.normalize("NFKD", code_delivery).lower()
    return not any(word in folded for word in POSTED)


def notice_page(
    recipient: Recipient, *, code: str, code_delivery: str, scrutins: Iterable[Scrutin], portal_url: str
) -> list[Item]:
    """The one page a voter finds in their envelope. A roll's long names or many scrutins first
    make it denser, then cut the free texts to one line each and name at most `MAX_SCRUTINS`:
    a notice that ran onto a second page would be put in the wrong envelope."""
    scrutins = list(scrutins)
    for layout in (_REGULAR, _COMPACT, _CUT):
        items = _notice(recipient, code, code_delivery, scrutins, portal_url, layout)
        if height(items) <= PAGE_ROOM:
            return items
    return items  # _CUT is bounded: every line is counted (tests/domain/test_voter_code_notices.py)


@dataclass(frozen=True, slots=True)
class _Layout:
    body: float  # font size of the paragraphs
    gap: float  # space around the rules
    cut: bool  # free texts on one line, at most MAX_SCRUTINS named


_REGULAR = _Layout(body=10, gap=10, cut=False)
_COMPACT = _Layout(body=9, gap=6, cut=False)
_CUT = _Layout(body=9, gap=6, cut=True)
MAX_SCRUTINS = 8


def _notice(recipient, code, code_delivery, scrutins, portal_url, layout: _Layout) -> list[Item]:
    size, gap = layout.body, layout.gap

    def free(text: str, text_size: float, bold: bool = False) -> str:
        return one_line(text, size=text_size, bold=bold) if layout.cut else text

    address = portal_url.removeprefix("https://").removeprefix("http://")
    named = scrutins
    if layout.cut and len(scrutins) > MAX_SCRUTINS:
        named = scrutins[: MAX_SCRUTINS - 1]
    items: list[Item] = [
        Text("Élections professionnelles", size=16, bold=True, center=True),
        Text("Notice de vote — personnelle et confidentielle", size=12, center=True, gap_before=2),
        Rule(gap_before=gap, gap_after=gap),
        Text(free(f"{recipient.first_name} {recipient.last_name}", 13, bold=True), size=13, bold=True),
        Text(free(recipient.workplace, 11), size=11),
        Text(free(f"Identifiant électeur : {recipient.voter_id}", 10), size=10, gap_before=2),
        Rule(gap_before=gap, gap_after=gap),
        Text("Votre code de vote", size=12, bold=True),
        Text(shown(code), size=30, mono=True, bold=True, center=True, gap_before=gap),
        Text(
            "Ce code sert pour tous vos scrutins ci-dessous. Il vous est personnel : ne le "
            "communiquez à personne. Ni votre administration, ni les organisations syndicales, ni "
            "l'assistance ne vous le demanderont jamais.",
            size=size,
            gap_before=gap + 2,
        ),
        Text(
            "Il ne contient ni la lettre I, ni L, ni O, ni U : seulement des chiffres et des lettres "
            "qui ne se confondent pas. Vous pouvez le saisir en majuscules ou en minuscules, avec ou "
            "sans les tirets.",
            size=size,
            gap_before=4,
        ),
        Rule(gap_before=gap, gap_after=gap),
        Text("Vos scrutins", size=12, bold=True),
    ]
    for scrutin in named:
        line = f"– {free(scrutin.label, size)} : du {_when(scrutin.opens)} au {_when(scrutin.closes)}"
        items.append(Text(free(line, size), size=size, gap_before=2))
    if len(named) < len(scrutins):
        others = len(scrutins) - len(named)
        items.append(Text(f"… et {others} autres scrutins : voyez-les dans votre espace électeur.", size=size))
    items += [
        Text("Heures de Paris. Le vote a lieu uniquement par internet.", size=size, gap_before=4),
        Rule(gap_before=gap, gap_after=gap),
        Text("Comment voter", size=12, bold=True),
        Text(
            f"1. Rendez-vous sur {address}, avec un ordinateur, une tablette ou un téléphone, et "
            "connectez-vous à votre espace électeur avec votre adresse professionnelle et votre mot "
            "de passe électeur. Si vous n'avez pas encore créé votre espace, faites-le depuis la page "
            "d'accueil : il suffit de votre adresse professionnelle.",
            size=size,
            gap_before=4,
        ),
        Text("2. Choisissez « Je vote » et saisissez votre code de vote.", size=size, gap_before=4),
        Text(
            "3. Pour chaque scrutin, choisissez une liste ou le vote blanc, vérifiez votre choix, puis "
            "validez. Votre vote est alors définitif : il ne peut être ni modifié ni annulé.",
            size=size,
            gap_before=4,
        ),
        Text(
            "4. Gardez votre accusé de réception : après le dépouillement, il vous permettra de "
            "vérifier que votre vote a bien été pris en compte. Un courriel vous confirme aussi chaque "
            "vote ; si vous en recevez un sans avoir voté, signalez-le aussitôt.",
            size=size,
            gap_before=4,
        ),
        Rule(gap_before=gap, gap_after=gap),
        Text(
            "Code perdu ou jamais reçu ? Pendant la période de vote, un nouveau code peut vous être "
            "délivré : adressez-vous à l'assistance indiquée dans votre espace électeur. L'ancien code "
            "cesse alors de fonctionner, et les votes déjà enregistrés restent valables.",
            size=size,
        ),
        Text(free(f"Mode de remise de cette notice : {code_delivery}", 9), size=9, gap_before=gap - 2),
    ]
    return items


def sheet_pages(
    recipients: Iterable[Recipient], *, count: int, academy: str, code_delivery: str
) -> Iterator[list[Item]]:
    """The hand-over sheet (or posting slip) of one delivery place, page by page; `count` is
    the number of recipients, for « page n sur N »."""
    signed = by_hand(code_delivery)
    title = "Émargement de remise des notices de vote" if signed else "Bordereau d'envoi des notices de vote"
    explanation = (
        "Chaque agent signe à la remise de sa notice, sous pli fermé, après vérification de son "
        "identité. Cette feuille ne contient aucun code ; conservez-la avec les documents du scrutin."
        if signed
        else "Notez la date d'envoi de chaque pli. Cette feuille ne contient aucun code ; conservez-la "
        "avec les documents du scrutin."
    )
    last_column = ("Date", "Signature") if signed else ("Envoyé le", "Observations")
    total = max(1, -(-count // SHEET_ROWS))
    page: list[Recipient] = []
    number = 0

    def laid_out(rows: list[Recipient]) -> list[Item]:
        items: list[Item] = [
            Text(title, size=14, bold=True),
            Text(f"Académie : {academy}", size=10, gap_before=4),
            Text(f"Mode de remise : {code_delivery}", size=10),
            Text(f"Page {number} sur {total} — {count} notice{'s' if count > 1 else ''} en tout", size=10),
            Text(explanation, size=9, gap_before=4),
            Row(
                ("Nom", "Prénom", "Identifiant", "Lieu de travail", *last_column), SHEET_WIDTHS, bold=True, gap_before=8
            ),
        ]
        items += [
            Row((r.last_name, r.first_name, r.voter_id, r.workplace, "", ""), SHEET_WIDTHS, height=26) for r in rows
        ]
        items.append(Text("Remis par (nom, qualité, signature) :", size=10, gap_before=14))
        return items

    for recipient in recipients:
        page.append(recipient)
        if len(page) == SHEET_ROWS:
            number += 1
            yield laid_out(page)
            page = []
    if page or number == 0:
        number += 1
        yield laid_out(page)
