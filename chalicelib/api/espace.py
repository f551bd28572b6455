"""The voter's espace over HTTP: ballots, electoral lists and claims; and public claims."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.api.auth import client_of, signed_in
from chalicelib.api.requests import json_object, text_field
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.domain import messages
from chalicelib.domain.ballots import DATE_FIELDS
from chalicelib.domain.claims import claims_open, lists_visible
from chalicelib.domain.phases import PARIS
from chalicelib.services import ballots, claims, sessions

espace = ApiBlueprint(__name__)


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


@espace.route("/api/me/ballots", methods=["GET"])
def my_ballots():
    voter = _voter(espace.current_request)
    now = clock.utc_now()
    return json_response({"ballots": [_ballot(v, now) for v in ballots.my_ballots(voter, now=now)]})


@espace.route("/api/ballots/{ballot_id}/electoral-list", methods=["GET"])
def electoral_list(ballot_id):
    request = espace.current_request
    voter = _voter(request)
    params = request.query_params or {}
    page = ballots.electoral_list_page(
        voter, ballot_id, query=params.get("q"), cursor=params.get("cursor"), now=clock.utc_now()
    )
    return json_response({"voters": page.voters, "next_cursor": page.next_cursor})


@espace.route("/api/ballots/{ballot_id}/claims", methods=["POST"])
def file_claim(ballot_id):
    request = espace.current_request
    voter = _voter(request)
    body = json_object(request)
    claim, new = claims.file_ballot_claim(
        voter, ballot_id, text_field(body, "message", max_length=100_000), now=clock.utc_now()
    )
    return json_response({"reference": claim.reference, "created_at": _paris(claim.created_at)}, 201 if new else 200)


@espace.route("/api/me/claims", methods=["GET"])
def my_claims():
    who = signed_in(espace.current_request)
    return json_response({"claims": [_claim(c) for c in claims.my_claims(who.voter_id)]})


@espace.route("/api/public-claims", methods=["POST"])
def public_claim():
    """Every field's problem comes back at once (`invalid_fields`); a field that is not a
    string counts as empty."""
    request = espace.current_request
    body = json_object(request)
    fields = {name: body.get(name) for name in claims.PUBLIC_FIELDS}
    claims.file_public_claim(fields, client=client_of(request), now=clock.utc_now())
    return json_response({"message": messages.for_code("public_claim_accepted")}, 202)
