"""Where a voter reads their professional mail: the académies' webmail and help pages.

In 2018 voters were lost between the portal and a professional mailbox they had never
opened (the seed tutorial spends half its length on Poitiers' webmail). After asking for a
link, the page shows the webmail and the help of the address's académie, and says plainly
when an address does not look professional (the lists hold professional addresses, so a
personal one will most likely receive nothing), without refusing it.

The addresses follow the académies' common pattern (`webmail.ac-<name>.fr`, help on the
académie's site); each rectorat confirms its own line before the portal opens.
"""

from __future__ import annotations

from typing import NamedTuple


class Academy(NamedTuple):
    name: str
    domain: str
    webmail: str
    help: str


def _academy(name: str, slug: str, tld: str = "fr") -> Academy:
    domain = f"ac-{slug}.{tld}"
    return Academy(name, domain, f"https://webmail.{domain}/", f"https://www.{domain}/")


ACADEMIES: tuple[Academy, ...] = (
    _academy("Aix-Marseille", "aix-marseille"),
    _academy("Amiens", "amiens"),
    _academy("Besançon", "besancon"),
    _academy("Bordeaux", "bordeaux"),
    _academy("Clermont-Ferrand", "clermont"),
    _academy("Corse", "corse"),
    _academy("Créteil", "creteil"),
    _academy("Dijon", "dijon"),
    _academy("Grenoble", "grenoble"),
    _academy("Guadeloupe", "guadeloupe"),
    _academy("Guyane", "guyane"),
    _academy("La Réunion", "reunion"),
    _academy("Lille", "lille"),
    _academy("Limoges", "limoges"),
    _academy("Lyon", "lyon"),
    _academy("Martinique", "martinique"),
    _academy("Mayotte", "mayotte"),
    _academy("Montpellier", "montpellier"),
    _academy("Nancy-Metz", "nancy-metz"),
    _academy("Nantes", "nantes"),
    _academy("Nice", "nice"),
    _academy("Normandie", "normandie"),
    _academy("Orléans-Tours", "orleans-tours"),
    _academy("Paris", "paris"),
    _academy("Poitiers", "poitiers"),
    _academy("Reims", "reims"),
    _academy("Rennes", "rennes"),
    _academy("Strasbourg", "strasbourg"),
    _academy("Toulouse", "toulouse"),
    _academy("Versailles", "versailles"),
    _academy("Nouvelle-Calédonie", "noumea", "nc"),
    _academy("Polynésie française", "polynesie", "pf"),
    _academy("Wallis-et-Futuna", "wf", "wf"),
    _academy("Saint-Pierre-et-Miquelon", "spm"),
)
BY_DOMAIN = {academy.domain: academy for academy in ACADEMIES}

# Ministry addresses that are professional without being an académie's.
MINISTRY_DOMAINS = frozenset(
    {
        "education.gouv.fr",
        "enseignementsup-recherche.gouv.fr",
        "jeunesse-sports.gouv.fr",
        "sports.gouv.fr",
        "onisep.fr",
        "reseau-canope.fr",
        "cned.fr",
        "ih2ef.gouv.fr",
    }
)


class MailboxHelp(NamedTuple):
    professional: bool
    academy: Academy | None


def mailbox_help(email: str) -> MailboxHelp:
    """For a normalised address: does it look professional, and which académie's mailbox is it."""
    domain = email.rpartition("@")[2]
    academy = BY_DOMAIN.get(domain)
    professional = academy is not None or domain in MINISTRY_DOMAINS or domain.startswith("ac-")
    return MailboxHelp(professional, academy)
