"""The birth date, second factor of the self-service re-issue: read as people write it, kept
only as a keyed hash, and a roll with the optional column gives each voter that hash."""

from datetime import date

import pytest

from chalicelib.domain.birth_dates import birth_date_check, matches, parse_birth_date
from chalicelib.domain.voter_rows import header_problem, parse_row
from tests.domain.test_voter_rows import KNOWN, fields

KEY = b"pepper-" + b"k" * 40


@pytest.mark.parametrize("text", ["14/07/1978", "14-07-1978", "14.07.1978", " 14 07 1978 ", "1978-07-14", "14/7/1978"])
def test_a_date_is_read_as_people_and_date_fields_write_it(text):
    assert parse_birth_date(text) == date(1978, 7, 14)


@pytest.mark.parametrize("text", ["31/02/1980", "1978-7-14", "07/14/1978", "14/07/1850", "demain", "", None, "1" * 40])
def test_what_is_not_a_real_birth_date_is_none(text):
    assert parse_birth_date(text) is None


def test_only_a_keyed_hash_is_kept_and_it_matches_the_same_day_however_written():
    stored = birth_date_check(date(1978, 7, 14), KEY)
    assert "1978" not in stored and len(stored) == 64
    assert matches("14/07/1978", stored, KEY) and matches("1978-07-14", stored, KEY)
    assert not matches("15/07/1978", stored, KEY)
    assert not matches("14/07/1978", stored, b"another key" * 4)  # useless without the key
    assert not matches("pas une date", stored, KEY)


def test_the_roll_may_give_birth_dates_and_each_row_then_keeps_its_keyed_hash():
    header = list(fields()) + ["birth_date"]
    assert header_problem(header) is None
    assert "colonnes inconnues : naissance" in header_problem(list(fields()) + ["naissance"])
    row, problems = parse_row(fields(birth_date="14/07/1978"), KNOWN, KEY)
    assert problems == [] and row.birth_date_check == birth_date_check(date(1978, 7, 14), KEY)
    empty, problems = parse_row(fields(birth_date=""), KNOWN, KEY)  # that voter: no self-service
    assert problems == [] and empty.birth_date_check is None
    # A roll without the column keeps the fingerprints it had; a date changes the fingerprint.
    without, _ = parse_row(fields(), KNOWN)
    assert without.fingerprint() == empty.fingerprint() != row.fingerprint()
    _, problems = parse_row(fields(birth_date="31/02/1978"), KNOWN, KEY)
    assert [p.code for p in problems] == ["invalid_birth_date"]
    assert "date de naissance « 31/02/1978 » invalide" in problems[0].message
