"""DEMO ONLY: `bureau demo-close ID` ends a demo bureau's vote now, so `make demo-election`
can take the local demo from the seal to a verified result in minutes instead of waiting for
the scrutins' real close.

It writes `closed_early_at` on the bureau's ballots; the cast, the booth and the close read it
only where `settings.demo_switches()` holds, which needs the stage to be `local` and its
configuration to say so (`.chalice/config.json`): in any other stage the command is refused
and the attribute, were it ever written, is ignored. From that moment no session may cast
(no grace: the demo has nobody in the booth to wait for), so the close may run at once.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib import settings
from chalicelib.store import bureaus as store


def close_voting_now(bureau_id: str, *, now: datetime) -> list[str]:
    """The demo bureau's ballots, whose vote ends at `now`."""
    from chalicelib.services.bureaus import BureauError  # the cast imports `ends_early` alone

    if not settings.demo_switches():
        raise BureauError("demo_only", stage=settings.optional("STAGE") or "?")
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    if definition.state != store.SEALED:
        raise BureauError("not_sealed", bureau=bureau_id)
    try:
        store.close_voting_early(bureau_id, list(definition.ballot_ids), now)
    except store.StateChanged:
        raise BureauError("close_raced", bureau=bureau_id) from None
    return list(definition.ballot_ids)


def ends_early(ballot) -> datetime | None:
    """When a demo ballot's vote was ended by `bureau demo-close` (None: at its own close)."""
    return ballot.closed_early_at if settings.demo_switches() else None
