"""One `Throttle` for every guessable thing, and one shape for log lines."""

import json
import logging
from datetime import timedelta

import pytest

from chalicelib.domain.errors import TooManyAttempts
from chalicelib.domain.throttling import SIGN_IN, ThrottleKind
from chalicelib.logs import log_event
from chalicelib.services.throttle import Throttle, clear_address
from chalicelib.store.rate_limits import RateLimitCounter
from tests.conftest import NOW

ADDRESS, CLIENT = "camille.martin@ac-poitiers.fr", "203.0.113.9"
# What guessing a voter code could use: the same rules, its own counters and limits.
CODES = ThrottleKind("voter-code", failures_before_backoff=3, max_failures_per_hour=10)


def fail(kind, times, now=NOW):
    for _ in range(times):
        Throttle(kind, ADDRESS, CLIENT, now).record_failure()


def test_sign_in_keeps_its_keys(aws):
    fail(SIGN_IN, 1)
    buckets = {counter.bucket for counter in RateLimitCounter.scan()}
    assert buckets == {f"signin-client#{ADDRESS}#{CLIENT}", f"signin-hour#{ADDRESS}#{NOW:%Y%m%d%H}"}


def test_each_kind_counts_apart_under_its_own_limits(aws):
    fail(CODES, 3)
    with pytest.raises(TooManyAttempts):
        Throttle(CODES, ADDRESS, CLIENT, NOW).check()
    Throttle(SIGN_IN, ADDRESS, CLIENT, NOW).check()  # sign-in has seen no failure
    fail(CODES, 7, now=NOW + timedelta(minutes=30))
    with pytest.raises(TooManyAttempts):  # the hourly cap, for the client that failed
        Throttle(CODES, ADDRESS, CLIENT, NOW + timedelta(minutes=59, seconds=59)).check()
    Throttle(CODES, ADDRESS, "198.51.100.7", NOW + timedelta(minutes=30)).check()  # not for one that did not


def test_clearing_one_kind_leaves_the_others(aws):
    fail(CODES, 5)  # this client waits 4 s
    fail(SIGN_IN, 6)  # would wait 2 s, but a reset clears it
    clear_address(SIGN_IN, ADDRESS, now=NOW + timedelta(seconds=1))
    later = NOW + timedelta(seconds=1)
    Throttle(SIGN_IN, ADDRESS, CLIENT, later).check()
    with pytest.raises(TooManyAttempts):
        Throttle(CODES, ADDRESS, CLIENT, later).check()


def test_a_log_event_is_one_json_line(caplog):
    with caplog.at_level(logging.INFO, logger="espace_electeur"):
        log_event("mail_request", logger="espace_electeur.mail", request_id="r-1", outcome="sent")
    [record] = caplog.records
    assert (record.name, record.levelno) == ("espace_electeur.mail", logging.INFO)
    assert json.loads(record.getMessage()) == {"event": "mail_request", "request_id": "r-1", "outcome": "sent"}
