"""The account-level items of issue 13's finding 10, each played as an attack."""

from chalicelib import wiring
from chalicelib.domain.errors import InvalidCredentials
from chalicelib.services import sessions
from chalicelib.store import accounts as account_store
from tests.api.conftest import GOOD_PASSWORD, LISTED


def change(portal, current, new="Nouveau2026x"):
    return portal.authed(
        "put", "/api/me/password", {"current_password": current, "password": new, "password_confirmation": new}
    )


def test_guessing_the_current_password_with_a_stolen_session_is_throttled(portal):
    portal.register_and_activate()
    portal.sign_in()
    answers = [change(portal, f"Essai{n:04d}x").status_code for n in range(7)]
    assert answers[:5] == [400] * 5 and answers[5:] == [429, 429]  # argon2's pace only, before
    blocked = change(portal, GOOD_PASSWORD)
    assert blocked.status_code == 429 and blocked.json_body["error"]["code"] == "too_many_attempts"
    portal.clock.advance(seconds=2)
    assert change(portal, GOOD_PASSWORD).status_code == 204


def test_a_password_change_voids_the_links_already_emailed(portal):
    portal.register_and_activate()
    portal.sign_in()
    portal.new_mail()
    portal.clock.advance(seconds=1)
    portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    [reset] = portal.new_mail()
    portal.clock.advance(seconds=1)
    assert change(portal, GOOD_PASSWORD).status_code == 204
    # The reset link asked for earlier (by the voter, or by whoever reads their mailbox) is void.
    used = portal.post(
        "/api/passwords", {"token": reset.token, "password": "Autre2026x", "password_confirmation": "Autre2026x"}
    )
    assert used.status_code == 410 and used.json_body["error"]["code"] == "token_used"
    assert portal.sign_in(password="Nouveau2026x").status_code == 200


def test_sign_in_does_the_same_lookups_for_a_listed_and_an_unknown_address(portal, monkeypatch):
    """The timing gap (+4 to +15 ms) came from one GetItem only listed addresses made."""
    portal.register_and_activate()
    looked_up = []
    monkeypatch.setattr(sessions, "find_account", lambda voter_id: looked_up.append(voter_id) or None)
    for address in (LISTED, "inconnu@ac-poitiers.fr", "pas-une-adresse"):
        try:
            sessions.sign_in(
                address,
                "Mauvais2026",
                client="203.0.113.9",
                now=portal.clock.now,
                hasher=wiring.password_hasher(),
                policy=wiring.session_policy(),
            )
        except InvalidCredentials:
            pass
    assert len(looked_up) == 3 and looked_up[0] == "P00000001" and looked_up[1:] == [sessions.NO_SUCH_VOTER] * 2
    assert account_store.find_account(sessions.NO_SUCH_VOTER) is None
