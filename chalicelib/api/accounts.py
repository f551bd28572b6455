"""Voter accounts over HTTP: registration and reset requests, links, passwords, sessions.

Each handler parses, calls one service, and shapes the answer. Secrets travel only in POST
bodies and in the session cookie; none is ever in a URL, a response body after creation, or
a log line.
"""

from __future__ import annotations

from chalice import CORSConfig, Response

from chalicelib import clock, settings, wiring
from chalicelib.api.auth import client_of, cookie_header, signed_in
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import (
    BOOLEAN,
    DATETIME,
    INTEGER,
    STRING,
    Answer,
    Body,
    Text,
    array,
    nullable,
    obj,
    operation,
)
from chalicelib.domain import errors, messages
from chalicelib.domain.mail_policy import HOURLY_BUDGET, MailRequestKind
from chalicelib.domain.mailboxes import mailbox_help
from chalicelib.domain.phases import PARIS
from chalicelib.services import links, registration, sessions

accounts = ApiBlueprint(__name__)

MAX_PASSWORD_FIELD = 1024
# Browsers on other origins may not call the state-changing endpoints with credentials.
PORTAL_ONLY = CORSConfig(
    allow_origin=settings.required("PORTAL_URL").rstrip("/"), allow_credentials=True, allow_headers=["Content-Type"]
)

# What the handlers read, validated by `Body.parse` and described by the same objects.
EMAIL = Text(320, "L'adresse électronique professionnelle.", format="email")
TOKEN = Text(200, "Le jeton du lien reçu par courriel (après `#jeton=`).")
PASSWORD = Text(MAX_PASSWORD_FIELD)
EMAIL_BODY = Body({"email": EMAIL})
TOKEN_BODY = Body({"token": TOKEN})
NEW_PASSWORD_BODY = Body({"token": TOKEN, "password": PASSWORD, "password_confirmation": PASSWORD})
SIGN_IN_BODY = Body({"email": EMAIL, "password": PASSWORD})
CHANGE_PASSWORD_BODY = Body({"current_password": PASSWORD, "password": PASSWORD, "password_confirmation": PASSWORD})

PROFILE = obj(
    voter_id=STRING,
    last_name=STRING,
    first_name=STRING,
    email=nullable(STRING),
    academy=STRING,
    department=STRING,
    workplace=STRING,
    code_delivery=STRING,
    account_created_at=DATETIME,
)
MAILBOX_ANSWER = Answer(
    obj(
        message=STRING,
        mailbox=obj(
            email=STRING,
            professional=BOOLEAN,
            academy=nullable(obj(name=STRING, webmail=STRING, help=STRING)),
            hourly_budget=INTEGER,
        ),
    ),
    "Demande acceptée, la même pour toute adresse bien formée d'un domaine.",
)
SIGNED_OUT = {204: Answer(None, "Session fermée ; le cookie est effacé.", headers=("Set-Cookie",))}
LINK_ERRORS = (errors.TokenInvalid, errors.TokenExpired, errors.TokenUsed)


def _profile(voter, account) -> dict:
    return {
        "voter_id": voter.voter_id,
        "last_name": voter.last_name,
        "first_name": voter.first_name,
        "email": voter.email,
        "academy": voter.academy,
        "department": voter.department,
        "workplace": voter.workplace,
        "code_delivery": voter.code_delivery,
        "account_created_at": account.created_at.astimezone(PARIS).isoformat(),
    }


def _mailbox(email: str) -> dict:
    """What the "check your mailbox" screen shows for the address typed: the same for every
    address of a domain, listed or not, so it tells nothing about the voter."""
    found = mailbox_help(email)
    academy = found.academy
    return {
        "email": email,
        "professional": found.professional,
        "academy": academy and {"name": academy.name, "webmail": academy.webmail, "help": academy.help},
        "hourly_budget": HOURLY_BUDGET,
    }


def _email_request(kind: MailRequestKind) -> Response:
    request = accounts.current_request
    body = EMAIL_BODY.parse(request)
    email = registration.request_email(kind, body["email"], now=clock.utc_now(), client=client_of(request))
    return json_response({"message": messages.for_code("request_accepted"), "mailbox": _mailbox(email)}, 202)


@accounts.route("/api/registrations", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Demander un lien de création de l'espace",
    body=EMAIL_BODY,
    answers={202: MAILBOX_ANSWER},
    errors=(errors.InvalidEmail, errors.TooManyRequests),
)
def request_registration():
    return _email_request(MailRequestKind.REGISTRATION)


@accounts.route("/api/password-resets", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Demander un lien pour (re)définir son mot de passe",
    body=EMAIL_BODY,
    answers={202: MAILBOX_ANSWER},
    errors=(errors.InvalidEmail, errors.TooManyRequests),
)
def request_password_reset():
    """Also the sign-in page's « first visit or forgotten password » button: the worker sends a
    confirmation link to a voter without an active espace, a reset link to the others."""
    return _email_request(MailRequestKind.RESET)


@accounts.route("/api/link-renewals", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Renvoyer un lien expiré à la même adresse",
    body=TOKEN_BODY,
    answers={202: Answer(obj(message=STRING), "Un nouveau lien part vers l'adresse masquée.")},
    errors=(errors.TokenInvalid, errors.TokenUsed, errors.TooManyRequests),
)
def renew_link():
    request = accounts.current_request
    body = TOKEN_BODY.parse(request)
    masked = links.renew_link(body["token"], now=clock.utc_now(), client=client_of(request))
    return json_response({"message": messages.for_code("link_renewed", masked_email=masked)}, 202)


