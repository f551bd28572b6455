"""The accounts table: the state of each voter's espace, keyed by `voter_id`.

Kept apart from the imported voter data (see `store.voters`) so that the import never
writes here. The email is not copied here: it belongs to the voter data, and an updated
electoral list that corrects an address carries the account along with it.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

PENDING = "pending"  # a confirmation email was sent; no password yet
ACTIVE = "active"  # a password was created from a confirmation link


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


def find_account(voter_id: str) -> Account | None:
    try:
        return Account.get(voter_id)
    except Account.DoesNotExist:
        return None


def create_pending_account(voter_id: str, now) -> None:
    """A pending account, unless one exists already (a conditional put: never overwrites)."""
    from pynamodb.exceptions import PutError

    try:
        Account(voter_id=voter_id, status=PENDING, created_at=now).save(condition=Account.voter_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
