"""A realistic, entirely fictional election for one académie, to try the portal.

Deterministic: the same `voters` count gives the same files, and a larger count starts with
the same voters as a smaller one, so re-running the demo against a stack that already holds
it changes little. Dates are relative to `now`, so that some ballot is in each phase today.
"""

from __future__ import annotations

import csv
import json
import random
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

from chalicelib.domain.phases import PARIS
from chalicelib.domain.voter_rows import BALLOT_SEPARATOR, COLUMNS, OPTIONAL_COLUMNS

ACADEMY = "Académie de Poitiers"
DOMAIN = "ac-poitiers.fr"
DEPARTMENTS = {
    "16": ("Charente", ["Angoulême", "Cognac", "Confolens"]),
    "17": ("Charente-Maritime", ["La Rochelle", "Saintes", "Rochefort", "Royan"]),
    "79": ("Deux-Sèvres", ["Niort", "Bressuire", "Parthenay"]),
    "86": ("Vienne", ["Poitiers", "Châtellerault", "Loudun"]),
}
PATRONS = [
    "Jean Macé",
    "Jules Ferry",
    "Marie Curie",
    "George Sand",
    "Jean Moulin",
    "Camille Claudel",
    "Louise Michel",
    "Aliénor d'Aquitaine",
    "René Descartes",
    "Simone Veil",
    "Paul Langevin",
    "Émile Zola",
    "Gisèle Halimi",
    "Joséphine Baker",
    "Victor Schœlcher",
]
FIRST_NAMES = [
    "Camille",
    "Hugo",
    "Léa",
    "Jérôme",
    "Nadia",
    "Hélène",
    "Éric",
    "Loïc",
    "Gaëlle",
    "Françoise",
    "Nathalie",
    "Sébastien",
    "Isabelle",
    "Thomas",
    "Sophie",
    "Nicolas",
    "Céline",
    "Julien",
    "Aurélie",
    "Mathieu",
    "Émilie",
    "Olivier",
    "Sandrine",
    "Karim",
    "Fatima",
    "Yann",
    "Maëlle",
    "Jean-Pierre",
    "Marie-Christine",
    "Anne-Sophie",
    "Benoît",
    "Chloé",
    "Damien",
    "Élodie",
    "François",
    "Géraldine",
    "Inès",
    "Joël",
    "Laëtitia",
    "Mehdi",
    "Noémie",
    "Pascal",
    "Rachida",
    "Stéphane",
    "Valérie",
    "Xavier",
    "Zoé",
    "Amadou",
    "Thi Mai",
    "Agnès",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Rivière",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Gall",
    "Lemaître",
    "D'Almeida",
    "N'Diaye",
    "Bénard",
    "Nguyen",
    "Benali",
    "Müller",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Morin",
    "Clément",
    "Guérin",
    "Boyer",
    "Faure",
    "Blanc",
    "Brunet",
    "Da Silva",
    "Rousseau",
    "Le Bihan",
    "Hoarau",
    "Ménard",
    "Texier",
    "Boutin",
    "Guillot",
    "Pacaud",
    "Sauvaget",
]
HAND = "Remise en main propre contre signature — {workplace}"
POST = "Envoi postal au domicile"

UNIONS = [
    ("FSU", "Fédération syndicale unitaire"),
    ("UNSA", "UNSA Éducation"),
    ("FO", "Force ouvrière"),
    ("SGEN-CFDT", "SGEN-CFDT"),
    ("SNALC", "Syndicat national des lycées, collèges, écoles et du supérieur"),
    ("CGT", "CGT Éduc'action"),
    ("SUD", "SUD Éducation"),
]

# Days from today for each date of a ballot, so that it is in the named phase now.
SCHEDULES = {
    "upcoming": (5, 13, 25, 49, 56),
    "lists_published": (-2, 6, 18, 42, 49),
    "claims_closed": (-10, -2, 10, 34, 41),
    "candidates_published": (-25, -17, -5, 19, 26),
    "voting_open": (-40, -32, -20, -2, 5),
    "closed": (-60, -52, -40, -16, -9),
}

