"""Sign-in, sessions, throttling, password change, and what never reaches a log."""

import json
import logging
import threading
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.errors import InvalidCredentials, TokenUsed, TooManyAttempts
from chalicelib.services import links, sessions
from chalicelib.store.accounts import Account
from tests.api.conftest import GOOD_PASSWORD, LISTED, OTHER, session_cookie


def test_sign_in_sets_a_strict_http_only_cookie_and_returns_the_profile(portal):
    portal.register_and_activate()
    response = portal.sign_in(address="  Camille.Nom1@AC-Poitiers.fr ")
    assert response.status_code == 200
    voter = response.json_body["voter"]
    assert (voter["voter_id"], voter["email"], voter["code_delivery"]) == (
        "P00000001",
        LISTED,
        "Envoi postal au domicile",
    )
    cookie = response.headers["Set-Cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    session_id = session_cookie(response)
    assert len(session_id) >= 22 and session_id not in response.body.decode()
    me = portal.authed("get", "/api/me")
    assert me.status_code == 200 and me.json_body["last_name"] == "Nom1"


def test_unknown_wrong_and_inactive_get_the_same_401(portal):
    portal.register_and_activate()
    portal.post("/api/registrations", {"email": OTHER})  # pending: no password yet
    portal.run_worker()
    answers = set()
    for address, password in [
        ("inconnu@ac-poitiers.fr", GOOD_PASSWORD),
        (LISTED, "Mauvais2026"),
        (OTHER, GOOD_PASSWORD),
        ("pas une adresse", "x"),
    ]:
        response = portal.post("/api/sessions", {"email": address, "password": password})
        answers.add((response.status_code, response.body))
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 401 and json.loads(body)["error"]["code"] == "invalid_credentials"


def test_unknown_addresses_spend_argon2_time_like_known_ones(portal, monkeypatch):
    hasher = wiring.password_hasher()
    calls = []
    original = type(hasher).verify
    monkeypatch.setattr(type(hasher), "verify", lambda self, h, p: calls.append(h) or original(self, h, p))
    portal.post("/api/sessions", {"email": "inconnu@ac-poitiers.fr", "password": GOOD_PASSWORD})
    assert calls == [None]  # verified against the dummy hash, not skipped


def test_me_without_a_valid_session_is_401(portal):
    assert portal.client.http.get("/api/me").json_body["error"]["code"] == "not_authenticated"
    assert portal.authed("get", "/api/me", session="forged").status_code == 401


def test_sessions_expire_when_idle_and_after_twelve_hours(portal):
    portal.register_and_activate()
    portal.sign_in()
    portal.clock.advance(minutes=29)
    assert portal.authed("get", "/api/me").status_code == 200  # refreshes last-seen
    portal.clock.advance(minutes=29)
    assert portal.authed("get", "/api/me").status_code == 200
    portal.clock.advance(minutes=31)
    assert portal.authed("get", "/api/me").status_code == 401
    portal.sign_in()
    for _ in range(26):
        portal.clock.advance(minutes=28)
        response = portal.authed("get", "/api/me")
    assert response.status_code == 401  # 12 h after sign-in, however active


def test_last_seen_is_refreshed_sparingly(portal, monkeypatch):
    from chalicelib.store import sessions as store

    portal.register_and_activate()
    portal.sign_in()
    touches = []
    original = store.touch_session
    monkeypatch.setattr(store, "touch_session", lambda *a, **k: touches.append(1) or original(*a, **k))
    for _ in range(15):
        portal.clock.advance(seconds=20)
        portal.authed("get", "/api/me")
    assert len(touches) == 1  # five minutes of activity, one write


def test_sign_out_and_sign_out_everywhere_take_effect_at_once(portal):
    portal.register_and_activate()
    first = session_cookie(portal.sign_in())
    second = session_cookie(portal.sign_in())
    assert portal.authed("delete", "/api/sessions/current", session=first).status_code == 204
    assert portal.authed("get", "/api/me", session=first).status_code == 401
    assert portal.authed("get", "/api/me", session=second).status_code == 200
    third = session_cookie(portal.sign_in())
    response = portal.authed("delete", "/api/sessions", session=second)
    assert response.status_code == 204 and "Max-Age=0" in response.headers["Set-Cookie"]
    for session in (second, third):
        assert portal.authed("get", "/api/me", session=session).status_code == 401


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(portal):
    portal.register_and_activate()
    other = session_cookie(portal.sign_in())
    this = session_cookie(portal.sign_in())
    portal.clock.advance(seconds=1)
    body = {"current_password": GOOD_PASSWORD, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    response = portal.authed("put", "/api/me/password", body, session=this)
    assert response.status_code == 204
    renewed = session_cookie(response)
    assert portal.authed("get", "/api/me", session=renewed).status_code == 200
    assert portal.authed("get", "/api/me", session=other).status_code == 401
    assert portal.sign_in(password="Nouveau2026").status_code == 200


def test_changing_the_password_while_signed_in_sends_the_notice(portal):
    portal.register_and_activate()
    portal.new_mail()  # the confirmation
    portal.sign_in()
    body = {"current_password": GOOD_PASSWORD, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}
    assert portal.authed("put", "/api/me/password", body).status_code == 204
    assert portal.run_worker() == 1
    [notice] = portal.new_mail()
    assert notice.to == LISTED and "mot de passe électeur a été changé" in notice.subject
    assert "depuis votre espace" in notice.text and "Vos autres connexions ont été fermées" in notice.text
    assert "/mot-de-passe-oublie" in notice.text and "jeton" not in notice.text
    refused = {"current_password": "Faux2026x", "password": "Autre2026x", "password_confirmation": "Autre2026x"}
    portal.authed("put", "/api/me/password", refused)
    portal.run_worker()
    assert portal.new_mail() == []  # nothing changed, nothing said


def test_changing_the_password_checks_the_current_one_and_the_rules(portal):
    portal.register_and_activate()
    portal.sign_in()
    wrong = portal.authed(
        "put",
        "/api/me/password",
        {"current_password": "Faux2026x", "password": "Nouveau2026", "password_confirmation": "Nouveau2026"},
    )
    # The session is fine: only the field is wrong, and the answer says so.
    assert wrong.status_code == 400
    assert wrong.json_body["error"] == {
        "code": "wrong_current_password",
        "message": "Le mot de passe actuel est incorrect.",
        "field": "current_password",
    }
    weak = portal.authed(
        "put",
        "/api/me/password",
        {"current_password": GOOD_PASSWORD, "password": "court", "password_confirmation": "court"},
    )
    assert weak.status_code == 400 and "too_short" in weak.json_body["error"]["violations"]
    assert portal.authed("get", "/api/me").status_code == 200


def test_five_failures_from_one_client_then_429_with_a_doubling_wait(portal):
    portal.register_and_activate()
    for _ in range(5):
        assert portal.sign_in(password="Mauvais2026").status_code == 401
    blocked = portal.sign_in()
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"
    assert blocked.json_body["error"]["code"] == "too_many_attempts"
    portal.clock.advance(seconds=1)
    assert portal.sign_in(password="Mauvais2026").status_code == 401
    assert portal.sign_in().headers["Retry-After"] == "2"
    portal.clock.advance(seconds=2)
    assert portal.sign_in().status_code == 200  # a success resets the count
    assert portal.sign_in(password="Mauvais2026").status_code == 401
    assert portal.sign_in().status_code == 200


def test_unknown_addresses_are_throttled_exactly_like_known_ones(portal):
    portal.register_and_activate()
    answers = []
    for address in ("inconnu@ac-poitiers.fr", LISTED):
        for _ in range(5):
            portal.post("/api/sessions", {"email": address, "password": "Mauvais2026"})
        response = portal.post("/api/sessions", {"email": address, "password": "Mauvais2026"})
        answers.append((response.status_code, response.headers.get("Retry-After"), response.json_body))
    assert answers[0] == answers[1] and answers[0][0] == 429


def sign_in_from(client, now, password=GOOD_PASSWORD):
    return sessions.sign_in(
        LISTED, password, client=client, now=now, hasher=wiring.password_hasher(), policy=wiring.session_policy()
    )


def test_another_client_is_not_locked_out_and_the_hourly_ceiling_binds_the_clients_that_failed(portal):
    """The attack of issue 13 (finding 1): 100 failures from many clients used to lock the voter
    out for the rest of the hour, even with the right password from their own device."""
    portal.register_and_activate()
    now = portal.clock.now.replace(minute=1)
    for _ in range(6):
        with pytest.raises((InvalidCredentials, TooManyAttempts)):
            sign_in_from("203.0.113.9", now, "Mauvais2026")
    with pytest.raises(TooManyAttempts):
        sign_in_from("203.0.113.9", now)
    assert sign_in_from("198.51.100.7", now).voter.voter_id == "P00000001"  # the voter is not locked out
    for number in range(95):  # with the first client's 5: 100 failures this hour
        with pytest.raises(InvalidCredentials):
            sign_in_from(f"192.0.2.{number}", now, "Mauvais2026")
    assert sign_in_from("198.51.100.7", now).voter.voter_id == "P00000001"  # the voter's device still works
    with pytest.raises(TooManyAttempts) as caught:
        sign_in_from("192.0.2.7", now)  # an attacking client, even with the right password
    assert caught.value.details["retry_after"] == 59 * 60
    with pytest.raises(InvalidCredentials):
        sign_in_from("192.0.2.200", now, "Mauvais2026")  # a new client: one try beyond the ceiling
    with pytest.raises(TooManyAttempts):
        sign_in_from("192.0.2.200", now, "Mauvais2026")
    assert sign_in_from("192.0.2.7", now.replace(minute=0) + timedelta(hours=1)).voter.voter_id == "P00000001"


def test_a_completed_reset_clears_the_counters(portal):
    portal.register_and_activate()
    for _ in range(5):
        portal.sign_in(password="Mauvais2026")
    assert portal.sign_in().status_code == 429
    portal.clock.advance(seconds=1)
    portal.new_mail()
    portal.post("/api/password-resets", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    portal.post("/api/passwords", {"token": token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"})
    for _ in range(4):
        assert portal.sign_in(password="Mauvais2026").status_code == 401  # counting from zero again
    assert portal.sign_in(password="Nouveau2026").status_code == 200


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(portal, monkeypatch):
    portal.register_and_activate()
    old_hash = Account.get("P00000001").password_hash
    monkeypatch.setenv("ARGON2_TIME_COST", "2")
    wiring.password_hasher.cache_clear()
    wiring.password_hasher()  # built now: the test client re-applies the stage's variables per call
    try:
        assert portal.sign_in().status_code == 200
        new_hash = Account.get("P00000001").password_hash
        assert new_hash != old_hash and "t=2" in new_hash
        assert portal.sign_in().status_code == 200
    finally:
        wiring.password_hasher.cache_clear()


def test_state_changing_endpoints_take_only_json(portal):
    for path in ("/api/registrations", "/api/sessions", "/api/passwords", "/api/token-checks"):
        response = portal.post(path, {"email": LISTED}, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 415, path
        assert response.json_body["error"]["code"] == "unsupported_media_type"


def test_cors_allows_only_the_portal_origin(portal):
    response = portal.post("/api/registrations", {"email": LISTED}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403  # not served at all (api/same_origin.py)
    assert response.headers.get("Access-Control-Allow-Origin") in (None, "https://portail.test")
    response = portal.post("/api/registrations", {"email": LISTED}, headers={"Origin": "https://portail.test"})
    assert response.status_code == 202
    assert response.headers.get("Access-Control-Allow-Origin") == "https://portail.test"
    assert response.headers.get("Access-Control-Allow-Credentials") == "true"


def test_twenty_concurrent_submissions_of_one_link_give_one_success(portal, serialised_aws):
    portal.post("/api/registrations", {"email": LISTED})
    portal.run_worker()
    token = portal.new_mail()[0].token
    outcomes = []

    def submit(number):
        try:
            links.set_password_with_link(
                token,
                f"Essai{number:02d}Ab",
                f"Essai{number:02d}Ab",
                now=portal.clock.now,
                policy=wiring.password_policy(),
                hasher=wiring.password_hasher(),
                session_policy=wiring.session_policy(),
            )
            outcomes.append(("ok", number))
        except TokenUsed:
            outcomes.append(("used", number))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for result, n in outcomes if result == "ok"]
    assert len(outcomes) == 20 and len(winners) == 1
    assert portal.sign_in(password=f"Essai{winners[0]:02d}Ab").status_code == 200


def test_no_password_token_or_session_id_reaches_a_log_line(portal, caplog):
    with caplog.at_level(logging.DEBUG):
        portal.post("/api/registrations", {"email": LISTED})
        portal.run_worker()
        token = portal.new_mail()[0].token
        portal.post("/api/token-checks", {"token": token})
        portal.post(
            "/api/passwords", {"token": token, "password": "Secret2026xy", "password_confirmation": "Secret2026xy"}
        )
        session = session_cookie(portal.sign_in(password="Secret2026xy"))
        portal.sign_in(password="Wrong2026xyz")
        portal.authed("get", "/api/me", session=session)
        portal.authed(
            "put",
            "/api/me/password",
            {"current_password": "Secret2026xy", "password": "Other2026xyz", "password_confirmation": "Other2026xyz"},
            session=session,
        )
        portal.authed("delete", "/api/sessions/current", session=session)
    everything = caplog.text
    assert "request" in everything  # the journey was logged
    for secret in (token, "Secret2026xy", "Wrong2026xyz", "Other2026xyz", session):
        assert secret not in everything
