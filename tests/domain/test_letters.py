from datetime import UTC, datetime, timedelta

from chalicelib.domain.email_templates import LETTERS, letter
from chalicelib.domain.mail_policy import Email

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def test_every_email_has_one_letter_that_greets_and_links_to_the_portal_only():
    assert set(LETTERS) == set(Email)
    for kind in Email:
        content = letter(
            kind,
            portal_url="https://portail.test",
            first_name="Camille",
            now=NOW,
            secret="S" * 43,
            expires_at=NOW + timedelta(hours=1),
            reference="REF-1",
            answer="Réponse",
        )
        assert content.subject.startswith("Élections professionnelles : ")
        assert content.paragraphs[0] == "Bonjour Camille,"
        assert all(url.startswith("https://portail.test/") for url in content.links.values())
        assert all(index < len(content.paragraphs) for index in content.links)
