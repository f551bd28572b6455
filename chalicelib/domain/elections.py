"""Sealed elections as the public sees them: what an election id looks like, and which of
its files are public.

An election is a polling bureau's (`chalicelib/services/bureaus.py`): its id is the bureau's
uuid4. From the seal on, `election.json` and `trustees.json` are public and never change
(docs/voting.md); nothing is public before the seal.
"""

from __future__ import annotations

import re

# A uuid as `str(uuid.uuid4())` writes it; anything else is not looked up (`$` alone would let a
# final newline through: match with `fullmatch`).
ELECTION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# The files published from the seal on; the others (seal-manifest.json, seal-open.json) are
# published with the count.
ELECTION_FILE = "election.json"
TRUSTEES_FILE = "trustees.json"
PUBLISHED_FILES = (ELECTION_FILE, TRUSTEES_FILE)
