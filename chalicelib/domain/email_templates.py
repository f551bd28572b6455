"""The emails voters receive: French, plain text and HTML, built as one MIME message.

Proof-readers: every sentence of every email is in this file. Links point to the stage's
configured portal address (never a request's Host header) and carry secrets only in the URL
fragment (`#jeton=`), which browsers never send to a server. No tracking pixel, no image, no
redirecting link.

Each kind of email is one function listed in `LETTERS`, reading its sentences top to bottom;
the shapes they share (the greeting, a paragraph followed by its link, the confirmation's and
the reset's common skeleton) are written once, so a new kind of email is one more entry.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from chalicelib.domain.mail_policy import Email
from chalicelib.domain.phases import PARIS

# The portal's pages that emails link to.
PASSWORD_PAGE = "/mot-de-passe"
REGISTRATION_PAGE = "/inscription"
SIGN_IN_PAGE = "/connexion"
FORGOTTEN_PASSWORD_PAGE = "/mot-de-passe-oublie"

FOOTER = (
    "Ce message vous est envoyé automatiquement par le portail des élections "
    "professionnelles ; merci de ne pas y répondre."
)


@dataclass(frozen=True)
class Letter:
    subject: str
    paragraphs: list[str]  # each may contain one link, given separately
    links: dict[int, str]  # paragraph index -> URL shown on its own line after it


@dataclass(frozen=True)
class Facts:
    """What a letter may mention; each kind of letter uses only the facts it needs."""

    portal_url: str
    first_name: str
    now: datetime
    secret: str | None = None
    expires_at: datetime | None = None
    reference: str | None = None
    answer: str | None = None
    # A campaign's email: the voter's ballots (label, voting opens, voting closes), in
    # order, and where their voter code will be handed to them.
    ballots: tuple[tuple[str, datetime, datetime], ...] = ()
    code_delivery: str | None = None
    # A vote recorded: the scrutin's label and the time of the émargement (never the ballot).
    scrutin: str | None = None
    voted_at: datetime | None = None
    # A voter code re-issued: when, and whether the help desk handed it over.
    issued_at: datetime | None = None
    by_help_desk: bool = False


def _when(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return local.strftime("%d/%m/%Y à %Hh%M")


def _compose(subject: str, facts: Facts, *paragraphs: str | tuple[str, str]) -> Letter:
    """Greet, then lay out the paragraphs; a (paragraph, page) pair is followed by that page's link."""
    texts, links = [f"Bonjour {facts.first_name},"], {}
    for paragraph in paragraphs:
        if isinstance(paragraph, tuple):
            paragraph, page = paragraph
            links[len(texts)] = f"{facts.portal_url}{page}"
        texts.append(paragraph)
    return Letter(subject=subject, paragraphs=texts, links=links)


def _not_asked(consequence: str) -> str:
    return f"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : {consequence}"


def _link_letter(
    facts: Facts, *, subject: str, asked: str, lifetime: str, ask_again_page: str, if_not_asked: str
) -> Letter:
    """The confirmation and the reset: one link to the password page, how long it lasts, where to ask again."""
    return _compose(
        subject,
        facts,
        (f"{asked}, ouvrez ce lien :", f"{PASSWORD_PAGE}#jeton={facts.secret}"),
        (
            f"Ce lien est valable {lifetime}, jusqu'au {_when(facts.expires_at)} (heure de Paris). "
            "S'il a expiré, demandez-en simplement un nouveau :",
            ask_again_page,
        ),
        _not_asked(if_not_asked),
    )


def _claim_receipt(facts: Facts) -> Letter:
    return _compose(
        f"Élections professionnelles : votre signalement {facts.reference} est bien reçu",
        facts,
        f"Nous avons bien reçu votre signalement sur les listes électorales. Sa référence est {facts.reference}.",
        "Le service des élections de votre académie va l'examiner ; sa réponse vous sera "
        "envoyée à cette adresse. Vous n'avez rien d'autre à faire d'ici là.",
        "Si vous n'êtes pas à l'origine de ce signalement, ignorez ce message.",
    )


