"""The voter code, typed once per session before voting (`POST /api/me/voter-code`).

The code is checked against its HMAC (`domain.voter_codes`); a success is recorded on the
session (`code_verified_at`), which the cast will require. Wrong codes are throttled like
passwords, per voter and client (`domain.throttling.VOTER_CODE`): a guesser must hold the
voter's session already, and even then gets a few tries an hour against 2⁶⁰ codes.

Round trips: rate limits BatchGetItem (the counters), voter codes GetItem, then sessions
UpdateItem on success or rate limits UpdateItem ×2 on failure.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidVoterCode, NotAuthenticated
from chalicelib.domain.throttling import VOTER_CODE
from chalicelib.domain.voter_codes import matches
from chalicelib.services.sessions import Authenticated
from chalicelib.services.throttle import Throttle
from chalicelib.store import sessions as session_store
from chalicelib.store.voter_codes import code_of

NO_CODE = "0" * 64  # compared when the voter has no code yet, so the answer takes the same path


def verify_voter_code(who: Authenticated, typed, *, client: str, pepper: bytes, now: datetime) -> None:
    """Nothing if `typed` is the voter's code (the session now counts as verified, from the
    first time it was typed in it); InvalidVoterCode if not; TooManyAttempts when this client
    must wait; NotAuthenticated if the session ended meanwhile."""
    throttle = Throttle(VOTER_CODE, who.voter_id, client, now)
    throttle.check()
    stored = code_of(who.voter_id)
    if not matches(typed if isinstance(typed, str) else "", stored.code_hash if stored else NO_CODE, pepper):
        throttle.record_failure()
        raise InvalidVoterCode()
    throttle.record_success()
    if not session_store.mark_code_verified(who.session_hash, now=now):
        raise NotAuthenticated()  # signed out (or expired) meanwhile: the code counts for no session
