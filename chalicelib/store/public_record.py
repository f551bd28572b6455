"""The public record as the portal serves it, from `bureau publish` on (VOTING.md, "The public
record"): a table of its own, written by the bureau, read by anyone through the API.

Key `key` alone, one item per page, so every read is one GetItem and the pages of a national
box spread over as many partitions as DynamoDB likes:

- "<election>#index.json": the record's table of contents (`services.public_record`), written
  last: the record is published when, and only when, it exists;
- "<election>#file#<name>#<page>": page `page` (from 0) of a file of the record
  (`election.json`, `partials/adm-1.json`, `ballots/CSA-MEN.jsonl`…): at most `PAGE_BYTES` of
  UTF-8, cut at a line's end (or a character's); a file's pages, in order, are its exact bytes;
- "<election>#receipts#<prefix>": the receipts of the record whose short code starts with
  `prefix`, with their scrutin, for the page « mon vote a bien été pris en compte ».

Nothing here is secret: it is the published record. Nothing here says who cast what either:
the box never did, and a receipt is known only to its voter.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import condition_held, get_or_none, table_meta
from chalicelib.transient import translate_transient

INDEX = "index.json"
# A page's text, in UTF-8 bytes: under DynamoDB's 400 KB item, and a response well under
# Lambda's 6 MB (and fast on a phone).
PAGE_BYTES = 256 * 1024


class RecordItem(Model):
    Meta = table_meta("PUBLIC_RECORD_TABLE")

    key = UnicodeAttribute(hash_key=True)
    body = UnicodeAttribute()


def index_key(election_id: str) -> str:
    return f"{election_id}#{INDEX}"


def page_key(election_id: str, name: str, page: int) -> str:
    return f"{election_id}#file#{name}#{page}"


def receipts_key(election_id: str, prefix: str) -> str:
    return f"{election_id}#receipts#{prefix}"


@translate_transient()
def put_pages(items: Iterable[tuple[str, str]]) -> int:
    """Write (key, body) items, 25 to a BatchWriteItem (unprocessed items retried by PynamoDB);
    how many. Rewriting a page writes the same bytes: a published record is derived from the
    sealed box and files, which never change."""
    written = 0
    with RecordItem.batch_write() as batch:
        for key, body in items:
            batch.save(RecordItem(key, body=body))
            written += 1
    return written


@translate_transient()
def put_index(election_id: str, body: str) -> bool:
    """The index, written once (condition: absent); False if one is already there."""
    item = RecordItem(index_key(election_id), body=body)
    return condition_held(lambda: item.save(condition=RecordItem.key.does_not_exist()))


@translate_transient()
def get(key: str) -> str | None:
    """One item's text (one GetItem), or None."""
    item = get_or_none(RecordItem, key)
    return item.body if item else None


@translate_transient()
def get_with_index(election_id: str, key: str) -> tuple[str, str | None] | None:
    """The index and one item, in one BatchGetItem: None without an index (not published),
    else the index's text and the item's (None if absent)."""
    found = {item.key: item.body for item in RecordItem.batch_get([index_key(election_id), key])}
    index = found.get(index_key(election_id))
    return None if index is None else (index, found.get(key))
