"""Re-issuing a lost voter code (réassort), from the opening of the vote until its close.

2022's worst day: one-time codes valid 120 seconds that arrived later than that, full of
accents and symbols. Here the voter, signed in, gives the second factor the roll provides (their
birth date, `domain.birth_dates`) and gets a new code of the usual alphabet (Crockford's base32:
no accent, no symbol, no look-alike), shown once on screen with no timer; the old code is dead
in the same write (`store.voter_codes.reissue`, one TransactWriteItems with the audit entry and
the counts the bureau sees). Ballots already cast stay cast: a code only opens the booth. The
help desk re-issues the same way for a voter without a birth date on the roll, or who cannot
sign in, and hands over a new notice (`voter-codes reissue`).

Throttled three ways: every try of a birth date reserved per voter and day, whatever the client
(`BIRTH_DATE_TRIES_PER_DAY`), wrong dates per voter and client (`domain.throttling.CODE_REISSUE`),
and successful re-issues per voter and day (`REISSUES_PER_DAY`). Neither the code nor the
birth date is logged; the email that follows says a code was issued, never which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.domain import birth_dates
from chalicelib.domain.errors import (
    NotAuthenticated,
    ReissueClosed,
    ReissueUnavailable,
    TooManyRequests,
    WrongBirthDate,
)
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.throttling import BIRTH_DATE_TRIES_PER_DAY, CODE_REISSUE, REISSUES_PER_DAY
from chalicelib.domain.voter_codes import code_hash, new_code, shown
from chalicelib.services.after_commit import best_effort
from chalicelib.services.registration import request_notice
from chalicelib.services.sealed_scrutins import sealed_scrutin
from chalicelib.services.sessions import Authenticated
from chalicelib.services.throttle import Throttle
from chalicelib.store import rate_limits
from chalicelib.store import voter_codes as store
from chalicelib.store.mail_log import time_key
from chalicelib.store.voters import Voter, find_voter

DAY = timedelta(days=1)
HAND_OVER = "Remise par l'assistance (nouveau code électeur)"


@dataclass(frozen=True)
class Reissued:
    code: str  # XXXX-XXXX-XXXX: shown once, never stored nor logged
    generation: int
    issued_at: datetime


def open_scrutins(voter: Voter, now: datetime) -> list[str]:
    """The voter's scrutins whose vote is open now, from the opening to the close: a code is
    re-issued for them only. Not in the grace, which is for a voter already in the booth with
    a code typed before the close (`domain.voting.may_cast`): a code issued then could open
    nothing, and the old one would be dead."""
    found = []
    for ballot_id in sorted(voter.ballot_ids or ()):
        scrutin = sealed_scrutin(ballot_id)
        if scrutin.sealed and scrutin.opens <= now < scrutin.closes:
            found.append(ballot_id)
    return found


def reissue_self_service(who: Authenticated, birth_date, *, client: str, pepper: bytes, now: datetime) -> Reissued:
    """A new code for the signed-in voter who gave the roll's birth date.

    ReissueUnavailable when the roll gives them none (the page says whom to contact);
    ReissueClosed outside the vote; WrongBirthDate (counted) when the date is not the roll's;
    TooManyAttempts after too many wrong dates, TooManyRequests after REISSUES_PER_DAY
    re-issues; NotAuthenticated if the voter is no longer listed."""
    voter = find_voter(who.voter_id)
    if voter is None or not voter.is_listed:
        raise NotAuthenticated()
    if not voter.birth_date_check:
        raise ReissueUnavailable()
    scrutins = open_scrutins(voter, now)
    if not scrutins:
        raise ReissueClosed()
    throttle = Throttle(CODE_REISSUE, who.voter_id, client, now)
    throttle.check()
    # Each try is reserved before the date is compared, per voter and whatever the client, so
    # that parallel requests or many addresses cannot try more dates than this: a birth date
    # has some 30,000 likely values, and only its holder's session may try at all.
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    until_tomorrow = int((day + DAY - now).total_seconds()) + 1
    if not rate_limits.reserve(
        [(f"code-reissue-try#{voter.voter_id}#{day:%Y%m%d}", BIRTH_DATE_TRIES_PER_DAY)], now=now, expires=day + 2 * DAY
    ):
        raise TooManyRequests(retry_after=until_tomorrow)
    typed = birth_date if isinstance(birth_date, str) else ""
    if not birth_dates.matches(typed, voter.birth_date_check, pepper):
        throttle.record_failure()
        raise WrongBirthDate()
    throttle.record_success()
    if not rate_limits.reserve(
        [(f"code-reissued#{voter.voter_id}#{day:%Y%m%d}", REISSUES_PER_DAY)], now=now, expires=day + 2 * DAY
    ):
        raise TooManyRequests(retry_after=until_tomorrow)
    return _reissue(voter, scrutins, path=store.SELF_SERVICE, by=voter.voter_id, pepper=pepper, now=now)


def reissue_by_help_desk(
    voter: Voter, *, operator: str, folder: Path, portal_url: str, pepper: bytes, now: datetime
) -> tuple[Reissued, Path]:
    """A new code handed over by the help desk during the vote: the same write, audited with
    the operator's name (no daily limit: the operator has seen the voter or their papers), and
    its notice, `reissue-<voter>-<generation>.pdf` in `folder` (readable by its owner only):
    the notice with the code, then the hand-over sheet to sign."""
    # The notice's PDF: the help desk's CLI only, never the API's cold start.
    from chalicelib.domain.voter_code_notices import Recipient, Scrutin
    from chalicelib.services.voter_code_notices import write_place
    from chalicelib.store.ballots import get_ballots

    scrutins = open_scrutins(voter, now)
    if not scrutins:
        raise ReissueClosed()
    # The folder must take the notice before the old code dies: an OSError here changes nothing.
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".reissue-{voter.voter_id}.tmp"
    probe.touch(mode=0o600)
    probe.unlink()
    reissued = _reissue(voter, scrutins, path=store.HELP_DESK, by=operator, pepper=pepper, now=now)
    ballots = sorted(get_ballots(sorted(voter.ballot_ids or ())), key=lambda b: b.ballot_id)
    theirs = [Scrutin(b.label, b.voting_opens_at, b.voting_closes_at) for b in ballots]
    recipient = Recipient(voter.last_name, voter.first_name, voter.voter_id, voter.workplace)
    path = folder / f"reissue-{voter.voter_id}-{reissued.generation}.pdf"
    write_place(
        path, [(recipient, reissued.code.replace("-", ""), theirs)], [recipient], count=1, academy=voter.academy,
        code_delivery=HAND_OVER, portal_url=portal_url,
    )  # fmt: skip
    return reissued, path


def _reissue(voter: Voter, scrutins: list[str], *, path: str, by: str, pepper: bytes, now: datetime) -> Reissued:
    current = store.code_of(voter.voter_id)
    code = new_code()
    try:
        generation = store.reissue(
            voter.voter_id, code_hash(code, pepper), replaces=current.generation if current else 0, now=now,
            path=path, by=by, ballot_ids=scrutins,
        )  # fmt: skip
    except store.CodeChanged:
        # Another re-issue came between the read and the write: this one is not made.
        raise TooManyRequests(retry_after=5) from None
    best_effort(
        "notify_code_reissued", request_notice, MailRequestKind.CODE_REISSUED, now=now,
        voter_id=voter.voter_id, issued_at=time_key(now), path=path,
    )  # fmt: skip
    return Reissued(shown(code), generation, now)
