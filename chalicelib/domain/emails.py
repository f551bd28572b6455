"""Email addresses: how we normalise them and what we accept as well formed.

Addresses are compared case-insensitively everywhere (import, registration, sign-in), so
they are stored and looked up in one normal form: trimmed and lower-cased.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254

# Deliberately plain: one @, a local part without spaces, a domain of dot-separated labels
# ending in letters. Professional addresses (prenom.nom@ac-poitiers.fr) all fit; exotic
# RFC 5322 forms (quoted local parts, IP literals) are not used by the ministry.
_ADDRESS = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def is_well_formed(normalised: str) -> bool:
    return len(normalised) <= MAX_LENGTH and _ADDRESS.match(normalised) is not None
