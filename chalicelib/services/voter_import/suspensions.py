"""The espaces an import takes away from a mailbox: address changes, and pruned voters' sessions.

An address corrected in the roll must not leave the old mailbox holder a way in: for each
voter whose address changes and who has an account, before that voter's item is written
with the new address,

1. the account returns to pending without a password, and every link and session issued
   until now is void (`store.accounts.suspend_for_address_change`, one conditional
   UpdateItem that records which change it was for);
2. two requests go on the mail queue: a notice to the old address (no link), and a link to
   choose a password to the new one (`domain.address_changes`);
3. the voter's sessions are deleted (a clean-up: the marker of step 1 already voids them).

Why once per change: the change is seen only while the voter item still holds the old
address, and the account's record of the change makes step 1 happen once. A run interrupted
after step 1 and before its chunk's voter items are written sees the change again on the
next run: the account says it is done, so it is not suspended again (unless it became active
meanwhile, through a link asked at the old address: then it is suspended anew, and told
anew), and the two requests are queued again under the same ids and times, derived from the
change and the instant the account records. The mail worker's log knows those ids and sends
nothing more. What is left is the worker's own window (a crash between SES accepting an
email and its log entry saying so, or two deliveries of the same request at the same
moment): at least once, never silently none.

A pruned voter keeps their account as it was, but every session ends (marker, then
deletion), before the voter item is marked removed, so that a re-run does it again.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.address_changes import change_marker, request_id
from chalicelib.domain.mail_policy import MailRequestKind
from chalicelib.domain.voter_rows import VoterRow
from chalicelib.mail.queue import enqueue_batch
from chalicelib.services.voter_import.report import VoterImportReport
from chalicelib.store.accounts import ACTIVE, accounts_of, suspend_for_address_change, void_sessions
from chalicelib.store.mail_log import time_key
from chalicelib.store.sessions import delete_voter_sessions

# The two emails of one change: to the address left, to the address taken.
_EMAILS = (MailRequestKind.ADDRESS_CHANGED, MailRequestKind.ADDRESS_CONFIRMATION)


def suspend_moved_accounts(
    moves: list[tuple[VoterRow, str]], report: VoterImportReport, *, now: datetime, write: bool
) -> None:
    """For these voters of one chunk (each row with the address it leaves), before the chunk
    is written: one BatchGetItem, then for each account steps 1 to 3 above."""
    accounts = accounts_of([row.voter_id for row, _ in moves])
    report.address_changes_with_account += len(accounts)
    if not write or not accounts:
        return
    requests, suspended = [], []
    for row, old_email in moves:
        account = accounts.get(row.voter_id)
        if account is None:
            continue
        marker = change_marker(row.voter_id, old_email, row.email)
        if account.address_change == marker and account.status != ACTIVE:
            changed_at = account.address_changed_at  # an interrupted run did step 1
        elif suspend_for_address_change(row.voter_id, change=marker, now=now):
            changed_at = now
        else:
            continue  # another import running at the same time did it, and queues the emails
        for kind, address in zip(_EMAILS, (old_email, row.email), strict=True):
            requests.append(
                {
                    "request": kind.value,
                    "request_id": request_id(kind.value, marker, changed_at),
                    "requested_at": time_key(changed_at),
                    "voter_id": row.voter_id,
                    "email": address,
                    "change": marker,
                }
            )
        suspended.append(row.voter_id)
    enqueue_batch(requests)
    for voter_id in suspended:
        delete_voter_sessions(voter_id)


def end_sessions(voter_ids: list[str], *, now: datetime) -> None:
    """Sign these voters out everywhere: the marker first (an UpdateItem each), which voids
    every session at once, then the clean-up (a Query and a BatchWriteItem each)."""
    for voter_id in voter_ids:
        void_sessions(voter_id, now=now)
        delete_voter_sessions(voter_id)
