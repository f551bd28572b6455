"""An election's public record over HTTP, read-only, for anyone, once `bureau publish` has put
it on the portal (VOTING.md, "The public record"; `services.public_record`).

`…/record/index.json` lists the files with their size, SHA-256 and pages; each file is served
in pages (`?page=N`, from 0) of at most 256 KB, whose concatenation is the file's exact bytes,
so a verifier downloads, hashes and checks them. `…/record/receipts/<prefix>` is a bucket of
receipts for the page « Mon vote a bien été pris en compte ». A published record never
changes: everything is cacheable for good, with the page's SHA-256 as a strong ETag.
"""

from __future__ import annotations

import hashlib
import re

from chalice import Response

from chalicelib.api.responses import ApiBlueprint
from chalicelib.api.schemas import Answer, Query, obj, operation
from chalicelib.domain import errors
from chalicelib.domain.elections import ELECTION_ID

record = ApiBlueprint(__name__)

CACHE = "public, max-age=31536000, immutable"
TYPES = {".json": "application/json", ".jsonl": "application/x-ndjson"}
# The files at the record's top level; the others are under partials/ and ballots/.
TOP_FILES = ("index.json", "election.json", "trustees.json", "seal-open.json", "seal-close.json",
             "tally.json", "result.json")  # fmt: skip
PARTIAL_NAME = re.compile(r"^(adm|del)-[1-9][0-9]{0,2}\.json$")
BALLOTS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.jsonl$")
RECEIPT_PREFIX = re.compile(r"^[0-9A-HJKMNP-TV-Z]{1,4}$")
PAGE = re.compile(r"^(0|[1-9][0-9]{0,6})$")
ELECTION_PATH = {"election_id": {"type": "string", "pattern": ELECTION_ID.pattern}}
PAGE_QUERY = (Query("page", "La page du fichier, à partir de 0 (index.json donne le nombre de pages).", 7),)
FILE_ANSWERS = {
    200: Answer(
        {"type": "string"},
        "Une page du fichier : ses octets exacts, à la suite de la page précédente.",
        headers=("ETag", "Cache-Control"),
    )
}
NOT_THERE = (errors.RecordNotPublished, errors.RecordFileNotFound)


def _service():
    """Imported on the first request for the record, not at every cold start."""
    from chalicelib.services import public_record

    return public_record


def _page(election_id: str, name: str) -> Response:
    if not ELECTION_ID.match(election_id):
        raise errors.RecordNotPublished()
    page = (record.current_request.query_params or {}).get("page", "0")
    if not PAGE.match(page):
        raise errors.RecordFileNotFound()
    if name == "index.json":
        body = _service().record_index(election_id)
    else:
        body, _ = _service().record_page(election_id, name, int(page))
    return _text(body, TYPES["." + name.rsplit(".", 1)[1]], cache=name != "index.json")


def _text(body: str, content_type: str, *, cache: bool = True) -> Response:
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    # The index may be written again identical, never changed, but it is small: a minute.
    headers = {"ETag": f'"{digest}"', "Cache-Control": CACHE if cache else "public, max-age=60"}
    return Response(body=body, status_code=200, headers={"Content-Type": f"{content_type}; charset=utf-8", **headers})


@record.route("/api/elections/{election_id}/record/{name}", methods=["GET"])
@operation(
    "Un fichier du registre public (index.json, election.json, trustees.json, seal-open.json, seal-close.json, "
    "tally.json, result.json)",
    answers=FILE_ANSWERS,
    errors=NOT_THERE,
    query=PAGE_QUERY,
    path={**ELECTION_PATH, "name": {"enum": list(TOP_FILES)}},
)
def record_file(election_id, name):
    if name not in TOP_FILES:
        raise errors.RecordFileNotFound()
    return _page(election_id, name)


@record.route("/api/elections/{election_id}/record/partials/{name}", methods=["GET"])
@operation(
    "Une décryption partielle du registre public (partials/adm-1.json…)",
    answers=FILE_ANSWERS,
    errors=NOT_THERE,
    query=PAGE_QUERY,
    path={**ELECTION_PATH, "name": {"type": "string", "pattern": PARTIAL_NAME.pattern}},
)
def record_partial(election_id, name):
    if not PARTIAL_NAME.match(name):
        raise errors.RecordFileNotFound()
    return _page(election_id, f"partials/{name}")


@record.route("/api/elections/{election_id}/record/ballots/{name}", methods=["GET"])
@operation(
    "L'urne d'un scrutin, dans le registre public (ballots/<scrutin>.jsonl, triée par nonce)",
    answers=FILE_ANSWERS,
    errors=NOT_THERE,
    query=PAGE_QUERY,
    path={**ELECTION_PATH, "name": {"type": "string", "pattern": BALLOTS_NAME.pattern}},
)
def record_ballots(election_id, name):
    if not BALLOTS_NAME.match(name):
        raise errors.RecordFileNotFound()
    return _page(election_id, f"ballots/{name}")


@record.route("/api/elections/{election_id}/record/receipts/{prefix}", methods=["GET"])
@operation(
    "Les accusés de réception de l'urne dont le code court commence ainsi",
    answers={
        200: Answer(
            obj(prefix={"type": "string"}, receipts={"type": "array"}),
            "Chaque accusé de réception du registre dont le code commence par ce préfixe, avec son scrutin : "
            "la page cherche celui de l'électeur parmi eux, sans dire lequel au serveur.",
            headers=("ETag", "Cache-Control"),
        )
    },
    errors=NOT_THERE,
    path={**ELECTION_PATH, "prefix": {"type": "string", "pattern": RECEIPT_PREFIX.pattern}},
)
def receipt_bucket(election_id, prefix):
    if not ELECTION_ID.match(election_id):
        raise errors.RecordNotPublished()
    if not RECEIPT_PREFIX.match(prefix):
        raise errors.RecordFileNotFound()
    return _text(_service().receipt_bucket(election_id, prefix), TYPES[".json"])
