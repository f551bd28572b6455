"""The sessions table: signed-in browsers, stored only as hashes of the cookie's id."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import condition_held, get_or_none, table_meta
from chalicelib.transient import translate_transient


class SessionByVoter(GlobalSecondaryIndex):
    """Sign-out everywhere and password reset delete every session of one voter."""

    class Meta:
        index_name = "by-voter"
        projection = KeysOnlyProjection()

    voter_id = UnicodeAttribute(hash_key=True)


class Session(Model):
    Meta = table_meta("SESSIONS_TABLE")

    session_hash = UnicodeAttribute(hash_key=True)
    voter_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Refreshed at most every few minutes, not on every request, to keep reads cheap.
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    expires_ttl = TTLAttribute()
    # When the voter typed their voter code in this session: voting needs it, once a session.
    code_verified_at = UTCDateTimeAttribute(null=True)

    by_voter = SessionByVoter()


@translate_transient()
def find_session(session_hash: str) -> Session | None:
    return get_or_none(Session, session_hash)


@translate_transient()
def save_session(session_hash: str, *, voter_id: str, now, expires_at) -> None:
    Session(
        session_hash, voter_id=voter_id, created_at=now, last_seen_at=now, expires_at=expires_at, expires_ttl=expires_at
    ).save()


@translate_transient()
def touch_session(session_hash: str, *, now, expires_at) -> bool:
    """Refresh a session's last-seen; False when it no longer exists (signed out, or voided,
    between its read and this write): it is never written back to life."""
    return condition_held(
        lambda: Session(session_hash).update(
            actions=[
                Session.last_seen_at.set(now),
                Session.expires_at.set(expires_at),
                Session.expires_ttl.set(expires_at),
            ],
            condition=Session.session_hash.exists(),
        )
    )


@translate_transient()
def delete_session(session_hash: str) -> None:
    Session(session_hash).delete()


@translate_transient()
def delete_voter_sessions(voter_id: str) -> int:
    """Delete every session of one voter (found through the by-voter index)."""
    hashes = [s.session_hash for s in Session.by_voter.query(voter_id)]
    with Session.batch_write() as batch:
        for session_hash in hashes:
            batch.delete(Session(session_hash))
    return len(hashes)


@translate_transient()
def mark_code_verified(session_hash: str, *, now: datetime) -> bool:
    """Record that this session's voter typed their code; False if the session is gone. The
    first time stands (if_not_exists): typing the code again after the close must not take
    away the grace of a voter who was in the booth before it."""
    return condition_held(
        lambda: Session(session_hash).update(
            actions=[Session.code_verified_at.set(Session.code_verified_at | now)],
            condition=Session.session_hash.exists(),
        )
    )