def _claim_answer(facts: Facts) -> Letter:
    return _compose(
        f"Élections professionnelles : réponse à votre réclamation {facts.reference}",
        facts,
        f"Le service des élections a répondu à votre réclamation {facts.reference} :",
        facts.answer or "",
        ("Vous retrouvez vos réclamations et leurs réponses dans votre espace électeur :", SIGN_IN_PAGE),
    )


def _confirmation(facts: Facts) -> Letter:
    return _link_letter(
        facts,
        subject="Élections professionnelles : confirmez votre adresse pour créer votre espace électeur",
        asked="Vous avez demandé à créer votre espace électeur. Pour confirmer votre adresse "
        "et choisir votre mot de passe électeur",
        lifetime="24 heures",
        ask_again_page=REGISTRATION_PAGE,
        if_not_asked="rien ne sera créé sans vous.",
    )


def _reset(facts: Facts) -> Letter:
    return _link_letter(
        facts,
        subject="Élections professionnelles : choisissez un nouveau mot de passe électeur",
        asked="Vous avez demandé à changer le mot de passe de votre espace électeur. Pour en choisir un nouveau",
        lifetime="1 heure",
        ask_again_page=FORGOTTEN_PASSWORD_PAGE,
        if_not_asked="votre mot de passe actuel reste valable.",
    )


def _already_active(facts: Facts) -> Letter:
    # It carries a working reset link: a stranger who asks to "register" a voter's address
    # then only sends the voter a way back in, never an email that spends their budget for nothing.
    return _compose(
        "Élections professionnelles : votre espace électeur existe déjà",
        facts,
        (
            "Vous avez demandé à créer votre espace électeur, mais il existe déjà pour cette adresse. "
            "Pour vous connecter :",
            SIGN_IN_PAGE,
        ),
        (
            "Si vous avez oublié votre mot de passe électeur, choisissez-en un nouveau avec ce lien, "
            f"valable 1 heure, jusqu'au {_when(facts.expires_at)} (heure de Paris) :",
            f"{PASSWORD_PAGE}#jeton={facts.secret}",
        ),
        _not_asked("votre mot de passe actuel reste valable."),
    )


def _password_changed(facts: Facts) -> Letter:
    return _compose(
        "Élections professionnelles : votre mot de passe électeur a été changé",
        facts,
        f"Le mot de passe de votre espace électeur a été changé le {_when(facts.now)} (heure de Paris), "
        "et toutes vos connexions en cours ont été fermées.",
        (
            "Si vous n'êtes pas à l'origine de ce changement, choisissez tout de suite un nouveau mot de passe, "
            "puis prévenez l'assistance de votre académie :",
            FORGOTTEN_PASSWORD_PAGE,
        ),
    )


def _password_changed_signed_in(facts: Facts) -> Letter:
    return _compose(
        "Élections professionnelles : votre mot de passe électeur a été changé",
        facts,
        f"Le mot de passe de votre espace électeur a été changé le {_when(facts.now)} (heure de Paris), "
        "depuis votre espace. Vos autres connexions ont été fermées ; seule celle qui a servi au changement "
        "reste ouverte.",
        (
            "Si vous n'êtes pas à l'origine de ce changement, choisissez tout de suite un nouveau mot de passe "
            "(toutes vos connexions seront alors fermées), puis prévenez l'assistance de votre académie :",
            FORGOTTEN_PASSWORD_PAGE,
        ),
    )


def _vote_recorded(facts: Facts) -> Letter:
    """Sent for every vote, without the receipt: the receipt stays with the voter, and this
    email only says that a vote in their name was recorded, so an impostor is noticed at once."""
    return _compose(
        f"Élections professionnelles : vous avez voté au scrutin {facts.scrutin}",
        facts,
        f"Votre vote au scrutin « {facts.scrutin} » a été enregistré le "
        f"{_when(facts.voted_at or facts.now)} (heure de Paris). Il est définitif.",
        "Votre accusé de réception s'est affiché à l'écran au moment du vote : conservez-le. Il vous permettra, "
        "après le dépouillement, de vérifier que votre bulletin est bien dans l'urne. Ce courriel ne le contient "
        "pas, et il ne dit jamais pour qui vous avez voté.",
        (
            "Si vous n'avez pas voté vous-même à ce scrutin, quelqu'un a utilisé votre mot de passe et votre code "
            "électeur : prévenez sans attendre l'assistance de votre académie, puis choisissez un nouveau mot de "
            "passe :",
            FORGOTTEN_PASSWORD_PAGE,
        ),
    )


