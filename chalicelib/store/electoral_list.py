"""The electoral lists: one item per voter and ballot, a partition per ballot.

The sort key is the accent-folded, upper-cased last name, first name and the voter id
(see `chalicelib.domain.names.list_sort_key`), so one Query per page reads a ballot's list in
alphabetical order, and `begins_with` on the same key answers a search by name prefix.
The item carries only what other voters may see (name, first name, workplace) plus the
voter id needed to maintain it; the API never returns the voter id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.transient import translate_transient

if TYPE_CHECKING:  # the import's rows: the API reads the lists, never builds them
    from chalicelib.domain.voter_rows import VoterRow


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


@translate_transient()
def voter_ids_page(ballot_id: str, *, cursor: dict | None, limit: int) -> tuple[list[str], dict | None]:
    """The voter ids of up to `limit` entries of a ballot's list from `cursor` (one Query),
    and the cursor of what follows (None at the list's end)."""
    results = ElectoralListEntry.query(
        ballot_id,
        last_evaluated_key=cursor,
        limit=limit,
        page_size=limit,
        attributes_to_get=["voter_id", "ballot_id", "sort_key"],
    )
    voter_ids = [entry.voter_id for entry in results]
    return voter_ids, results.last_evaluated_key


@translate_transient()
def change_entries(*, remove: Iterable[tuple[str, str]], add: Iterable[tuple[str, VoterRow]]) -> int:
    """Delete the entries at these (ballot, sort key) and write these voters' entries on these
    ballots, by BatchWriteItem. Whole-item puts and deletes: repeating a call changes nothing.
    Returns the items written."""
    items = 0
    with ElectoralListEntry.batch_write() as batch:
        for ballot_id, sort_key in remove:
            batch.delete(ElectoralListEntry(ballot_id, sort_key))
            items += 1
        for ballot_id, row in add:
            batch.save(
                ElectoralListEntry(
                    ballot_id,
                    row.sort_key,
                    last_name=row.last_name,
                    first_name=row.first_name,
                    workplace=row.workplace,
                    voter_id=row.voter_id,
                )
            )
            items += 1
    return items
