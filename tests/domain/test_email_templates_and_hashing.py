import email
import email.policy
from datetime import UTC, datetime, timedelta

from chalicelib.domain.email_templates import build_message, letter
from chalicelib.domain.mail_policy import Email
from chalicelib.domain.password_hashing import HashingParameters, PasswordHasher

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
SENDER = "Élections professionnelles <ne-pas-repondre@portail.test>"


def parsed(kind, **kwargs):
    content = letter(kind, portal_url="https://portail.test", first_name="Camille", now=NOW, **kwargs)
    raw = build_message(content, sender=SENDER, recipient="camille.martin@ac-poitiers.fr", now=NOW).as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message, text, html


def test_confirmation_email_carries_the_link_in_the_fragment_and_says_how_long_it_lasts():
    message, text, html = parsed(Email.CONFIRMATION, secret="S" * 43, expires_at=NOW + timedelta(hours=24))
    assert message["Subject"].startswith("Élections professionnelles")
    assert "https://portail.test/mot-de-passe#jeton=" + "S" * 43 in text
    assert "?" not in text.split("mot-de-passe")[1].split()[0]
    assert "valable 24 heures, jusqu'au 30/11/2026 à 10h00" in text
    assert "demandez-en simplement un nouveau" in text and "https://portail.test/inscription" in text
    assert 'href="https://portail.test/mot-de-passe#jeton=' in html
    assert "<img" not in html and message.get_content_type() == "multipart/alternative"


def test_reset_email_lasts_one_hour():
    _, text, _ = parsed(Email.RESET, secret="R" * 43, expires_at=NOW + timedelta(hours=1))
    assert "valable 1 heure" in text and "#jeton=" + "R" * 43 in text


def test_already_active_carries_a_working_reset_link():
    _, text, _ = parsed(Email.ALREADY_ACTIVE, secret="A" * 43, expires_at=NOW + timedelta(hours=1))
    assert "/connexion" in text and "/mot-de-passe#jeton=" + "A" * 43 in text and "valable 1 heure" in text


def test_the_password_changed_email_holds_no_secret():
    _, text, _ = parsed(Email.PASSWORD_CHANGED)
    assert "a été changé le 29/11/2026 à 10h00" in text and "jeton" not in text


FAST = HashingParameters(memory_kib=1024, time_cost=1, parallelism=1)


def test_argon2id_hashes_verify_and_record_their_parameters():
    hasher = PasswordHasher()
    password_hash = hasher.hash("Bonjour2026")
    assert password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(password_hash, "Bonjour2026")
    assert not hasher.verify(password_hash, "Bonjour2027")
    assert not hasher.verify(None, "Bonjour2026")
    assert not hasher.verify("not a hash", "Bonjour2026")


def test_nfc_forms_verify_against_each_other():
    hasher = PasswordHasher(FAST)
    assert hasher.verify(hasher.hash("Été2026ab"), "E\u0301te\u03012026ab")


def test_a_parameter_change_asks_for_a_rehash():
    old = PasswordHasher(FAST).hash("Bonjour2026")
    assert PasswordHasher().needs_rehash(old)
    assert not PasswordHasher(FAST).needs_rehash(old)
