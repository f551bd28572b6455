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
