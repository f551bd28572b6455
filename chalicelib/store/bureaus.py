"""The polling bureaus table: each bureau (one election), its ceremony's messages, its files.

Partition `bureau_id` (the election's uuid), sort key `part`:

- "definition": name, ballots, the roster of key holders, the state (ceremony → keys_ready →
  sealed → closing → closed), the ceremony's attempt number, and why the last attempt failed;
- "message#02#round1#del-3": one key holder's message of one round of one attempt, as
  handed in (its exact text), written once (condition: absent);
- "file#trustees.json", "file#election.json", "file#seal-manifest.json",
  "file#seal-open.json", "file#seal-close-manifest.json", "file#seal-close.json",
  "file#tally.json", "file#result.json", "file#partials/adm-1.json": the exact bytes the bureau
  published or will publish;
- "count#CSA-MEN#07": one shard's sums, written once by the count's work item.

And one partition "sealed-elections" with an item per sealed election (its name, scrutins and
φ), so `GET /api/elections` is one Query. The election files are read by the API with one
GetItem each; nothing here is ever scanned.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.store.ballots import BallotItem
from chalicelib.store.base import condition_held, get_or_none, table_meta, transaction_connection
from chalicelib.transient import translate_transient

DEFINITION = "definition"
SEALED_ELECTIONS = "sealed-elections"

CEREMONY, KEYS_READY, SEALED = "ceremony", "keys_ready", "sealed"
CLOSING, CLOSED = "closing", "closed"  # the close's manifest written / signed by the key holders
VOTED = (SEALED, CLOSING, CLOSED)  # the states in which the sign-in list and the box may hold votes


def message_part(attempt: int, kind: str, label: str) -> str:
    return f"message#{attempt:02d}#{kind}#{label}"


def file_part(name: str) -> str:
    return f"file#{name}"


class BureauItem(Model):
    Meta = table_meta("BUREAUS_TABLE")

    bureau_id = UnicodeAttribute(hash_key=True)
    part = UnicodeAttribute(range_key=True)

    # The definition.
    name = UnicodeAttribute(null=True)
    ballot_ids = ListAttribute(of=UnicodeAttribute, null=True)
    roster = JSONAttribute(null=True)  # chalicelib.crypto.ceremony.Roster.to_json()
    grace_minutes = NumberAttribute(null=True)
    state = UnicodeAttribute(null=True)
    attempt = NumberAttribute(null=True)
    failure = JSONAttribute(null=True)  # the verdict that stopped the last attempt
    created_at = UTCDateTimeAttribute(null=True)
    state_changed_at = UTCDateTimeAttribute(null=True)

    # A message or a file: its exact text.
    body = UnicodeAttribute(null=True)
    received_at = UTCDateTimeAttribute(null=True)

    # An entry of "sealed-elections".
    scrutins = JSONAttribute(null=True)  # [{"id", "label"}]
    phi = UnicodeAttribute(null=True)
    sealed_at = UTCDateTimeAttribute(null=True)


class BallotUnavailable(Exception):
    """A ballot of a new bureau is unknown or already counted by another bureau."""

    def __init__(self, ballot_id: str, taken: bool):
        super().__init__(ballot_id)
        self.ballot_id, self.taken = ballot_id, taken


class StateChanged(Exception):
    """The bureau was not in the state this write expected (someone else moved it)."""


@translate_transient()
def create_bureau(bureau_id: str, *, name: str, ballot_ids: list[str], roster: dict, grace_minutes: int, now: datetime):
    """The definition and each ballot's `bureau_id`, in one transaction: a ballot already
    taken by another bureau makes the whole creation fail."""
    for ballot_id in ballot_ids:
        ballot = get_or_none(BallotItem, ballot_id)
        if ballot is None or ballot.bureau_id:
            raise BallotUnavailable(ballot_id, taken=ballot is not None)
    definition = BureauItem(
        bureau_id,
        DEFINITION,
        name=name,
        ballot_ids=ballot_ids,
        roster=roster,
        grace_minutes=grace_minutes,
        state=CEREMONY,
        attempt=1,
        created_at=now,
        state_changed_at=now,
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(definition, condition=BureauItem.bureau_id.does_not_exist())
            for ballot_id in ballot_ids:
                transaction.update(
                    BallotItem(ballot_id),
                    actions=[BallotItem.bureau_id.set(bureau_id)],
                    condition=BallotItem.ballot_id.exists() & BallotItem.bureau_id.does_not_exist(),
                )
    except TransactWriteError as error:
        reasons = getattr(error, "cancellation_reasons", None) or []
        for ballot_id, reason in zip(ballot_ids, reasons[1:], strict=False):
            if reason is not None:
                raise BallotUnavailable(ballot_id, taken=True) from None
        raise


@translate_transient()
def get_definition(bureau_id: str) -> BureauItem | None:
    return get_or_none(BureauItem, bureau_id, DEFINITION, consistent_read=True)


@translate_transient()
def messages(bureau_id: str, attempt: int) -> list[BureauItem]:
    """Every message of this attempt (one Query; a bureau has at most a few dozen)."""
    prefix = f"message#{attempt:02d}#"
    return list(BureauItem.query(bureau_id, BureauItem.part.startswith(prefix), consistent_read=True))


@translate_transient()
def add_message(bureau_id: str, attempt: int, kind: str, label: str, body: str, now: datetime) -> bool:
    """Record a message once; False if this member already handed in one for this round."""
    item = BureauItem(bureau_id, message_part(attempt, kind, label), body=body, received_at=now)
    return condition_held(lambda: item.save(condition=BureauItem.part.does_not_exist()))


@translate_transient()
def put_file(bureau_id: str, name: str, data: bytes, now: datetime) -> None:
    BureauItem(bureau_id, file_part(name), body=data.decode("utf-8"), received_at=now).save()


@translate_transient()
def get_file(bureau_id: str, name: str) -> bytes | None:
    """A file's exact bytes as last written (one GetItem, strongly consistent: `bureau seal`
    may write election.json again just before sealing, and the API must serve that one)."""
    item = get_or_none(BureauItem, bureau_id, file_part(name), consistent_read=True)
    return item.body.encode("utf-8") if item else None


@translate_transient()
def replace_before_seal(bureau_id: str, name: str, data: bytes, now: datetime) -> None:
    """Write a file again only while the bureau is not sealed (a ConditionCheck on the
    definition in the same transaction): a published file never changes."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.condition_check(BureauItem, bureau_id, DEFINITION, condition=BureauItem.state == KEYS_READY)
            transaction.save(BureauItem(bureau_id, file_part(name), body=data.decode("utf-8"), received_at=now))
    except TransactWriteError:
        raise StateChanged() from None


