"""What the fuzzer (tests/fuzz) and its follow-up probes found, kept as regular tests: bad input
is a 4xx with a stable code, never a 500."""

import pytest

from chalicelib.api.auth import COOKIE
from chalicelib.domain import list_pages
from chalicelib.domain.errors import BallotNotFound, InvalidCursor
from chalicelib.services import ballots

SURROGATE = "\\ud800"  # JSON's escape of half a surrogate pair: parsed, but not text

BODIES = {
    "/api/registrations": '{"email": "a%s@ac-poitiers.fr"}',
    "/api/password-resets": '{"email": "a%s@ac-poitiers.fr"}',
    "/api/token-checks": '{"token": "%s"}',
    "/api/link-renewals": '{"token": "%s"}',
    "/api/passwords": '{"token": "t", "password": "Abcdefgh1%s", "password_confirmation": "Abcdefgh1"}',
    "/api/sessions": '{"email": "camille.nom1@ac-poitiers.fr", "password": "Bonjour2026%s"}',
    "/api/public-claims": (
        '{"last_name": "Nom%s", "first_name": "P", "email": "camille.nom1@ac-poitiers.fr",'
        ' "workplace": "W", "message": "Je ne suis pas sur la liste."}'
    ),
}


@pytest.mark.parametrize("path", BODIES)
def test_half_a_surrogate_pair_is_invalid_json_not_a_500(portal, path):
    """Before: argon2 (sign-in, passwords) and the mail queue (public claims) failed to encode
    it, a 500 internal_error. After: 400 invalid_json, nothing done."""
    response = portal.client.http.post(
        path, body=(BODIES[path] % SURROGATE).encode(), headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json_body["error"]["code"]) == (400, "invalid_json")


def test_half_a_surrogate_pair_in_a_signed_in_body_or_a_key(portal):
    portal.register_and_activate()
    portal.sign_in()
    cookie = {"Cookie": f"{COOKIE}={portal.cookies['session']}", "Content-Type": "application/json"}
    for method, path, body in [
        (
            "put",
            "/api/me/password",
            '{"current_password": "Bonjour2026", "password": "Abcdefgh1%s", "password_confirmation": "x"}',
        ),
        ("post", "/api/ballots/CSA-MEN/claims", '{"message": "Une réclamation assez longue %s"}'),
        ("post", "/api/sessions", '{"email": "camille.nom1@ac-poitiers.fr", "password": "Bonjour2026", "%s": 1}'),
    ]:
        response = getattr(portal.client.http, method)(path, body=(body % SURROGATE).encode(), headers=cookie)
        assert (response.status_code, response.json_body["error"]["code"]) == (400, "invalid_json"), path


@pytest.mark.parametrize("ballot_id", ["a" * 3000, "é" * 700, "-CSA", "CSA.MEN~"])
def test_an_id_no_ballot_may_have_is_not_found_without_a_lookup(portal, monkeypatch, ballot_id):
    """Before: looked up, and DynamoDB refuses a key over 2,048 bytes (a ValidationException that
    moto does not raise): a 500 in AWS. After: 404 ballot_not_found, no read."""
    portal.register_and_activate()
    portal.sign_in()
    monkeypatch.setattr(ballots, "find_ballot", lambda _: pytest.fail("looked up"))
    for method, suffix, body in [("get", "electoral-list", None), ("post", "claims", {"message": "x" * 20})]:
        response = portal.authed(method, f"/api/ballots/{ballot_id}/{suffix}", body)
        assert (response.status_code, response.json_body["error"]["code"]) == (404, "ballot_not_found")


def test_a_ballot_id_is_matched_whole():
    with pytest.raises(BallotNotFound):
        ballots.ballot_for_voter(None, "CSA-MEN\n")  # `$` alone would let the newline through


def test_a_forged_cursor_naming_a_huge_position_is_invalid():
    """Before: its name went into the Query's sort-key condition, which DynamoDB refuses over
    1,024 bytes (a 500 in AWS). After: invalid_cursor, like any cursor the API did not give."""
    key = b"k" * 32  # even a cursor signed with the right key
    with pytest.raises(InvalidCursor):
        list_pages.decode_cursor(list_pages.encode_cursor("A" * 600 + "#B#", 0, key=key), key=key)
    with pytest.raises(InvalidCursor):
        list_pages.decode_cursor(list_pages.encode_cursor("\ud800#B#", 0, key=key), key=key)
    assert list_pages.decode_cursor(list_pages.encode_cursor("DUPONT#MARIE#", 2, key=key), key=key) == (
        "DUPONT#MARIE#",
        2,
    )
