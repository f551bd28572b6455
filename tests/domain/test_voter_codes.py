"""Voter codes: 60 bits, easy to type back, stored only as a keyed hash."""

from __future__ import annotations

import random

import pytest

from chalicelib.domain.voter_codes import ALPHABET, code_hash, matches, new_code, normalised, shown

PEPPER = b"p" * 32


def test_a_code_is_twelve_crockford_characters_shown_in_three_groups():
    code = new_code(random.Random(1).getrandbits)
    assert len(code) == 12 and set(code) <= set(ALPHABET)
    assert not set(code) & set("ILOU")
    assert shown(code) == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert new_code(lambda bits: 0) == "000000000000" and new_code(lambda bits: 2**60 - 1) == "ZZZZZZZZZZZZ"


@pytest.mark.parametrize(
    "typed",
    ["7K3M-9QRT-2WXA", "7k3m9qrt2wxa", " 7K3M 9QRT 2WXA ", "7K3M–9QRT–2WXA", "7k3m-9qrt-2wxa\n"],
)
def test_it_is_read_in_any_case_with_or_without_separators(typed):
    assert normalised(typed) == "7K3M9QRT2WXA"


def test_look_alikes_are_read_as_meant():
    assert normalised("I0L0-oOIl-1234") == "101000111234"


@pytest.mark.parametrize(
    "typed", ["", "7K3M-9QRT-2WX", "7K3M-9QRT-2WXAB", "7K3U-9QRT-2WXA", "7K3é-9QRT-2WXA", None, "x" * 65]
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalised(typed) is None


def test_only_a_keyed_hash_is_kept_and_it_matches_what_the_voter_types():
    stored = code_hash("7K3M9QRT2WXA", PEPPER)
    assert "7K3M" not in stored and stored != code_hash("7K3M9QRT2WXA", b"q" * 32)
    assert matches("7k3m 9qrt 2wxa", stored, PEPPER)
    assert not matches("7K3M-9QRT-2WXB", stored, PEPPER)
    assert not matches("n'importe quoi", stored, PEPPER)
