import pytest

from chalicelib.domain.emails import is_well_formed, normalise_email


def test_normalise_trims_and_lowercases():
    assert normalise_email("  Prenom.NOM@AC-Poitiers.fr ") == "prenom.nom@ac-poitiers.fr"


@pytest.mark.parametrize(
    "address",
    [
        "prenom.nom@ac-poitiers.fr",
        "jean-pierre.le-gall2@ac-rennes.fr",
        "a+b@education.gouv.fr",
        "x_y@sub.domain.example.org",
    ],
)
def test_professional_addresses_are_well_formed(address):
    assert is_well_formed(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "prenom.nom",
        "prenom.nom@",
        "@ac-poitiers.fr",
        "prenom nom@ac-poitiers.fr",
        "prenom..nom@ac-poitiers.fr",
        "prenom.nom@ac-poitiers",
        "prenom.nom@@ac-poitiers.fr",
        "prénom.nom@ac-poitiers.fr",
        "a@" + "b" * 250 + ".fr",
        ".prenom@ac-poitiers.fr",
        "prenom.nom@-ac.fr",
    ],
)
def test_malformed_addresses_are_refused(address):
    assert not is_well_formed(address)
