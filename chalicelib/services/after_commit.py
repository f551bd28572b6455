"""Steps that follow a committed write, whose failure must not undo the voter's success.

Once a password is stored, answering an error would tell the voter that nothing happened,
when their link is used and their password changed. Clean-ups (other sessions, sign-in
counters) and notices (the "password changed" email) are therefore tried once and, if AWS
refuses them even after botocore's retries, logged for the operators instead of raised:
sessions are already voided by the committed write itself (`sessions_valid_after`), and the
counters expire on their own.
"""

from __future__ import annotations

import logging

from chalicelib.logs import log_event


def attempt(step: str, action, *args, **kwargs):
    """Run `action` and return its result; on failure log `step` (never its arguments) and
    return None."""
    try:
        return action(*args, **kwargs)
    except Exception as error:  # any failure: the committed write stands either way
        log_event(
            "after_commit_failed",
            logger="espace_electeur.services",
            level=logging.ERROR,
            step=step,
            error=type(error).__name__,
        )
        return None


def best_effort(step: str, action, *args, **kwargs) -> bool:
    """Run `action` for its effect; False if it failed (logged by `attempt`)."""
    return attempt(step, lambda: action(*args, **kwargs) or True) is not None
