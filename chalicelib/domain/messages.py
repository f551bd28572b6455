"""Every French sentence the API returns, by stable error code.

Proof-readers: this file, the email templates and the static pages hold all the text that
voters read. Placeholders in braces are filled from the error's details.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "invalid_json": (
        "La requête n'a pas pu être lue. Rechargez la page et réessayez ; si le problème "
        "persiste, contactez l'assistance."
    ),
    "invalid_request": (
        "Le champ « {field} » est manquant ou mal rempli. Vérifiez le formulaire et "
        "réessayez."
    ),
    "method_not_allowed": "Cette action n'est pas possible à cette adresse.",
    "unsupported_media_type": "La requête doit être envoyée au format JSON.",
    "internal_error": (
        "Une erreur inattendue s'est produite de notre côté. Vos données n'ont pas été "
        "modifiées. Réessayez dans quelques instants ; si le problème persiste, contactez "
        "l'assistance en indiquant la référence {request_id}."
    ),
}

EXPECTED_TYPES = {"text": "texte", "object": "objet"}


def for_code(code: str, **details) -> str:
    template = MESSAGES[code]
    return template.format(**details) if details else template