# (id, label, kind, level, perimeter, phase today, number of candidate lists)
BALLOTS = [
    (
        "CSA-MEN",
        "Comité social d'administration ministériel de l'éducation nationale",
        "CSA",
        "national",
        "Ministère de l'éducation nationale",
        "voting_open",
        7,
    ),
    (
        "CSA-ACA-POITIERS",
        "Comité social d'administration académique de Poitiers",
        "CSA",
        "academique",
        ACADEMY,
        "voting_open",
        6,
    ),
    (
        "CSA-SD-16",
        "Comité social d'administration spécial départemental de la Charente",
        "CSA",
        "departemental",
        "Charente",
        "candidates_published",
        5,
    ),
    (
        "CSA-SD-17",
        "Comité social d'administration spécial départemental de la Charente-Maritime",
        "CSA",
        "departemental",
        "Charente-Maritime",
        "candidates_published",
        5,
    ),
    (
        "CSA-SD-79",
        "Comité social d'administration spécial départemental des Deux-Sèvres",
        "CSA",
        "departemental",
        "Deux-Sèvres",
        "claims_closed",
        4,
    ),
    (
        "CSA-SD-86",
        "Comité social d'administration spécial départemental de la Vienne",
        "CSA",
        "departemental",
        "Vienne",
        "lists_published",
        4,
    ),
    (
        "CAPN-PE",
        "Commission administrative paritaire nationale des professeurs des écoles",
        "CAP",
        "national",
        "Ministère de l'éducation nationale",
        "closed",
        6,
    ),
    (
        "CAPN-CERTIFIES",
        "Commission administrative paritaire nationale des professeurs certifiés",
        "CAP",
        "national",
        "Ministère de l'éducation nationale",
        "upcoming",
        0,
    ),
    (
        "CCP-ACA-ENS",
        "Commission consultative paritaire académique des enseignants contractuels",
        "CCP",
        "academique",
        ACADEMY,
        "lists_published",
        3,
    ),
    (
        "CAPA-ADM",
        "Commission administrative paritaire académique des adjoints administratifs",
        "CAP",
        "academique",
        ACADEMY,
        "claims_closed",
        3,
    ),
]

# Who the voters are, how common, and which ballots their body elects.
PROFILES = [
    (
        "professeur des écoles",
        40,
        ["École élémentaire", "École maternelle"],
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-{dep}", "CAPN-PE"],
    ),
    (
        "professeur certifié",
        35,
        ["Collège", "Lycée", "Lycée professionnel"],
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-{dep}", "CAPN-CERTIFIES"],
    ),
    (
        "enseignant contractuel",
        10,
        ["Collège", "Lycée professionnel"],
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-{dep}", "CCP-ACA-ENS"],
    ),
    ("adjoint administratif", 13, ["Rectorat", "Services départementaux"], ["CSA-MEN", "CSA-ACA-POITIERS", "CAPA-ADM"]),
    ("agent détaché", 2, ["Rectorat"], ["CSA-MEN"]),
]

# The voters the README introduces, each in a different situation.
PERSONAS = [
    (
        "Camille",
        "Martin",
        "86",
        "École élémentaire Jules Ferry, Poitiers",
        True,
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-86", "CAPN-PE"],
    ),
    ("Hugo", "Lefèvre", "86", "Rectorat de l'académie de Poitiers, Poitiers", False, ["CSA-MEN"]),
    (
        "Léa",
        "Nguyen",
        "17",
        "Lycée professionnel Louise Michel, La Rochelle",
        False,
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-17", "CCP-ACA-ENS"],
    ),
    (
        "Jérôme",
        "Rivière",
        "79",
        "Lycée Jean Macé, Niort",
        True,
        ["CSA-MEN", "CSA-ACA-POITIERS", "CSA-SD-79", "CAPN-CERTIFIES"],
    ),
    (
        "Nadia",
        "Benali",
        "86",
        "Rectorat de l'académie de Poitiers, Poitiers",
        True,
        ["CSA-MEN", "CSA-ACA-POITIERS", "CAPA-ADM"],
    ),
]


def _at(day: datetime, days: int, hour: int) -> str:
    local = datetime.combine((day + timedelta(days=days)).date(), time(hour), tzinfo=PARIS)
    return local.isoformat()


