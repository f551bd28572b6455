"""The public record (`bureau publish ID DOSSIER`): every file VOTING.md lists, for anyone to
check with `python -m verifier DOSSIER`.

Written from what the bureau recorded (election.json, trustees.json, seal-open.json,
seal-close.json, tally.json, the partials used, result.json) and the box exported again
(`ballots/<σ>.jsonl`, sorted by nonce), which must be the file the close sealed: a closed box
never changes. Only once the result exists: before it, nothing of the box is public.

Then the same files go to the portal, which serves them read-only to anyone with the page
where voters find their receipt (`services.public_record`).
"""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.crypto import ceremony_folder as files
from chalicelib.services import box_export
from chalicelib.services.bureaus import BureauError
from chalicelib.services.public_record import Published, RecordChanged, put_on_portal
from chalicelib.services.results import PARTIALS, RESULT
from chalicelib.store import bureaus as store

RECORDED = (files.ELECTION, files.TRUSTEES, files.SEAL_OPEN, files.SEAL_CLOSE, files.TALLY, RESULT)


def publish(bureau_id: str, folder: Path) -> tuple[list[str], Published]:
    """The record's files written to `folder`, then put on the portal; their names."""
    definition = store.get_definition(bureau_id)
    if definition is None:
        raise BureauError("bureau_not_found", bureau=bureau_id)
    result = store.get_file(bureau_id, RESULT) if definition.state == store.CLOSED else None
    if result is None:
        raise BureauError("no_result", bureau=bureau_id)
    recorded = {name: result if name == RESULT else store.get_file(bureau_id, name) for name in RECORDED}
    written = []
    for name, data in recorded.items():
        files.write_bytes(folder / name, data)
        written.append(name)
    for group, indices in json.loads(result)["used"].items():
        for index in indices:
            name = f"{PARTIALS}/{group}-{index}.json"
            files.write_bytes(folder / name, store.get_file(bureau_id, name))
            written.append(name)
    # The close's manifest as recorded: its signatures were checked when it was, and again by
    # the count before the tally; the verifier checks them from the published file.
    manifest = json.loads(json.loads(recorded[files.SEAL_CLOSE])["manifest"])
    closed = {entry["id"]: entry for entry in manifest["scrutins"]}
    for scrutin, entry in closed.items():
        count, digest = box_export.export_box(scrutin, folder)
        if (count, digest) != (entry["ballots"], entry["ballots_sha256"]):
            raise BureauError("box_changed", bureau=bureau_id, what=f"{scrutin}: ballots")
        written.append(f"{files.BALLOTS}/{scrutin}.jsonl")
    try:
        return written, put_on_portal(bureau_id, folder, written)
    except RecordChanged:
        raise BureauError("record_changed", bureau=bureau_id) from None
