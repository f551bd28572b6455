"""POST /api/me/voter-code: the code typed once per session, checked against its HMAC,
throttled per voter and client, recorded on the session only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.voter_codes import code_hash, normalised
from chalicelib.store.sessions import Session
from chalicelib.store.voter_codes import issue_first_code
from chalicelib.wiring import voter_code_pepper
from tests.conftest import NOW

CODE = "7K3M-9QRT-2WXA"


@pytest.fixture
def voter_with_code(portal):
    portal.register_and_activate()
    assert portal.sign_in().status_code == 200
    issue_first_code("P00000001", code_hash(normalised(CODE), voter_code_pepper()), now=NOW)
    return portal


def session_item(portal):
    from chalicelib.domain.links import hash_secret

    return Session.get(hash_secret(portal.cookies["session"]))


@pytest.mark.parametrize("typed", [CODE, "7k3m9qrt2wxa", " 7K3M 9QRT 2WXA "])
def test_the_right_code_in_any_form_is_recorded_on_the_session(voter_with_code, typed):
    response = voter_with_code.authed("post", "/api/me/voter-code", {"code": typed})
    assert response.status_code == 204 and response.body in (b"", "")
    assert session_item(voter_with_code).code_verified_at == NOW


def test_a_wrong_code_is_refused_in_french_and_changes_nothing(voter_with_code):
    response = voter_with_code.authed("post", "/api/me/voter-code", {"code": "7K3M-9QRT-2WXB"})
    body = json.loads(response.body)
    assert response.status_code == 401 and body["error"]["code"] == "invalid_voter_code"
    assert "notice de vote" in body["error"]["message"] and body["error"]["field"] == "code"
    assert session_item(voter_with_code).code_verified_at is None
    assert CODE not in response.body.decode() and "2WXB" not in response.body.decode()


def test_wrong_codes_are_throttled_then_the_right_one_works_after_the_wait(voter_with_code):
    for _ in range(5):
        assert voter_with_code.authed("post", "/api/me/voter-code", {"code": "0000-0000-0000"}).status_code == 401
    response = voter_with_code.authed("post", "/api/me/voter-code", {"code": CODE})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    voter_with_code.clock.now += timedelta(minutes=16)
    assert voter_with_code.authed("post", "/api/me/voter-code", {"code": CODE}).status_code == 204


def test_a_voter_without_a_code_gets_the_same_answer(portal):
    portal.register_and_activate()
    portal.sign_in()
    response = portal.authed("post", "/api/me/voter-code", {"code": CODE})
    assert response.status_code == 401 and json.loads(response.body)["error"]["code"] == "invalid_voter_code"


def test_it_needs_a_session(portal):
    response = portal.post("/api/me/voter-code", {"code": CODE})
    assert response.status_code == 401 and json.loads(response.body)["error"]["code"] == "not_authenticated"


def test_typing_the_code_again_keeps_the_first_time_so_the_grace_is_not_lost(voter_with_code):
    assert voter_with_code.authed("post", "/api/me/voter-code", {"code": CODE}).status_code == 204
    voter_with_code.clock.now += timedelta(minutes=10)  # after the close, say, within the grace
    assert voter_with_code.authed("post", "/api/me/voter-code", {"code": CODE}).status_code == 204
    assert session_item(voter_with_code).code_verified_at == NOW


def test_a_session_that_ends_while_the_code_is_checked_is_not_told_it_may_vote(voter_with_code, monkeypatch):
    from chalicelib.store import sessions

    monkeypatch.setattr(sessions, "mark_code_verified", lambda session_hash, *, now: False)
    response = voter_with_code.authed("post", "/api/me/voter-code", {"code": CODE})
    assert response.status_code == 401 and json.loads(response.body)["error"]["code"] == "not_authenticated"
