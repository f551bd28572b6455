"""Every French sentence the API returns, by stable code (errors, and the two acknowledgements).

Proof-readers: this file, the email templates and the static pages hold all the text that
voters read. Placeholders in braces are filled from the error's details.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # Answers that are not errors.
    "request_accepted": (
        "Si cette adresse figure sur une liste électorale, vous allez recevoir un courriel dans "
        "quelques minutes. Pensez à regarder dans vos courriers indésirables. Rien reçu au bout "
        "d'une heure ? Vérifiez l'adresse saisie, puis refaites la demande."
    ),
    "public_claim_accepted": (
        "Votre signalement est enregistré sous la référence {reference} : notez-la. Le service des "
        "élections vous répondra à l'adresse indiquée ; si elle figure sur une liste électorale, un "
        "accusé de réception y est aussi envoyé."
    ),
    "invalid_json": (
        "La requête n'a pas pu être lue. Rechargez la page et réessayez ; si le problème "
        "persiste, contactez l'assistance."
    ),
    "invalid_request": ("Le champ « {field} » est manquant ou mal rempli. Vérifiez le formulaire et réessayez."),
    "method_not_allowed": "Cette action n'est pas possible à cette adresse.",
    "origin_not_verified": (
        "Cette adresse ne donne pas accès au portail. Ouvrez le portail à son adresse habituelle, "
        "par exemple avec le lien reçu par courriel."
    ),
    "unsupported_media_type": "La requête doit être envoyée au format JSON.",
    "cross_site_request": (
        "Cette action doit être faite depuis les pages du portail. Ouvrez le portail à son adresse "
        "habituelle, puis réessayez."
    ),
    "invalid_email": (
        "Cette adresse électronique n'est pas valide. Saisissez votre adresse professionnelle "
        "complète, par exemple prenom.nom@ac-poitiers.fr."
    ),
    "password_policy": (
        "Ce mot de passe ne respecte pas toutes les règles. Vérifiez les points signalés ci-dessous et réessayez."
    ),
    "token_invalid": (
        "Ce lien n'est pas valide. Vérifiez que vous avez copié le lien en entier, ou demandez-en un nouveau."
    ),
    "token_expired": ("Ce lien a expiré. Recevez-en un nouveau à la même adresse : il arrivera dans quelques minutes."),
    "link_renewed": (
        "Un nouveau lien part vers {masked_email}. Il arrive en général en quelques minutes ; "
        "pensez à regarder dans vos courriers indésirables."
    ),
    "password_missing": (
        "Saisissez votre mot de passe électeur. Première visite, ou mot de passe oublié ? "
        "Recevez un lien à votre adresse avec le bouton « Recevoir un lien à cette adresse »."
    ),
    "token_used": (
        "Ce lien a déjà servi, ou un lien plus récent a été utilisé. Si votre mot de passe "
        "est créé, connectez-vous ; sinon, demandez un nouveau lien."
    ),
    "invalid_credentials": (
        "Adresse électronique ou mot de passe incorrect, ou espace électeur pas encore "
        "activé. Vérifiez votre saisie ; si vous avez oublié votre mot de passe, vous pouvez "
        "en choisir un nouveau."
    ),
    "not_authenticated": "Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer.",
    "too_many_attempts": (
        "Trop de tentatives de connexion. Patientez {retry_after} secondes avant de "
        "réessayer, ou choisissez un nouveau mot de passe si vous l'avez oublié."
    ),
    "service_busy": (
        "Le service est momentanément très sollicité et votre demande n'a pas pu être "
        "enregistrée. Rien n'a été modifié : réessayez dans {seconds} secondes."
    ),
    "ballot_not_found": "Ce scrutin n'existe pas. Revenez à la liste de vos scrutins.",
    "election_not_found": (
        "Aucun fichier public à cette adresse : l'élection n'existe pas ou n'est pas encore "
        "scellée, ou ce fichier ne fait pas partie de ceux qu'elle publie."
    ),
    "record_not_published": (
        "Le registre public de cette élection n'est pas encore publié : il l'est après le "
        "dépouillement, avec les résultats. Revenez à ce moment-là."
    ),
    "record_file_not_found": "Ce fichier ne fait pas partie du registre public de cette élection.",
    "not_on_list": (
        "Vous n'êtes pas inscrit sur la liste électorale de ce scrutin : vous ne pouvez ni la "
        "consulter ni la contester. Si vous pensez devoir y figurer, signalez-le."
    ),
    "lists_not_published": "La liste électorale de ce scrutin n'est pas encore publiée.",
    "claims_closed": (
        "Les réclamations sur cette liste électorale ne sont pas ouvertes : elles sont "
        "possibles de la publication des listes jusqu'à la date limite indiquée pour le scrutin."
    ),
    "invalid_cursor": "Cette page de la liste n'est plus valide. Revenez au début de la liste.",
    "invalid_message": (
        "Votre message doit compter entre {minimum} et {maximum} caractères. Décrivez "
        "l'erreur constatée (personne manquante, nom ou lieu de travail inexact…)."
    ),
    "wrong_current_password": "Le mot de passe actuel est incorrect.",
    "invalid_voter_code": "Ce code électeur n'est pas le vôtre. Vérifiez-le sur votre notice de vote : 12 "
    "caractères, chiffres et lettres, sans I, L, O ni U (les tirets et les majuscules n'ont pas d'importance).",
    "voter_code_required": (
        "Saisissez d'abord votre code électeur (il figure sur votre notice de vote) : il est "
        "demandé une fois par connexion, avant de voter."
    ),
    "wrong_birth_date": (
        "Cette date de naissance n'est pas celle qu'indique la liste électorale. Saisissez-la sous la "
        "forme JJ/MM/AAAA (par exemple 14/07/1978) ; si vous pensez qu'elle est juste, contactez "
        "l'assistance, qui peut vous remettre une nouvelle notice."
    ),
    "reissue_unavailable": (
        "Votre liste électorale ne permet pas de vous redonner un code électeur en ligne. Contactez "
        "l'assistance ou votre service de gestion : une nouvelle notice vous sera remise."
    ),
    "reissue_closed": (
        "Un nouveau code électeur peut être demandé pendant le vote seulement, de l'ouverture du "
        "scrutin à sa clôture (heure de Paris)."
    ),
    "voting_closed": (
        "Le vote n'est pas ouvert pour ce scrutin en ce moment : il se tient aux dates "
        "indiquées dans votre espace (heure de Paris)."
    ),
    "already_voted": (
        "Votre vote à ce scrutin est déjà enregistré. Il est définitif : il ne peut être ni modifié ni annulé."
    ),
    "invalid_ballot": (
        "Votre bulletin n'a pas pu être vérifié et n'a pas été enregistré : vous n'avez pas "
        "encore voté. Rechargez la page et recommencez ; si cela se reproduit, contactez "
        "l'assistance."
    ),
    "election_not_sealed": (
        "Le bureau de vote n'a pas encore scellé cette élection : le vote n'est pas ouvert. Réessayez plus tard."
    ),
    "invalid_fields": (
        "Le formulaire n'a pas été envoyé : corrigez les champs signalés ci-dessous, puis envoyez-le à nouveau."
    ),
    "field_required": "Ce champ est obligatoire.",
    "field_too_long": "Ce champ ne doit pas dépasser {maximum} caractères.",
    "too_many_requests": (
        "Vous avez fait beaucoup de demandes en peu de temps. Patientez {retry_after} secondes avant de réessayer."
    ),
    # Answered by API Gateway itself (see infra/aws/deploy.py), before our code runs.
    "not_found": "Cette adresse n'existe pas sur le portail. Revenez à l'accueil.",
    "throttled": (
        "Le portail reçoit en ce moment beaucoup de demandes. Réessayez dans quelques secondes : rien n'a été perdu."
    ),
    "bad_request": "La requête n'a pas pu être traitée. Rechargez la page et réessayez.",
    "service_unavailable": (
        "Le portail rencontre une difficulté passagère. Vos données n'ont pas été modifiées : "
        "réessayez dans une minute."
    ),
    "internal_error": (
        "Une erreur inattendue s'est produite de notre côté. Vos données n'ont pas été "
        "modifiées. Réessayez dans quelques instants ; si le problème persiste, contactez "
        "l'assistance en indiquant la référence {request_id}."
    ),
}


def for_code(code: str, **details) -> str:
    template = MESSAGES[code]
    return template.format(**details) if details else template
