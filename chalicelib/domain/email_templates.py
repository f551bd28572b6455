"""The emails voters receive: French, plain text and HTML, built as one MIME message.

Proof-readers: every sentence of every email is in this file. Links point to the stage's
configured portal address (never a request's Host header) and carry secrets only in the URL
fragment (`#jeton=`), which browsers never send to a server. No tracking pixel, no image, no
redirecting link.
"""

from __future__ import annotations

import html
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


def _when(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return local.strftime("%d/%m/%Y à %Hh%M")


def letter(kind: Email, *, portal_url: str, first_name: str, now: datetime,
           secret: str | None = None, expires_at: datetime | None = None,
           reference: str | None = None, answer: str | None = None) -> Letter:
    hello = f"Bonjour {first_name},"
    if kind is Email.CLAIM_RECEIPT:
        return Letter(
            subject=f"Élections professionnelles : votre signalement {reference} est bien reçu",
            paragraphs=[
                hello,
                f"Nous avons bien reçu votre signalement sur les listes électorales. Sa "
                f"référence est {reference}.",
                "Le service des élections de votre académie va l'examiner ; sa réponse vous sera "
                "envoyée à cette adresse. Vous n'avez rien d'autre à faire d'ici là.",
                "Si vous n'êtes pas à l'origine de ce signalement, ignorez ce message.",
            ],
            links={},
        )
    if kind is Email.CLAIM_ANSWER:
        return Letter(
            subject=f"Élections professionnelles : réponse à votre réclamation {reference}",
            paragraphs=[
                hello,
                f"Le service des élections a répondu à votre réclamation {reference} :",
                answer or "",
                "Vous retrouvez vos réclamations et leurs réponses dans votre espace électeur :",
            ],
            links={3: f"{portal_url}{SIGN_IN_PAGE}"},
        )
    if kind is Email.CONFIRMATION:
        return Letter(
            subject="Élections professionnelles : confirmez votre adresse pour créer votre espace électeur",
            paragraphs=[
                hello,
                "Vous avez demandé à créer votre espace électeur. Pour confirmer votre adresse "
                "et choisir votre mot de passe électeur, ouvrez ce lien :",
                f"Ce lien est valable 24 heures, jusqu'au {_when(expires_at)} (heure de Paris). "
                "S'il a expiré, demandez-en simplement un nouveau :",
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne "
                "sera créé sans vous.",
            ],
            links={1: f"{portal_url}{PASSWORD_PAGE}#jeton={secret}", 2: f"{portal_url}{REGISTRATION_PAGE}"},
        )
    if kind is Email.RESET:
        return Letter(
            subject="Élections professionnelles : choisissez un nouveau mot de passe électeur",
            paragraphs=[
                hello,
                "Vous avez demandé à changer le mot de passe de votre espace électeur. Pour en "
                "choisir un nouveau, ouvrez ce lien :",
                f"Ce lien est valable 1 heure, jusqu'au {_when(expires_at)} (heure de Paris). "
                "S'il a expiré, demandez-en simplement un nouveau :",
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot "
                "de passe actuel reste valable.",
            ],
            links={1: f"{portal_url}{PASSWORD_PAGE}#jeton={secret}", 2: f"{portal_url}{FORGOTTEN_PASSWORD_PAGE}"},
        )
    if kind is Email.ALREADY_ACTIVE:
        return Letter(
            subject="Élections professionnelles : votre espace électeur existe déjà",
            paragraphs=[
                hello,
                "Vous avez demandé à créer votre espace électeur, mais il existe déjà pour "
                "cette adresse. Pour vous connecter :",
                "Si vous avez oublié votre mot de passe électeur, vous pouvez en choisir un "
                "nouveau :",
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien n'a "
                "changé.",
            ],
            links={1: f"{portal_url}{SIGN_IN_PAGE}", 2: f"{portal_url}{FORGOTTEN_PASSWORD_PAGE}"},
        )
    if kind is Email.PASSWORD_CHANGED:
        return Letter(
            subject="Élections professionnelles : votre mot de passe électeur a été changé",
            paragraphs=[
                hello,
                f"Le mot de passe de votre espace électeur a été changé le {_when(now)} (heure "
                "de Paris), et toutes vos connexions en cours ont été fermées.",
                "Si vous n'êtes pas à l'origine de ce changement, choisissez tout de suite un "
                "nouveau mot de passe, puis prévenez l'assistance de votre académie :",
            ],
            links={2: f"{portal_url}{FORGOTTEN_PASSWORD_PAGE}"},
        )
    raise ValueError(f"no letter for {kind}")


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
    parts = ['<!doctype html><html lang="fr"><head><meta charset="utf-8"></head>',
             '<body style="font-family: Marianne, Arial, sans-serif; line-height: 1.5">']
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