def _code_reissued(facts: Facts) -> Letter:
    """After each re-issue of a voter code, without the code: the voter learns of a re-issue
    they did not ask for, and that the old code no longer works."""
    how = (
        "par l'assistance, qui vous a remis une nouvelle notice"
        if facts.by_help_desk
        else "depuis votre espace électeur, où il s'est affiché une seule fois"
    )
    return _compose(
        "Élections professionnelles : un nouveau code électeur vous a été attribué",
        facts,
        f"Un nouveau code électeur vous a été attribué le {_when(facts.issued_at or facts.now)} (heure de Paris), "
        f"{how}. L'ancien code ne fonctionne plus. Les votes que vous aviez déjà exprimés restent enregistrés.",
        "Ce courriel ne contient pas le code, et personne ne vous le demandera par courriel ni par téléphone.",
        (
            "Si vous n'avez pas demandé de nouveau code, quelqu'un utilise peut-être votre espace : prévenez sans "
            "attendre l'assistance de votre académie, puis choisissez un nouveau mot de passe :",
            FORGOTTEN_PASSWORD_PAGE,
        ),
    )


def _address_changed(facts: Facts) -> Letter:
    """To the address the roll no longer holds: what stopped working, and whom to contact. No link."""
    return _compose(
        "Élections professionnelles : l'adresse de votre espace électeur a été modifiée",
        facts,
        "L'adresse de votre espace électeur a été modifiée sur les listes électorales : ce n'est plus "
        "celle-ci. Votre espace est donc suspendu à cette adresse : son mot de passe, les connexions "
        "en cours et les liens déjà reçus ici ne fonctionnent plus.",
        "La nouvelle adresse a reçu un lien pour choisir un mot de passe et retrouver l'espace électeur. "
        "Si ce changement vient de vous ou du service des élections, vous n'avez rien d'autre à faire.",
        "Si vous n'êtes pas à l'origine de ce changement, contactez le service des élections de votre académie.",
    )


def _address_confirmation(facts: Facts) -> Letter:
    """To the address the roll now holds: confirm it by choosing a password (a registration link)."""
    return _compose(
        "Élections professionnelles : confirmez votre nouvelle adresse pour retrouver votre espace électeur",
        facts,
        (
            "Votre adresse électronique a été modifiée sur les listes électorales : c'est désormais à cette "
            "adresse que le portail vous écrit. Pour la confirmer et choisir le mot de passe de votre espace "
            "électeur (l'ancien ne fonctionne plus), ouvrez ce lien :",
            f"{PASSWORD_PAGE}#jeton={facts.secret}",
        ),
        (
            f"Ce lien est valable 24 heures, jusqu'au {_when(facts.expires_at)} (heure de Paris). "
            "S'il a expiré, demandez-en simplement un nouveau :",
            REGISTRATION_PAGE,
        ),
        "Vos scrutins et vos réclamations restent les mêmes : seule l'adresse change.",
        "Si vous ne vous attendiez pas à ce message, prévenez le service des élections de votre académie ; "
        "rien ne sera réactivé sans vous.",
    )