def demo_ballots(now: datetime) -> list[dict]:
    today = now.astimezone(PARIS)
    ballots = []
    for ballot_id, label, kind, level, perimeter, phase, list_count in BALLOTS:
        offsets = SCHEDULES[phase]
        hours = (10, 17, 10, 10, 17)
        dates = dict(
            zip(
                (
                    "lists_published_at",
                    "claims_close_at",
                    "candidates_published_at",
                    "voting_opens_at",
                    "voting_closes_at",
                ),
                (_at(today, d, h) for d, h in zip(offsets, hours, strict=True)),
                strict=True,
            )
        )
        ballots.append(
            {
                "id": ballot_id,
                "label": label,
                "kind": kind,
                "level": level,
                "perimeter": perimeter,
                **dates,
                "candidate_lists": [
                    {
                        "id": f"{ballot_id}-{acronym}",
                        "name": name,
                        "acronym": acronym,
                        "statement_url": f"https://professions-de-foi.example.org/{ballot_id.lower()}/{acronym.lower()}.pdf",
                    }
                    for acronym, name in UNIONS[:list_count]
                ],
            }
        )
    return ballots


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("œ", "oe")).encode("ascii", "ignore").decode()
    return "-".join(folded.lower().replace("'", "").split())


class _Voters:
    def __init__(self):
        self.random = random.Random(2026)
        self.used_emails: dict[str, int] = {}
        self.workplaces = self._workplaces()

    def _workplaces(self) -> dict[tuple[str, str], list[str]]:
        places: dict[tuple[str, str], list[str]] = {}
        rng = random.Random(79)
        for dep, (dep_name, cities) in DEPARTMENTS.items():
            for kind in ["École élémentaire", "École maternelle", "Collège", "Lycée", "Lycée professionnel"]:
                places[(dep, kind)] = [f"{kind} {rng.choice(PATRONS)}, {city}" for city in cities]
            places[(dep, "Rectorat")] = ["Rectorat de l'académie de Poitiers, Poitiers"]
            places[(dep, "Services départementaux")] = [
                f"Services départementaux de l'éducation nationale — {dep_name}, {cities[0]}"
            ]
        return places

    def email(self, first: str, last: str) -> str:
        base = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
        count = self.used_emails.get(base, 0) + 1
        self.used_emails[base] = count
        return f"{base}{'' if count == 1 else count}@{DOMAIN}"

    def rows(self, count: int):
        for number in range(1, count + 1):
            if number <= len(PERSONAS):
                first, last, dep, workplace, hand, ballots = PERSONAS[number - 1]
            else:
                first = self.random.choice(FIRST_NAMES)
                last = self.random.choice(LAST_NAMES)
                dep = self.random.choice(list(DEPARTMENTS))
                _, _, kinds, ballot_patterns = self.random.choices(PROFILES, weights=[p[1] for p in PROFILES])[0]
                workplace = self.random.choice(self.workplaces[(dep, self.random.choice(kinds))])
                hand = self.random.random() < 0.85
                ballots = [b.format(dep=dep) for b in ballot_patterns]
            yield {
                "voter_id": f"P{number:08d}",
                "last_name": last,
                "first_name": first,
                "email": self.email(first, last),
                "academy": ACADEMY,
                "department": DEPARTMENTS[dep][0],
                "workplace": workplace,
                "code_delivery": HAND.format(workplace=workplace) if hand else POST,
                "ballots": BALLOT_SEPARATOR.join(ballots),
                "birth_date": demo_birth_date(number),
            }


def demo_birth_date(number: int) -> str:
    """A demo voter's birth date (JJ/MM/AAAA), from their number alone, so that a demo or a test
    can give it; every tenth voter has none, as a roll may have gaps (no self-service re-issue)."""
    if number % 10 == 0:
        return ""
    draw = random.Random(f"demo birth date {number}")
    return (date(1962, 1, 1) + timedelta(days=draw.randrange(38 * 365))).strftime("%d/%m/%Y")


def write_demo_files(directory: str | Path, *, voters: int, now: datetime) -> tuple[Path, Path]:
    """Write `ballots.json` and `voters.csv` (streamed, so a million rows cost no memory)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ballots_path = directory / "ballots.json"
    ballots_path.write_text(json.dumps(demo_ballots(now), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    voters_path = directory / "voters.csv"
    with open(voters_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS + OPTIONAL_COLUMNS, delimiter=";")
        writer.writeheader()
        for row in _Voters().rows(voters):
            writer.writerow(row)
    return ballots_path, voters_path