@translate_transient()
def keys_ready(bureau_id: str, attempt: int, *, trustees: bytes, election: bytes, now: datetime) -> None:
    """The ceremony's files and the state, in one transaction, for this attempt only."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for name, data in (("trustees.json", trustees), ("election.json", election)):
                transaction.save(BureauItem(bureau_id, file_part(name), body=data.decode("utf-8"), received_at=now))
            transaction.update(
                BureauItem(bureau_id, DEFINITION),
                actions=[BureauItem.state.set(KEYS_READY), BureauItem.state_changed_at.set(now)],
                condition=(BureauItem.state == CEREMONY) & (BureauItem.attempt == attempt),
            )
    except TransactWriteError:
        raise StateChanged() from None


@translate_transient()
def restart(bureau_id: str, attempt: int, failure: dict, now: datetime) -> None:
    """A new attempt of the ceremony (the messages of the old one stay, for the record)."""
    held = condition_held(
        lambda: BureauItem(bureau_id, DEFINITION).update(
            actions=[
                BureauItem.attempt.set(attempt + 1),
                BureauItem.failure.set(failure),
                BureauItem.state.set(CEREMONY),
                BureauItem.state_changed_at.set(now),
            ],
            condition=(BureauItem.attempt == attempt) & BureauItem.state.is_in(CEREMONY, KEYS_READY),
        )
    )
    if not held:
        raise StateChanged()


@translate_transient()
def record_seal(
    bureau_id: str,
    *,
    ballot_ids: list[str],
    election_json: bytes,
    fingerprints: dict,
    seal_open: bytes,
    name: str,
    scrutins: list[dict],
    phi: str,
    now: datetime,
) -> None:
    """The seal, in one transaction: the bureau sealed (it was keys_ready), election.json still
    the bytes the manifest names, seal-open.json, the public index entry, and every ballot
    marked sealed (still this bureau's, its definition still the one in the manifest)."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                BureauItem(bureau_id, DEFINITION),
                actions=[BureauItem.state.set(SEALED), BureauItem.state_changed_at.set(now)],
                condition=BureauItem.state == KEYS_READY,
            )
            transaction.condition_check(
                BureauItem,
                bureau_id,
                file_part("election.json"),
                condition=BureauItem.body == election_json.decode("utf-8"),
            )
            transaction.save(
                BureauItem(bureau_id, file_part("seal-open.json"), body=seal_open.decode("utf-8"), received_at=now)
            )
            transaction.save(
                BureauItem(SEALED_ELECTIONS, bureau_id, name=name, scrutins=scrutins, phi=phi, sealed_at=now),
                condition=BureauItem.part.does_not_exist(),
            )
            for ballot_id in ballot_ids:
                transaction.update(
                    BallotItem(ballot_id),
                    actions=[BallotItem.sealed_at.set(now)],
                    condition=(BallotItem.bureau_id == bureau_id)
                    & BallotItem.sealed_at.does_not_exist()
                    & (BallotItem.fingerprint == fingerprints[ballot_id]),
                )
    except TransactWriteError:
        raise StateChanged() from None