@accounts.route("/api/token-checks", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Vérifier un lien reçu par courriel, sans rien changer",
    body=TOKEN_BODY,
    answers={200: Answer(obj(purpose=STRING, email=STRING, expires_at=DATETIME), "Le lien est valable.")},
    errors=LINK_ERRORS,
)
def check_token():
    body = TOKEN_BODY.parse(accounts.current_request)
    result = links.check_link(body["token"], now=clock.utc_now())
    return json_response(
        {
            "purpose": result.purpose,
            "email": result.masked_email,
            "expires_at": result.expires_at.astimezone(PARIS).isoformat(),
        }
    )


@accounts.route("/api/passwords", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Définir son mot de passe avec le lien reçu",
    body=NEW_PASSWORD_BODY,
    answers={
        200: Answer(
            obj(signed_in=BOOLEAN),
            "Mot de passe enregistré ; un premier mot de passe ouvre aussi une session (cookie).",
            headers=("Set-Cookie",),
        )
    },
    errors=(errors.PasswordPolicyError, *LINK_ERRORS),
)
def create_password():
    body = NEW_PASSWORD_BODY.parse(accounts.current_request)
    session_policy = wiring.session_policy()
    session_id = links.set_password_with_link(
        body["token"],
        body["password"],
        body["password_confirmation"],
        now=clock.utc_now(),
        policy=wiring.password_policy(),
        hasher=wiring.password_hasher(),
        session_policy=session_policy,
    )
    if session_id is None:
        return json_response({"signed_in": False})
    return json_response(
        {"signed_in": True},
        headers={"Set-Cookie": cookie_header(session_id, int(session_policy.absolute.total_seconds()))},
    )


@accounts.route("/api/password-policy", methods=["GET"])
@operation(
    "Les règles des mots de passe",
    answers={
        200: Answer(
            obj(rules=array(obj(code=STRING, label=STRING)), min_length=INTEGER, max_length=INTEGER),
            "Les règles et leurs libellés en français.",
        )
    },
)
def password_policy():
    policy = wiring.password_policy()
    return json_response({"rules": policy.rules(), "min_length": policy.min_length, "max_length": policy.max_length})


@accounts.route("/api/sessions", methods=["POST"], cors=PORTAL_ONLY)
@operation(
    "Se connecter",
    body=SIGN_IN_BODY,
    answers={
        200: Answer(obj(voter=PROFILE), "Connecté : le profil, et le cookie de session.", headers=("Set-Cookie",))
    },
    errors=(errors.PasswordMissing, errors.InvalidCredentials, errors.TooManyAttempts),
)
def sign_in():
    request = accounts.current_request
    body = SIGN_IN_BODY.parse(request)
    policy = wiring.session_policy()
    signed_in = sessions.sign_in(
        body["email"],
        body["password"],
        client=client_of(request),
        now=clock.utc_now(),
        hasher=wiring.password_hasher(),
        policy=policy,
    )
    return json_response(
        {"voter": _profile(signed_in.voter, signed_in.account)},
        headers={"Set-Cookie": cookie_header(signed_in.session_id, int(policy.absolute.total_seconds()))},
    )


@accounts.route("/api/sessions/current", methods=["DELETE"], cors=PORTAL_ONLY)
@operation("Se déconnecter sur cet appareil", answers=SIGNED_OUT, signed_in=True)
def sign_out():
    who = signed_in(accounts.current_request)
    sessions.sign_out(who.session_hash)
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie_header("", 0)})


@accounts.route("/api/sessions", methods=["DELETE"], cors=PORTAL_ONLY)
@operation("Se déconnecter partout", answers=SIGNED_OUT, signed_in=True)
def sign_out_everywhere():
    who = signed_in(accounts.current_request)
    sessions.sign_out_everywhere(who.voter_id, now=clock.utc_now())
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie_header("", 0)})


@accounts.route("/api/me", methods=["GET"])
@operation("Mon profil", answers={200: Answer(PROFILE, "Le profil de l'électeur connecté.")}, signed_in=True)
def me():
    who = signed_in(accounts.current_request)
    return json_response(_profile(sessions.voter_of(who), who.account))


@accounts.route("/api/me/password", methods=["PUT"], cors=PORTAL_ONLY)
@operation(
    "Changer son mot de passe",
    body=CHANGE_PASSWORD_BODY,
    answers={
        204: Answer(
            None, "Changé ; les autres sessions sont fermées, celle-ci a un nouveau cookie.", headers=("Set-Cookie",)
        )
    },
    errors=(errors.WrongCurrentPassword, errors.PasswordPolicyError, errors.TooManyAttempts),
    signed_in=True,
)
def change_password():
    request = accounts.current_request
    who = signed_in(request)
    body = CHANGE_PASSWORD_BODY.parse(request)
    policy = wiring.session_policy()
    session_id = sessions.change_password(
        who,
        body["current_password"],
        body["password"],
        body["password_confirmation"],
        now=clock.utc_now(),
        password_policy=wiring.password_policy(),
        hasher=wiring.password_hasher(),
        session_policy=policy,
        client=client_of(request),
    )
    return Response(
        body="",
        status_code=204,
        headers={"Set-Cookie": cookie_header(session_id, int(policy.absolute.total_seconds()))},
    )
