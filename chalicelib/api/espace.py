"""The voter's espace over HTTP: ballots, electoral lists and claims; and public claims."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.api.auth import client_of, signed_in
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import BOOLEAN, DATETIME, STRING, Answer, Body, Query, Text, array, nullable, obj, operation
from chalicelib.domain import errors, messages
from chalicelib.domain.ballots import BALLOT_ID, DATE_FIELDS
from chalicelib.domain.claims import claims_open, lists_visible
from chalicelib.domain.field_lengths import MAX_LENGTHS
from chalicelib.domain.phases import PARIS
from chalicelib.services import ballots, claims, sessions

espace = ApiBlueprint(__name__)

CLAIM_BODY = Body({"message": Text(100_000, "La réclamation (de 10 à 2 000 caractères).")})
# Read as they are: the service reports every field's problem at once (`invalid_fields`).
PUBLIC_CLAIM_BODY = Body(
    {
        "last_name": Text(MAX_LENGTHS["last_name"]),
        "first_name": Text(MAX_LENGTHS["first_name"]),
        "email": Text(320, format="email"),
        "workplace": Text(MAX_LENGTHS["workplace"]),
        "message": Text(100_000),
    },
    strict=False,
)
BALLOT = obj(
    id=STRING,
    label=STRING,
    kind=STRING,
    level=STRING,
    perimeter=STRING,
    **{field: nullable(DATETIME) for field in DATE_FIELDS},
    phase=STRING,
    lists_visible=BOOLEAN,
    claims_open=BOOLEAN,
    candidate_lists_published=BOOLEAN,
    candidate_lists=array(obj(id=STRING, name=STRING, acronym=STRING, statement_url=STRING)),
)
CLAIM = obj(
    reference=STRING,
    ballot_id=nullable(STRING),
    message=STRING,
    status=STRING,
    created_at=DATETIME,
    answer=nullable(STRING),
    answered_at=nullable(DATETIME),
)
CLAIM_FILED = obj(reference=STRING, created_at=DATETIME)
# Any other id is 404 ballot_not_found, never looked up (JSON Schema's `$` is the end of the text).
BALLOT_PATH = {"ballot_id": {"type": "string", "pattern": BALLOT_ID.pattern}}


def _paris(moment):
    return moment.astimezone(PARIS).isoformat() if moment else None


def _voter(request):
    return sessions.voter_of(signed_in(request))


def _ballot(view: ballots.BallotView, now) -> dict:
    """A ballot with the rights its phase gives, decided here so the pages never work them out."""
    ballot = view.ballot
    return {
        "id": ballot.ballot_id,
        "label": ballot.label,
        "kind": ballot.kind,
        "level": ballot.level,
        "perimeter": ballot.perimeter,
        **{field: _paris(getattr(ballot, field)) for field in DATE_FIELDS},
        "phase": view.phase.value,
        "lists_visible": lists_visible(ballot, now),
        "claims_open": claims_open(ballot, now),
        "candidate_lists_published": view.candidates_published,
        "candidate_lists": [
            {"id": c.list_id, "name": c.name, "acronym": c.acronym, "statement_url": c.statement_url}
            for c in ballot.candidate_lists
        ]
        if view.candidates_published
        else [],
    }


def _claim(claim) -> dict:
    return {
        "reference": claim.reference,
        "ballot_id": claim.ballot_id,
        "message": claim.message,
        "status": claim.status,
        "created_at": _paris(claim.created_at),
        "answer": claim.answer,
        "answered_at": _paris(claim.answered_at),
    }


# What a route on one of the signed-in voter's ballots may answer about the ballot itself.
ONE_OF_MY_BALLOTS = (errors.BallotNotFound, errors.NotOnList, errors.ListsNotPublished)


@espace.route("/api/me/ballots", methods=["GET"])
@operation(
    "Mes scrutins",
    answers={200: Answer(obj(ballots=array(BALLOT)), "Les scrutins de l'électeur et ce que leur phase permet.")},
    signed_in=True,
)
def my_ballots():
    voter = _voter(espace.current_request)
    now = clock.utc_now()
    return json_response({"ballots": [_ballot(v, now) for v in ballots.my_ballots(voter, now=now)]})


@espace.route("/api/ballots/{ballot_id}/electoral-list", methods=["GET"])
@operation(
    "Une page de la liste électorale d'un de mes scrutins",
    query=(
        Query("q", "Le début du nom de famille cherché.", 200),
        Query("cursor", "La page suivante (`next_cursor` de la précédente).", 1000),
    ),
    answers={
        200: Answer(
            obj(
                voters=array(obj(last_name=STRING, first_name=STRING, workplace=STRING)),
                next_cursor=nullable(STRING),
            ),
            "100 noms au plus, dans l'ordre de la liste.",
        )
    },
    errors=(*ONE_OF_MY_BALLOTS, errors.InvalidCursor, errors.TooManyRequests),
    path=BALLOT_PATH,
    signed_in=True,
)
def electoral_list(ballot_id):
    request = espace.current_request
    voter = _voter(request)
    params = request.query_params or {}
    page = ballots.electoral_list_page(
        voter, ballot_id, query=params.get("q"), cursor=params.get("cursor"), now=clock.utc_now()
    )
    return json_response({"voters": page.voters, "next_cursor": page.next_cursor})


@espace.route("/api/ballots/{ballot_id}/claims", methods=["POST"])
@operation(
    "Contester la liste électorale d'un de mes scrutins",
    body=CLAIM_BODY,
    answers={
        201: Answer(CLAIM_FILED, "Réclamation enregistrée."),
        200: Answer(CLAIM_FILED, "La même réclamation était déjà enregistrée."),
    },
    errors=(errors.InvalidMessage, *ONE_OF_MY_BALLOTS, errors.ClaimsClosed, errors.TooManyRequests),
    path=BALLOT_PATH,
    signed_in=True,
)
def file_claim(ballot_id):
    request = espace.current_request
    voter = _voter(request)
    body = CLAIM_BODY.parse(request)
    claim, new = claims.file_ballot_claim(voter, ballot_id, body["message"], now=clock.utc_now())
    return json_response({"reference": claim.reference, "created_at": _paris(claim.created_at)}, 201 if new else 200)


@espace.route("/api/me/claims", methods=["GET"])
@operation(
    "Mes réclamations",
    answers={200: Answer(obj(claims=array(CLAIM)), "Les réclamations et leurs réponses.")},
    signed_in=True,
)
def my_claims():
    who = signed_in(espace.current_request)
    return json_response({"claims": [_claim(c) for c in claims.my_claims(who.voter_id)]})


@espace.route("/api/public-claims", methods=["POST"])
@operation(
    "Signaler une absence ou une erreur d'adresse dans les listes (sans compte)",
    body=PUBLIC_CLAIM_BODY,
    answers={
        202: Answer(obj(reference=STRING, message=STRING), "Signalement enregistré ; un accusé part par courriel.")
    },
    errors=(errors.InvalidFields, errors.TooManyRequests),
)
def public_claim():
    """Every field's problem comes back at once (`invalid_fields`); a field that is not a
    string counts as empty."""
    request = espace.current_request
    fields = PUBLIC_CLAIM_BODY.parse(request)
    reference = claims.file_public_claim(fields, client=client_of(request), now=clock.utc_now())
    return json_response(
        {"reference": reference, "message": messages.for_code("public_claim_accepted", reference=reference)}, 202
    )