@translate_transient()
def close_voting_early(bureau_id: str, ballot_ids: list[str], now: datetime) -> None:
    """DEMO ONLY (`bureau demo-close`): each ballot's vote ended now, while the bureau is
    sealed (a ConditionCheck in the same transaction); a ballot already ended keeps its time."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.condition_check(BureauItem, bureau_id, DEFINITION, condition=BureauItem.state == SEALED)
            for ballot_id in ballot_ids:
                transaction.update(
                    BallotItem(ballot_id),
                    actions=[BallotItem.closed_early_at.set(BallotItem.closed_early_at | now)],
                    condition=(BallotItem.bureau_id == bureau_id) & BallotItem.sealed_at.exists(),
                )
    except TransactWriteError:
        raise StateChanged() from None


@translate_transient()
def begin_close(bureau_id: str, manifest: bytes, now: datetime) -> None:
    """The close's manifest and the state sealed → closing, in one transaction: written once."""
    _advance(bureau_id, SEALED, CLOSING, "seal-close-manifest.json", manifest, now)


@translate_transient()
def record_close(bureau_id: str, seal_close: bytes, now: datetime) -> None:
    """seal-close.json (the manifest and the key holders' signatures) and closing → closed."""
    _advance(bureau_id, CLOSING, CLOSED, "seal-close.json", seal_close, now)


def _advance(bureau_id: str, before: str, after: str, name: str, data: bytes, now: datetime) -> None:
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                BureauItem(bureau_id, DEFINITION),
                actions=[BureauItem.state.set(after), BureauItem.state_changed_at.set(now)],
                condition=BureauItem.state == before,
            )
            transaction.save(
                BureauItem(bureau_id, file_part(name), body=data.decode("utf-8"), received_at=now),
                condition=BureauItem.part.does_not_exist(),
            )
    except TransactWriteError:
        raise StateChanged() from None


def count_part(scrutin: str, shard: int) -> str:
    return f"count#{scrutin}#{shard:02d}"


@translate_transient()
def put_count_part(bureau_id: str, scrutin: str, shard: int, body: str, now: datetime) -> str:
    """One shard's sums, written once (condition: absent); the body stored, which is this one
    unless another worker wrote it first (the caller compares: a count is deterministic)."""
    return _put_once(bureau_id, count_part(scrutin, shard), body, now)


@translate_transient()
def count_parts(bureau_id: str) -> dict[tuple[str, int], str]:
    """Every shard's sums written so far: one Query (64 items per scrutin)."""
    return _by_shard(bureau_id, "count#")


def _by_shard(bureau_id: str, prefix: str) -> dict[tuple[str, int], str]:
    """The bodies of the items `<prefix><scrutin>#<NN>`, by (scrutin, shard): one Query."""
    parts = {}
    for item in BureauItem.query(bureau_id, BureauItem.part.startswith(prefix), consistent_read=True):
        _, scrutin, shard = item.part.rsplit("#", 2)
        parts[(scrutin, int(shard))] = item.body
    return parts


def count_failure_part(scrutin: str, shard: int) -> str:
    return f"count-failure#{scrutin}#{shard:02d}"


@translate_transient()
def put_count_failure(bureau_id: str, scrutin: str, shard: int, what: str, now: datetime) -> None:
    """Why a shard cannot be counted (a ballot that fails its checks), written once: a queued
    worker cannot answer `bureau count`, which reads this and stops the count."""
    _put_once(bureau_id, count_failure_part(scrutin, shard), what, now)


@translate_transient()
def count_failures(bureau_id: str) -> dict[tuple[str, int], str]:
    """Every shard that could not be counted, with the reason: one Query."""
    return _by_shard(bureau_id, "count-failure#")


@translate_transient()
def put_file_once(bureau_id: str, name: str, data: bytes, now: datetime) -> bytes:
    """A file written once (condition: absent); the bytes stored (these, or an earlier run's)."""
    return _put_once(bureau_id, file_part(name), data.decode("utf-8"), now).encode("utf-8")


def _put_once(bureau_id: str, part: str, body: str, now: datetime) -> str:
    """An item written once (condition: absent); the body stored: this one, or the first writer's."""
    item = BureauItem(bureau_id, part, body=body, received_at=now)
    if condition_held(lambda: item.save(condition=BureauItem.part.does_not_exist())):
        return body
    return get_or_none(BureauItem, bureau_id, part, consistent_read=True).body


@translate_transient()
def sealed_elections() -> list[BureauItem]:
    """Every sealed election: one Query (a national election has a few dozen bureaus)."""
    return list(BureauItem.query(SEALED_ELECTIONS))


@translate_transient()
def sealed_election(bureau_id: str) -> BureauItem | None:
    """One sealed election's public index entry (one GetItem), None before the seal: the
    entry is written by `record_seal`'s transaction, so it exists exactly when the bureau is
    sealed."""
    return get_or_none(BureauItem, SEALED_ELECTIONS, bureau_id)
