"""Names as the electoral list sorts and searches them.

The list is sorted by last name then first name, ignoring case and accents, and searched by
a prefix typed by a voter ("le gall", "Lé", "d'Al"). Both use the same folded form: accents
removed, ligatures expanded, upper case, letters and digits only. "Le Gall" and "LEGALL"
fold to the same key, which is what a person searching expects.
"""

from __future__ import annotations

import unicodedata

_EXPANSIONS = str.maketrans(
    {"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d"}
)

# Sorts before every letter and digit, so "DUPONT" comes before "DUPONTEL".
SEPARATOR = "#"


def fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_EXPANSIONS))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).upper()


def list_sort_key(last_name: str, first_name: str, voter_id: str) -> str:
    """The electoral-list sort key; the voter id keeps namesakes apart."""
    return SEPARATOR.join((fold(last_name), fold(first_name), voter_id))
