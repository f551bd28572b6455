"""What the help desk and the election administrators look up: one voter, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.activation import BALLOT, ActivationReport
from chalicelib.domain.emails import normalise_email
from chalicelib.domain.phases import Phase, phase_at
from chalicelib.services.activation_report import activation_report
from chalicelib.store.accounts import Account, find_account
from chalicelib.store.ballots import BallotItem, all_ballots, get_ballots
from chalicelib.store.campaign_deliveries import campaign_history
from chalicelib.store.deliverability import DeliveryStatus, all_statuses, find_status
from chalicelib.store.mail_log import MailLogEntry, recent_mail
from chalicelib.store.voters import Voter, find_voter, find_voter_by_email


@dataclass
class VoterFile:
    voter: Voter
    account: Account | None
    ballots: list[tuple[BallotItem, Phase]]
    recent_mail: list[MailLogEntry]
    delivery: DeliveryStatus | None
    campaigns: list[MailLogEntry] = field(default_factory=list)  # one entry per campaign that reached them


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
        campaigns=campaign_history(voter.voter_id),
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
    removed_voters: int = 0  # not on any list (taken off by an import)
    accounts_created: int = 0
    accounts_activated: int = 0
    addresses_bounced: int = 0  # last report: a permanent bounce
    addresses_complained: int = 0
    report: ActivationReport | None = None  # the counts behind it, for `stats --html`


def election_stats(*, now: datetime, progress=None) -> Stats:
    """Per ballot: voters on the list, accounts created, accounts activated.

    The activation report's parallel scan (voters, with their accounts a page at a time:
    bounded memory) and a Scan of the delivery reports: a CLI command, run on demand, never
    a request. The portal keeps no global counter that every request would have to update.
    """
    report = activation_report(now=now, progress=progress)
    tally = report.tally
    stats = Stats(
        voters=tally.total("registered"),
        removed_voters=tally.not_listed,
        accounts_created=tally.total("created"),
        accounts_activated=tally.total("activated"),
        report=report,
    )
    for status in all_statuses(attributes=["address", "last_event", "bounce_type", "complaints"]):
        if status.last_event == "bounce" and status.bounce_type == "Permanent":
            stats.addresses_bounced += 1
        if status.complaints:
            stats.addresses_complained += 1
    for ballot in sorted(all_ballots(), key=lambda b: b.ballot_id):
        group = (BALLOT, ballot.ballot_id)
        stats.ballots.append(
            BallotStats(
                ballot=ballot,
                phase=phase_at(ballot, now),
                voters=tally.registered[group],
                accounts_created=tally.created[group],
                accounts_activated=tally.activated[group],
            )
        )
    return stats


@dataclass(frozen=True)
class BouncedAddress:
    """An address HR should correct at the source, with whom it belongs to."""

    problem: str  # "bounce" (permanent) or "complaint"
    status: DeliveryStatus
    voter: Voter


def bounced_addresses(*, academy: str | None = None) -> list[BouncedAddress]:
    """Every address whose last report is a permanent bounce, or that complained, with its
    voter (a Scan of the delivery reports, then one index Query per such address: a few
    per cent of the roll; a CLI command, never a request)."""
    found = []
    for status in all_statuses(
        attributes=["address", "last_event", "last_event_at", "bounce_type", "bounce_subtype", "complaints"]
    ):
        complained = bool(status.complaints)
        if not complained and not (status.last_event == "bounce" and status.bounce_type == "Permanent"):
            continue
        voter = find_voter_by_email(status.address)
        if voter is None:
            continue  # an import has replaced this address already: nothing left to correct
        if academy is not None and voter.academy != academy:
            continue
        found.append(BouncedAddress("complaint" if complained else "bounce", status, voter))
    return sorted(found, key=lambda b: (b.voter.academy if b.voter else "", b.status.address))
