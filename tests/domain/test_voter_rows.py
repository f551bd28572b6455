from chalicelib.domain.voter_rows import COLUMNS, parse_row

KNOWN = {"CSA-MEN", "CSA-ACA", "CAPN-PE"}


def fields(**changes):
    row = {
        "voter_id": "P00000001",
        "last_name": "Martin",
        "first_name": "Camille",
        "email": "Camille.Martin@AC-Poitiers.fr",
        "academy": "Académie de Poitiers",
        "department": "Vienne",
        "workplace": "École élémentaire Jules Ferry, Poitiers",
        "code_delivery": "Remise en main propre contre signature — École élémentaire Jules Ferry, Poitiers",
        "ballots": "CSA-MEN| CSA-ACA |CAPN-PE",
    }
    row.update(changes)
    return row


def codes(**changes):
    row, problems = parse_row(fields(**changes), KNOWN)
    assert row is None
    return [p.code for p in problems]


def test_a_valid_row():
    row, problems = parse_row(fields(), KNOWN)
    assert problems == []
    assert row.email == "camille.martin@ac-poitiers.fr"
    assert row.ballot_ids == ("CAPN-PE", "CSA-ACA", "CSA-MEN")
    assert row.sort_key == "MARTIN#CAMILLE#P00000001"


def test_fingerprint_ignores_ballot_order_and_email_case_but_not_data():
    a, _ = parse_row(fields(), KNOWN)
    b, _ = parse_row(fields(ballots="CAPN-PE|CSA-MEN|CSA-ACA", email="camille.martin@ac-poitiers.fr"), KNOWN)
    c, _ = parse_row(fields(workplace="Collège Jean Moulin, Loudun"), KNOWN)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_every_column_is_required():
    for column in COLUMNS:
        assert "missing_field" in codes(**{column: "  "}), column


def test_malformed_email():
    assert codes(email="camille.martin@") == ["invalid_email"]


def test_unknown_ballot():
    row, problems = parse_row(fields(ballots="CSA-MEN|CSA-XYZ"), KNOWN)
    assert [p.code for p in problems] == ["unknown_ballot"]
    assert "CSA-XYZ" in problems[0].message


def test_invalid_voter_id_and_overlong_fields():
    assert codes(voter_id="P 1") == ["invalid_voter_id"]
    assert codes(workplace="x" * 201) == ["field_too_long"]


def test_several_problems_are_all_reported():
    assert sorted(codes(email="nope", ballots="ZZZ", first_name="")) == [
        "invalid_email",
        "missing_field",
        "unknown_ballot",
    ]