def _campaign_letter(facts: Facts, *, subject: str, opening: str) -> Letter:
    """The ministry's email to every agent: what the elections are, the voter's ballots and
    their dates, where the voter code will be handed, and the link that creates the password."""
    paragraphs: list[str | tuple[str, str]] = [
        opening,
        "Les élections professionnelles désignent vos représentants du personnel dans les instances "
        "(comités sociaux d'administration, commissions administratives et consultatives paritaires) "
        "qui traitent de vos conditions de travail et de votre carrière. Le vote a lieu uniquement "
        "par internet, depuis votre espace électeur.",
    ]
    if facts.ballots:
        paragraphs.append("Vous êtes électrice ou électeur pour les scrutins suivants :")
        paragraphs += [
            f"– {label} : vote par internet du {_when(opens)} au {_when(closes)} (heure de Paris)."
            for label, opens, closes in facts.ballots
        ]
    paragraphs += [
        (
            "Pour créer votre espace électeur, il vous suffit de choisir votre mot de passe électeur "
            "avec ce lien personnel (ne le transmettez à personne) :",
            f"{PASSWORD_PAGE}#jeton={facts.secret}",
        ),
        (
            f"Ce lien est valable jusqu'au {_when(facts.expires_at)} (heure de Paris). S'il a expiré ou si vous l'avez "
            "perdu, demandez-en simplement un nouveau sur le portail, avec votre adresse professionnelle :",
            REGISTRATION_PAGE,
        ),
        "Votre mot de passe électeur vous servira pour voter ; il ne peut pas être retrouvé, seulement "
        "remplacé. Dans votre espace, vous pourrez vérifier les listes électorales et, si besoin, "
        "déposer une réclamation.",
        f"Votre code de vote, l'autre élément nécessaire pour voter, vous sera remis ainsi : {facts.code_delivery}."
        if facts.code_delivery
        else "Votre code de vote, l'autre élément nécessaire pour voter, vous sera remis avant l'ouverture du vote.",
        "Ce courriel est envoyé à chaque agent inscrit sur les listes électorales. Si vous pensez "
        "l'avoir reçu par erreur, ignorez-le : rien ne sera créé sans vous.",
    ]
    return _compose(subject, facts, *paragraphs)


def _invitation(facts: Facts) -> Letter:
    return _campaign_letter(
        facts,
        subject="Élections professionnelles : créez votre espace électeur",
        opening="Les élections professionnelles approchent, et votre espace électeur vous attend.",
    )


def _reminder(facts: Facts) -> Letter:
    return _campaign_letter(
        facts,
        subject="Élections professionnelles : votre espace électeur n'est pas encore créé",
        opening="Votre espace électeur n'est pas encore créé : sans lui, vous ne pourrez pas voter. "
        "Il ne vous faut qu'une minute.",
    )


# One entry per kind of email: a new kind (a vote receipt, a voter-code notice) is one function and one line here.
LETTERS: dict[Email, Callable[[Facts], Letter]] = {
    Email.CLAIM_RECEIPT: _claim_receipt,
    Email.CLAIM_ANSWER: _claim_answer,
    Email.CONFIRMATION: _confirmation,
    Email.RESET: _reset,
    Email.ALREADY_ACTIVE: _already_active,
    Email.PASSWORD_CHANGED: _password_changed,
    Email.PASSWORD_CHANGED_SIGNED_IN: _password_changed_signed_in,
    Email.ADDRESS_CHANGED: _address_changed,
    Email.ADDRESS_CONFIRMATION: _address_confirmation,
    Email.INVITATION: _invitation,
    Email.REMINDER: _reminder,
    Email.VOTE_RECORDED: _vote_recorded,
    Email.CODE_REISSUED: _code_reissued,
}


def letter(kind: Email, **facts) -> Letter:
    """The letter for this kind of email, from the facts it mentions (see `Facts`)."""
    if kind not in LETTERS:
        raise ValueError(f"no letter for {kind}")
    return LETTERS[kind](Facts(**facts))


def _text(content: Letter) -> str:
    lines = []
    for index, paragraph in enumerate(content.paragraphs):
        lines.append(paragraph)
        if index in content.links:
            lines.append(content.links[index])
        lines.append("")
    lines.append("-- ")
    lines.append(FOOTER)
    return "\n".join(lines) + "\n"


def _html(content: Letter) -> str:
    parts = [
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"></head>',
        '<body style="font-family: Marianne, Arial, sans-serif; line-height: 1.5">',
    ]
    for index, paragraph in enumerate(content.paragraphs):
        parts.append(f"<p>{html.escape(paragraph)}</p>")
        if index in content.links:
            url = html.escape(content.links[index], quote=True)
            parts.append(f'<p><a href="{url}">{url}</a></p>')
    parts.append(f'<hr><p style="color: #666; font-size: small">{html.escape(FOOTER)}</p></body></html>')
    return "\n".join(parts)


def build_message(content: Letter, *, sender: str, recipient: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = content.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">"))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text(content))
    message.add_alternative(_html(content), subtype="html")
    return message
