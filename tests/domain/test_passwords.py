import unicodedata

import pytest

from chalicelib.domain.passwords import PasswordPolicy

POLICY = PasswordPolicy()
EMAIL = "camille.martin@ac-poitiers.fr"


def violations(password, confirmation=None, email=EMAIL):
    return POLICY.violations(password, password if confirmation is None else confirmation, email)


def test_a_good_password_passes():
    assert violations("Bonjour2026") == []


@pytest.mark.parametrize(
    "password,code",
    [
        ("Abc1234", "too_short"),
        ("Abcdefgh12345678901234567", "too_long"),
        ("ABCDEFG1", "missing_lowercase"),
        ("abcdefg1", "missing_uppercase"),
        ("Abcdefgh", "missing_digit"),
    ],
)
def test_each_rule_has_its_code(password, code):
    assert violations(password) == [code]


def test_length_limits_are_inclusive():
    assert violations("Abcdef12") == []  # 8
    assert violations("Abcdefgh1234567890123456") == []  # 24


def test_same_as_email_ignores_case_and_surrounding_spaces():
    assert "same_as_email" in violations("Camille.Martin@AC-Poitiers.fr")
    assert "same_as_email" in violations("  CAMILLE.martin@ac-poitiers.fr ", email="camille.martin@ac-poitiers.fr")


def test_confirmation_must_match():
    assert violations("Bonjour2026", "Bonjour2027") == ["confirmation_mismatch"]


def test_every_failing_rule_is_listed_at_once():
    assert violations("abc", "xyz") == ["too_short", "missing_uppercase", "missing_digit", "confirmation_mismatch"]


def test_nfc_normalisation_makes_composed_and_decomposed_accents_equal():
    composed = "Été2026ab"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed and len(decomposed) == len(composed) + 2
    assert violations(composed, decomposed) == []


def test_length_counts_characters_after_nfc():
    # 24 characters once composed, 28 code points as typed decomposed: accepted.
    password = "Éléphant" + "é" * 12 + "A1bc"
    assert len(password) == 24
    assert violations(unicodedata.normalize("NFD", password)) == []


def test_accented_letters_count_as_letters_of_their_case():
    assert violations("ÉTÉ12345é") == []
    assert violations("ÉTÉ12345") == ["missing_lowercase"]
    assert violations("été12345") == ["missing_uppercase"]


def test_nothing_is_stripped_or_truncated():
    assert violations(" Bonjour2026 ", "Bonjour2026") == ["confirmation_mismatch"]
    assert violations("Abcdefgh12345678901234567") == ["too_long"]


def test_rules_have_french_labels_and_follow_the_configuration():
    rules = PasswordPolicy(min_length=10, max_length=30).rules()
    assert [r["code"] for r in rules] == [
        "too_short",
        "too_long",
        "missing_lowercase",
        "missing_uppercase",
        "missing_digit",
        "same_as_email",
        "confirmation_mismatch",
    ]
    assert rules[0]["label"] == "Au moins 10 caractères" and rules[1]["label"] == "Au plus 30 caractères"
