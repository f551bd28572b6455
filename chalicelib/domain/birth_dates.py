"""The voter's birth date: the second factor a signed-in voter gives to be issued a new voter
code (réassort, docs/voting.md), when the electoral roll provides it (`birth_date` column).

The roll's date is never stored as such: the voters table keeps its HMAC-SHA256 under the
voter codes' pepper (the secret outside the database), as it keeps no code. A birth date has
few possible values (some 30,000 for working adults), so a plain hash would be reversed by
trying them all; keyed, a copy of the table tells nothing. The date is read in the forms a
person writes it (JJ/MM/AAAA, with / - . or spaces) or an HTML date field sends it
(AAAA-MM-JJ).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

FIRST_YEAR = 1900
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DOMAIN = b"EV1-2026 birth date\n"


def parse_birth_date(text: str | None) -> date | None:
    """The date written, or None when it is not a real date (31/02, 1850, a word...)."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    text = text.strip()
    if found := _ISO.match(text):
        year, month, day = (int(part) for part in found.groups())
    elif found := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in found.groups())
    else:
        return None
    try:
        written = date(year, month, day)
    except ValueError:
        return None
    return written if written.year >= FIRST_YEAR else None


def birth_date_check(born: date, key: bytes) -> str:
    """What the voters table keeps: HMAC-SHA256(key, domain ‖ ISO date), hex."""
    return hmac.new(key, DOMAIN + born.isoformat().encode("ascii"), hashlib.sha256).hexdigest()


def matches(typed: str | None, stored_check: str, key: bytes) -> bool:
    """The typed date is the roll's. The same work whether it parses or not."""
    born = parse_birth_date(typed)
    candidate = birth_date_check(born or date(FIRST_YEAR, 1, 1), key)
    return born is not None and hmac.compare_digest(candidate, stored_check)
