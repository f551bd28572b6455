"""What the help desk and the election administrators look up: one voter, and the totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.emails import normalise_email
from chalicelib.domain.phases import Phase, phase_at
from chalicelib.store.accounts import ACTIVE, Account, account_statuses, find_account
from chalicelib.store.ballots import BallotItem, all_ballots, get_ballots
from chalicelib.store.deliverability import DeliveryStatus, all_statuses, find_status
from chalicelib.store.mail_log import MailLogEntry, recent_mail
from chalicelib.store.voters import Voter, all_voters, find_voter, find_voter_by_email


@dataclass
class VoterFile:
    voter: Voter
    account: Account | None
    ballots: list[tuple[BallotItem, Phase]]
    recent_mail: list[MailLogEntry]
    delivery: DeliveryStatus | None


class VoterNotFound(Exception):
    pass


def voter_file(email_or_voter_id: str, *, now: datetime) -> VoterFile:
    """Everything about one voter, found by address or by voter id.

    A voter taken off every list has left the email index (their address moved to
    `removed_email`): the help desk finds them by voter id.
    """
    key = email_or_voter_id.strip()
    voter = None
    if "@" in key:
        voter = find_voter_by_email(normalise_email(key))
    else:
        voter = find_voter(key)
    if voter is None:
        raise VoterNotFound(key)
    account = find_account(voter.voter_id)
    ballots = sorted(get_ballots(voter.ballot_ids or ()), key=lambda b: b.ballot_id)
    address = voter.email or voter.removed_email
    return VoterFile(
        voter=voter,
        account=account,
        ballots=[(b, phase_at(b, now)) for b in ballots],
        recent_mail=recent_mail(address) if address else [],
        delivery=find_status(address) if address else None,
    )


@dataclass
class BallotStats:
    ballot: BallotItem
    phase: Phase
    voters: int = 0
    accounts_created: int = 0
    accounts_activated: int = 0


@dataclass
class Stats:
    ballots: list[BallotStats] = field(default_factory=list)
    voters: int = 0
    removed_voters: int = 0
    accounts_created: int = 0
    accounts_activated: int = 0
    addresses_bounced: int = 0  # last report: a permanent bounce
    addresses_complained: int = 0


def election_stats(*, now: datetime) -> Stats:
    """Per ballot: voters on the list, accounts created, accounts activated.

    Scans (accounts, voters, delivery reports) joined in memory: a CLI command, run on demand, never a
    request. The portal keeps no global counter that every request would have to update.
    """
    status_by_voter = account_statuses()
    per_ballot: dict[str, Counter] = {}
    stats = Stats()
    for voter in all_voters(attributes=["voter_id", "ballot_ids", "removed_at"]):
        if voter.removed_at is not None:
            stats.removed_voters += 1
            continue
        stats.voters += 1
        status = status_by_voter.get(voter.voter_id)
        for ballot_id in voter.ballot_ids or ():
            counter = per_ballot.setdefault(ballot_id, Counter())
            counter["voters"] += 1
            if status is not None:
                counter["created"] += 1
            if status == ACTIVE:
                counter["activated"] += 1
    for status in all_statuses(attributes=["address", "last_event", "bounce_type", "complaints"]):
        if status.last_event == "bounce" and status.bounce_type == "Permanent":
            stats.addresses_bounced += 1
        if status.complaints:
            stats.addresses_complained += 1
    stats.accounts_created = len(status_by_voter)
    stats.accounts_activated = sum(1 for s in status_by_voter.values() if s == ACTIVE)
    for ballot in sorted(all_ballots(), key=lambda b: b.ballot_id):
        counter = per_ballot.get(ballot.ballot_id, Counter())
        stats.ballots.append(
            BallotStats(
                ballot=ballot,
                phase=phase_at(ballot, now),
                voters=counter["voters"],
                accounts_created=counter["created"],
                accounts_activated=counter["activated"],
            )
        )
    return stats
