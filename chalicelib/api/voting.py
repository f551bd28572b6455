"""Voting: the voter code typed once per session, the booth's list, and the cast of a ballot."""

from __future__ import annotations

from chalice import Response

from chalicelib import clock, wiring
from chalicelib.api.auth import client_of, signed_in
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import (
    BOOLEAN,
    DATETIME,
    INTEGER,
    STRING,
    Answer,
    Body,
    JsonObject,
    Text,
    array,
    nullable,
    obj,
    operation,
)
from chalicelib.domain import errors
from chalicelib.domain.ballots import BALLOT_ID
from chalicelib.domain.phases import PARIS
from chalicelib.services import sessions, voter_code_check, voting_status

voting = ApiBlueprint(__name__)

VOTER_CODE_BODY = Body({"code": Text(64, "Le code électeur de la notice de vote (12 caractères, tirets facultatifs).")})
VOTE_BODY = Body(
    {
        "ballot": JsonObject(
            "Le bulletin chiffré par l'isoloir (EV1, VOTING.md) : v, group, election, scrutin, nonce, "
            "choices, proofs, sum_proof."
        )
    }
)
BALLOT_PATH = {"ballot_id": {"type": "string", "pattern": BALLOT_ID.pattern}}
BOOTH_SCRUTIN = obj(
    id=STRING,
    label=STRING,
    kind=STRING,
    level=STRING,
    perimeter=STRING,
    state={"type": "string", "enum": ["not_open", "to_vote", "voted", "closed"]},
    voted_at=nullable(DATETIME),
    voting_opens_at=DATETIME,
    voting_closes_at=DATETIME,
    grace_minutes=INTEGER,
    election=nullable(obj(id=STRING, fingerprint=STRING)),
    options=array(STRING),
    candidate_lists=array(obj(id=STRING, name=STRING, acronym=STRING, statement_url=STRING)),
)
CAST = obj(receipt=STRING, short_receipt=STRING, voted_at=DATETIME, election=STRING)


def _paris(moment):
    return moment.astimezone(PARIS).isoformat() if moment else None


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


REISSUE_BODY = Body(
    {"birth_date": Text(32, "Votre date de naissance, telle que la liste électorale l'indique (JJ/MM/AAAA).")}
)
REISSUED = obj(code=STRING, issued_at=DATETIME)


@voting.route("/api/me/voter-code/reissue", methods=["POST"])
@operation(
    "Obtenir un nouveau code électeur (code perdu ou jamais reçu), pendant le vote",
    body=REISSUE_BODY,
    answers={
        201: Answer(
            REISSUED,
            "Le nouveau code, affiché une seule fois (il n'est ni conservé ni envoyé) ; l'ancien ne fonctionne plus.",
        )
    },
    errors=(
        errors.WrongBirthDate,
        errors.ReissueUnavailable,
        errors.ReissueClosed,
        errors.TooManyAttempts,
        errors.TooManyRequests,
    ),
    signed_in=True,
)
def reissue_voter_code():
    # Imported here: a re-issue is rare, and the API's cold start need not pay for it.
    from chalicelib.services import voter_code_reissue

    request = voting.current_request
    who = signed_in(request)
    body = REISSUE_BODY.parse(request)
    reissued = voter_code_reissue.reissue_self_service(
        who, body["birth_date"], client=client_of(request), pepper=wiring.voter_code_pepper(), now=clock.utc_now()
    )
    return json_response({"code": reissued.code, "issued_at": _paris(reissued.issued_at)}, status=201)


def _booth_scrutin(entry: voting_status.BoothEntry) -> dict:
    ballot, scrutin = entry.view.ballot, entry.scrutin
    return {
        "id": ballot.ballot_id,
        "label": ballot.label,
        "kind": ballot.kind,
        "level": ballot.level,
        "perimeter": ballot.perimeter,
        "state": entry.state.value,
        "voted_at": _paris(entry.voted_at),
        "voting_opens_at": _paris(scrutin.opens),
        "voting_closes_at": _paris(scrutin.closes),
        "grace_minutes": int(scrutin.grace.total_seconds() // 60),
        "election": {"id": scrutin.election_id, "fingerprint": scrutin.phi.hex()} if scrutin.sealed else None,
        "options": list(scrutin.option_ids),
        "candidate_lists": [
            {"id": c.list_id, "name": c.name, "acronym": c.acronym, "statement_url": c.statement_url}
            for c in ballot.candidate_lists
        ]
        if entry.view.candidates_published
        else [],
    }


@voting.route("/api/me/votes", methods=["GET"])
@operation(
    "Mes votes : chacun de mes scrutins, à voter, voté (quand), pas encore ouvert ou clos",
    answers={
        200: Answer(
            obj(
                code_verified=BOOLEAN,
                code_reissue={"type": "string", "enum": ["self_service", "help_desk"]},
                scrutins=array(BOOTH_SCRUTIN),
            ),
            "L'isoloir : les scrutins de l'électeur, l'élection scellée de chacun (son empreinte φ) "
            "et ses options dans l'ordre du bulletin (« blank » d'abord) ; comment retrouver un code "
            "perdu (en ligne si la liste électorale donne la date de naissance, sinon par l'assistance).",
        )
    },
    signed_in=True,
)
def my_votes():
    who = signed_in(voting.current_request)
    voter = sessions.voter_of(who)
    entries = voting_status.booth_list(voter, code_verified_at=who.code_verified_at, now=clock.utc_now())
    return json_response(
        {
            "code_verified": who.code_verified_at is not None,
            "code_reissue": "self_service" if voter.birth_date_check else "help_desk",
            "scrutins": [_booth_scrutin(e) for e in entries],
        }
    )


@voting.route("/api/ballots/{ballot_id}/votes", methods=["POST"])
@operation(
    "Voter à un de mes scrutins (définitif)",
    body=VOTE_BODY,
    answers={
        201: Answer(
            CAST,
            "Vote enregistré, définitif : l'accusé de réception (ρ en hexadécimal et sa forme courte), "
            "l'heure de l'émargement et l'empreinte de l'élection. Le serveur ne garde aucun lien entre "
            "l'électeur et cet accusé.",
        )
    },
    errors=(
        errors.InvalidRequest,
        errors.VoterCodeRequired,
        errors.NotOnList,
        errors.BallotNotFound,
        errors.VotingClosed,
        errors.ElectionNotSealed,
        errors.BallotRefused,
        errors.AlreadyVoted,
    ),
    path=BALLOT_PATH,
    signed_in=True,
)
def cast_vote(ballot_id):
    request = voting.current_request
    who = signed_in(request)
    if who.code_verified_at is None:  # the issue's order: the code before anything of the body
        raise errors.VoterCodeRequired()
    body = VOTE_BODY.parse(request)
    voter = sessions.voter_of(who)
    from chalicelib.services import casting  # the EV1 library (PyNaCl) on the first cast, not at cold start

    caster = casting.Caster(
        voter_id=who.voter_id,
        ballot_ids=frozenset(voter.ballot_ids or ()) if voter.is_listed else frozenset(),
        code_verified_at=who.code_verified_at,
    )
    vote = casting.cast_vote(caster, ballot_id, body["ballot"], now=clock.utc_now())
    return json_response(
        {
            "receipt": vote.receipt,
            "short_receipt": vote.short_receipt,
            "voted_at": _paris(vote.voted_at),
            "election": vote.election_fingerprint,
        },
        201,
    )
