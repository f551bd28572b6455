"""The accounts table: the state of each voter's espace, keyed by `voter_id`.

Kept apart from the imported voter data (see `store.voters`) so that re-importing a list
never overwrites it. The email is not copied here: it belongs to the voter data, and the
account follows the voter. The import writes here only to suspend an espace whose address
the roll changed (`suspend_for_address_change`) and to sign a pruned voter out
(`void_sessions`).

Every read and write of the table is a function here; each conditional write states its
condition next to the write, and says which domain rule it enforces.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.errors import ServiceBusy, TokenUsed
from chalicelib.store.base import CONFLICT_ATTEMPTS, condition_held, get_or_none, table_meta, transaction_connection
from chalicelib.store.tokens import Token
from chalicelib.transient import cancelled_by_conflict, response_code, translate_transient

PENDING = AccountStatus.PENDING
ACTIVE = AccountStatus.ACTIVE


class Account(Model):
    Meta = table_meta("ACCOUNTS_TABLE")

    voter_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default=PENDING)
    password_hash = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    activated_at = UTCDateTimeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    # Every emailed link issued before this instant is void: using one link voids the others
    # in the same transaction without touching each token item.
    tokens_valid_after = UTCDateTimeAttribute(null=True)
    # Same idea for sessions: a reset signs out every device at once.
    sessions_valid_after = UTCDateTimeAttribute(null=True)
    # The last address change the import suspended the espace for (`domain.address_changes`:
    # a digest of the voter id and both addresses, never an address), and when.
    address_change = UnicodeAttribute(null=True)
    address_changed_at = UTCDateTimeAttribute(null=True)
    # The campaigns whose email reached this espace before it was active ("<campaign>#<unit>"):
    # the activation counts itself on each of them, once, and empties this.
    reached_by = UnicodeSetAttribute(null=True)


@translate_transient()
def find_account(voter_id: str) -> Account | None:
    return get_or_none(Account, voter_id)


@translate_transient()
def create_pending_account(voter_id: str, now: datetime) -> None:
    """A pending account, unless one exists already (a conditional put: never overwrites)."""
    condition_held(
        lambda: Account(voter_id=voter_id, status=PENDING, created_at=now).save(
            condition=Account.voter_id.does_not_exist()
        )
    )


@translate_transient()
def prepare_for_campaign(voter_id: str, reached: str, *, now: datetime) -> Account | None:
    """Before a campaign's link is made: the espace exists (pending, created now if it was
    not), and remembers the campaign that reached it. None, with nothing written, if the
    espace is active or suspended for an address change: a campaign never writes to it.

    One conditional UpdateItem, so a voter who activates while the campaign runs is never
    sent an invitation after that moment."""
    account = Account(voter_id)
    written = condition_held(
        lambda: account.update(
            actions=[
                Account.status.set(Account.status | PENDING),
                Account.created_at.set(Account.created_at | now),
                Account.reached_by.add({reached}),
            ],
            condition=Account.voter_id.does_not_exist()
            | ((Account.status != ACTIVE) & Account.address_change.does_not_exist()),
        )
    )
    return account if written else None


@translate_transient()
def forget_reached(voter_id: str, mark: str) -> None:
    """The campaign's email did not go after all: it no longer counts this espace's activation."""
    Account(voter_id).update(actions=[Account.reached_by.delete({mark})], condition=Account.voter_id.exists())


def reached_mark(campaign_id: str, unit: int) -> str:
    return f"{campaign_id}#{unit}"


def _campaign_of(mark: str) -> tuple[str, int]:
    campaign_id, _, unit = mark.rpartition("#")
    return campaign_id, int(unit)


@translate_transient()
def activate_with_link(
    token: Token, *, password_hash: str, now: datetime, reached_by: frozenset[str] = frozenset()
) -> None:
    """Use the link: the account becomes active with this password, and every link dies.

    One transaction: the token must still be unused and unexpired, and the account must not
    have voided it since (`domain.links.link_problem`, written here as conditions). Twenty
    concurrent submissions of one link therefore give exactly one success, and the others
    `TokenUsed`. A transaction cancelled only by a concurrent one is tried again; when the
    attempts are spent nothing was written, the link still works, and the answer is
    `ServiceBusy`.
    """
    account_actions = [
        Account.status.set(ACTIVE),
        Account.password_hash.set(password_hash),
        Account.activated_at.set(Account.activated_at | now),
        Account.password_changed_at.set(now),
        Account.tokens_valid_after.set(now),
        Account.sessions_valid_after.set(now),
    ]
    if reached_by:  # an espace that campaigns reached while pending: each counts this activation
        account_actions.append(Account.reached_by.delete(set(reached_by)))
    for _ in range(CONFLICT_ATTEMPTS):
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(
                    Token(token.token_hash),
                    actions=[Token.used_at.set(now)],
                    condition=Token.token_hash.exists() & Token.used_at.does_not_exist() & (Token.expires_at > now),
                )
                transaction.update(
                    Account(token.voter_id),
                    actions=account_actions,
                    condition=Account.voter_id.exists()
                    & (Account.tokens_valid_after.does_not_exist() | (Account.tokens_valid_after < token.created_at)),
                )
                for mark in sorted(reached_by):
                    # Imported here: a sign-in's cold start has no use for the campaigns' model.
                    from chalicelib.store.campaigns import CampaignItem, unit_part

                    campaign_id, unit = _campaign_of(mark)
                    transaction.update(
                        CampaignItem(campaign_id, unit_part(unit)), actions=[CampaignItem.counter("activated").add(1)]
                    )
            return
        except TransactWriteError as error:
            if response_code(error) != "TransactionCanceledException":
                raise
            if not cancelled_by_conflict(error):
                raise TokenUsed() from error  # a condition failed: another submission came first
    raise ServiceBusy()


@translate_transient()
def rehash_password(voter_id: str, *, old_hash: str, new_hash: str) -> None:
    """Store a stronger hash of the same password, unless the password changed meanwhile."""
    Account(voter_id).update(actions=[Account.password_hash.set(new_hash)], condition=Account.password_hash == old_hash)


@translate_transient()
def replace_password(voter_id: str, *, old_hash: str, new_hash: str, now: datetime) -> None:
    """A signed-in voter's new password; every older session and every emailed link is void
    from `now` (a reset link asked for earlier must not undo the change).

    Conditional on the hash the voter proved they knew, so two concurrent changes cannot both
    succeed on the strength of one old password."""
    Account(voter_id).update(
        actions=[
            Account.password_hash.set(new_hash),
            Account.password_changed_at.set(now),
            Account.sessions_valid_after.set(now),
            Account.tokens_valid_after.set(now),
        ],
        condition=Account.password_hash == old_hash,
    )


@translate_transient()
def void_sessions(voter_id: str, *, now: datetime) -> None:
    """Every session of this voter opened before `now` is void, at once."""
    Account(voter_id).update(actions=[Account.sessions_valid_after.set(now)])


@translate_transient()
def suspend_for_address_change(voter_id: str, *, change: str, now: datetime) -> bool:
    """The roll gave this voter another address: the espace returns to pending, without a
    password, and every link and session issued until `now` is void (the markers that
    `activate_with_link` and sign-in already read). False when nothing was written.

    Conditional, so that it happens once per change: the account exists, and it was not
    suspended for this `change` already, unless it became active again since (a link asked
    at the old address before the new one was written: it is suspended anew).
    """
    return condition_held(
        lambda: Account(voter_id).update(
            actions=[
                Account.status.set(PENDING),
                Account.password_hash.remove(),
                Account.tokens_valid_after.set(now),
                Account.sessions_valid_after.set(now),
                Account.address_change.set(change),
                Account.address_changed_at.set(now),
            ],
            condition=Account.voter_id.exists()
            & (
                Account.address_change.does_not_exist()
                | (Account.address_change != change)
                | (Account.status == ACTIVE)
            ),
        )
    )


@translate_transient()
def accounts_of(voter_ids: list[str]) -> dict[str, Account]:
    """The accounts of these voters that exist, by voter id: BatchGetItem (100 keys a request),
    with only what the import needs."""
    if not voter_ids:
        return {}
    attributes = ["voter_id", "status", "address_change", "address_changed_at"]
    return {a.voter_id: a for a in Account.batch_get(voter_ids, attributes_to_get=attributes)}
