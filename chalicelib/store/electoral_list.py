"""The electoral lists: one item per voter and ballot, a partition per ballot.

The sort key is the accent-folded, upper-cased last name, first name and the voter id
(see `chalicelib.domain.names.list_sort_key`), so one Query per page reads a ballot's list in
alphabetical order, and `begins_with` on the same key answers a search by name prefix.
The item carries only what other voters may see (name, first name, workplace) plus the
voter id needed to maintain it; the API never returns the voter id.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient


class ElectoralListEntry(Model):
    Meta = table_meta("ELECTORAL_LIST_TABLE")

    ballot_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)
    last_name = UnicodeAttribute()
    first_name = UnicodeAttribute()
    workplace = UnicodeAttribute()
    voter_id = UnicodeAttribute()


@translate_transient()
def list_page(ballot_id: str, *, start: str, search: str, limit: int) -> list[ElectoralListEntry]:
    """Up to `limit` entries from `start` (inclusive), within the search prefix: one Query."""
    if search:
        condition = ElectoralListEntry.sort_key.between(max(start, search), search + "~")
    elif start:
        condition = ElectoralListEntry.sort_key >= start
    else:
        condition = None
    return list(ElectoralListEntry.query(ballot_id, condition, limit=limit))
