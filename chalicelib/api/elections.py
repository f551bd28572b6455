"""The sealed elections over HTTP, for anyone: the list, and each one's public files.

`election.json` and `trustees.json` are served as the exact bytes the bureau sealed (a
booth and a verifier hash what they download: φ is the SHA-256 of election.json's bytes).
They never change after the seal, so they are cacheable for good, with a strong ETag.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import DATETIME, STRING, Answer, array, obj, operation
from chalicelib.domain import errors
from chalicelib.domain.elections import ELECTION_ID, PUBLISHED_FILES
from chalicelib.domain.phases import PARIS

elections = ApiBlueprint(__name__)

LIST_CACHE = "public, max-age=60"
FILE_CACHE = "public, max-age=31536000, immutable"
FILE_TYPE = "application/json"

ELECTION = obj(
    id=STRING,
    name=STRING,
    scrutins=array(obj(id=STRING, label=STRING)),
    fingerprint={"type": "string", "pattern": "^[0-9a-f]{64}$"},
    sealed_at=DATETIME,
)
# Any other id or name is 404 election_not_found, never looked up.
FILE_PATH = {
    "election_id": {"type": "string", "pattern": ELECTION_ID.pattern},
    "name": {"enum": list(PUBLISHED_FILES)},
}


def _service():
    """Imported on the first request, not at every cold start: few containers serve these
    files (browsers and CloudFront cache them), and the bureaus model costs about 10 ms."""
    from chalicelib.services import elections

    return elections


@elections.route("/api/elections", methods=["GET"])
@operation(
    "Les élections scellées",
    answers={
        200: Answer(
            obj(elections=array(ELECTION)),
            "Chaque élection scellée, avec ses scrutins et son empreinte φ (SHA-256 de son election.json).",
            headers=("Cache-Control",),
        )
    },
)
def sealed_elections():
    listed = [
        {
            "id": election.id,
            "name": election.name,
            "scrutins": [{"id": s.id, "label": s.label} for s in election.scrutins],
            "fingerprint": election.fingerprint,
            "sealed_at": election.sealed_at.astimezone(PARIS).isoformat(),
        }
        for election in _service().sealed_elections()
    ]
    return json_response({"elections": listed}, headers={"Cache-Control": LIST_CACHE})


@elections.route("/api/elections/{election_id}/{name}", methods=["GET", "HEAD"])
@operation(
    "Un fichier public d'une élection scellée (election.json, trustees.json)",
    answers={
        200: Answer(
            {"type": "object"}, "Le fichier, octet pour octet tel que scellé.", headers=("ETag", "Cache-Control")
        ),
        304: Answer(None, "Le fichier n'a pas changé (If-None-Match).", headers=("ETag", "Cache-Control")),
    },
    errors=(errors.ElectionNotFound,),
    path=FILE_PATH,
)
def published_file(election_id, name):
    """The exact bytes sealed, never re-encoded; ETag is the quoted SHA-256 hex of those bytes,
    and If-None-Match with it answers 304 without a body. HEAD answers GET's headers."""
    found = _service().published_file(election_id, name)
    etag = f'"{found.sha256}"'
    headers = {"ETag": etag, "Cache-Control": FILE_CACHE}
    if _matches(elections.current_request.headers.get("if-none-match"), etag):
        return Response(body="", status_code=304, headers=headers)
    # A body that is not of a binary type travels as text, encoded in UTF-8 by API Gateway
    # (and by Chalice's local server): the stored UTF-8 bytes, unchanged.
    return Response(body=found.data.decode("utf-8"), status_code=200, headers={"Content-Type": FILE_TYPE, **headers})


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110, 13.1.2: a list of entity tags or "*", compared weakly."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)
