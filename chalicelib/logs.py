"""Log lines as one JSON object each, so that CloudWatch Logs Insights can filter on fields.

Every line names its event first; the fields after it are values the operators need to
follow one request or one email, and never a secret, a password or a link.
"""

from __future__ import annotations

import json
import logging


def log_event(
    name: str, *, logger: str = "espace_electeur", level: int = logging.INFO, exc_info: bool = False, **fields
) -> None:
    """Write `{"event": name, **fields}` as one line; `exc_info` adds the traceback being handled."""
    logging.getLogger(logger).log(level, json.dumps({"event": name, **fields}, default=str), exc_info=exc_info)
