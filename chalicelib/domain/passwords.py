"""The voter password policy: the ministry's rules, each with a code and a French label.

In the style of Django's password validation: small rules with one job each, all checked at
once so the voter sees every problem in one go. The password is normalised to Unicode NFC
before anything else, so an "é" typed as one code point on a phone and as "e" + accent on a
laptop are the same password; lengths count characters after NFC. Nothing is stripped or
truncated: a password with a trailing space has that space.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from chalicelib.domain.emails import normalise_email


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


class PasswordPolicy(NamedTuple):
    min_length: int = 8
    max_length: int = 24

    def rules(self) -> list[dict]:
        """The rules with their French labels, as the pages show them."""
        return [
            {"code": "too_short", "label": f"Au moins {self.min_length} caractères"},
            {"code": "too_long", "label": f"Au plus {self.max_length} caractères"},
            {"code": "missing_lowercase", "label": "Au moins une lettre minuscule"},
            {"code": "missing_uppercase", "label": "Au moins une lettre majuscule"},
            {"code": "missing_digit", "label": "Au moins un chiffre"},
            {"code": "same_as_email", "label": "Différent de votre adresse électronique professionnelle"},
            {"code": "confirmation_mismatch", "label": "Saisi deux fois à l'identique"},
        ]

    def violations(self, password: str, confirmation: str, email: str) -> list[str]:
        """Every rule the password breaks, in the order of `rules()`; empty when acceptable."""
        password = normalise_password(password)
        found = []
        if len(password) < self.min_length:
            found.append("too_short")
        if len(password) > self.max_length:
            found.append("too_long")
        # str.islower/isupper know accented letters: "é" is a lowercase letter, "É" uppercase.
        if not any(c.islower() for c in password):
            found.append("missing_lowercase")
        if not any(c.isupper() for c in password):
            found.append("missing_uppercase")
        if not any(c.isdigit() for c in password):
            found.append("missing_digit")
        if normalise_email(password) == normalise_email(email):
            found.append("same_as_email")
        if password != normalise_password(confirmation):
            found.append("confirmation_mismatch")
        return found


RULE_LABELS = {rule["code"]: rule["label"] for rule in PasswordPolicy().rules()}
