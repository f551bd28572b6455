"""Voting: the voter code, typed once per session before the booth (`POST /api/me/voter-code`)."""

from __future__ import annotations

from chalice import Response

from chalicelib import clock, wiring
from chalicelib.api.auth import client_of, signed_in
from chalicelib.api.responses import ApiBlueprint
from chalicelib.api.schemas import Answer, Body, Text, operation
from chalicelib.domain import errors
from chalicelib.services import voter_code_check

voting = ApiBlueprint(__name__)

VOTER_CODE_BODY = Body({"code": Text(64, "Le code électeur de la notice de vote (12 caractères, tirets facultatifs).")})


@voting.route("/api/me/voter-code", methods=["POST"])
@operation(
    "Saisir mon code électeur (une fois par session, avant de voter)",
    body=VOTER_CODE_BODY,
    answers={204: Answer(None, "Code reconnu : cette session peut voter.")},
    errors=(errors.InvalidVoterCode, errors.TooManyAttempts),
    signed_in=True,
)
def enter_voter_code():
    request = voting.current_request
    who = signed_in(request)
    body = VOTER_CODE_BODY.parse(request)
    voter_code_check.verify_voter_code(
        who, body["code"], client=client_of(request), pepper=wiring.voter_code_pepper(), now=clock.utc_now()
    )
    return Response(body="", status_code=204)
