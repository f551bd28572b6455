"""Voter accounts over HTTP: registration and reset requests, links, passwords, sessions.

Each handler parses, calls one service, and shapes the answer. Secrets travel only in POST
bodies and in the session cookie; none is ever in a URL, a response body after creation, or
a log line.
"""

from __future__ import annotations

from chalice import CORSConfig, Response

from chalicelib import clock, settings, wiring
from chalicelib.api.auth import client_of, cookie_header, signed_in
from chalicelib.api.requests import json_object, text_field
from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.domain import messages
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
    body = json_object(accounts.current_request)
    email = registration.request_email(kind, text_field(body, "email", max_length=320), now=clock.utc_now())
    return json_response({"message": messages.for_code("request_accepted"), "mailbox": _mailbox(email)}, 202)


@accounts.route("/api/registrations", methods=["POST"], cors=PORTAL_ONLY)
def request_registration():
    return _email_request(MailRequestKind.REGISTRATION)


@accounts.route("/api/password-resets", methods=["POST"], cors=PORTAL_ONLY)
def request_password_reset():
    """Also the sign-in page's « first visit or forgotten password » button: the worker sends a
    confirmation link to a voter without an active espace, a reset link to the others."""
    return _email_request(MailRequestKind.RESET)


@accounts.route("/api/link-renewals", methods=["POST"], cors=PORTAL_ONLY)
def renew_link():
    body = json_object(accounts.current_request)
    masked = links.renew_link(text_field(body, "token", max_length=200), now=clock.utc_now())
    return json_response({"message": messages.for_code("link_renewed", masked_email=masked)}, 202)


@accounts.route("/api/token-checks", methods=["POST"], cors=PORTAL_ONLY)
def check_token():
    body = json_object(accounts.current_request)
    result = links.check_link(text_field(body, "token", max_length=200), now=clock.utc_now())
    return json_response(
        {
            "purpose": result.purpose,
            "email": result.masked_email,
            "expires_at": result.expires_at.astimezone(PARIS).isoformat(),
        }
    )


@accounts.route("/api/passwords", methods=["POST"], cors=PORTAL_ONLY)
def create_password():
    body = json_object(accounts.current_request)
    session_policy = wiring.session_policy()
    session_id = links.set_password_with_link(
        text_field(body, "token", max_length=200),
        text_field(body, "password", max_length=MAX_PASSWORD_FIELD),
        text_field(body, "password_confirmation", max_length=MAX_PASSWORD_FIELD),
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
def password_policy():
    policy = wiring.password_policy()
    return json_response({"rules": policy.rules(), "min_length": policy.min_length, "max_length": policy.max_length})


@accounts.route("/api/sessions", methods=["POST"], cors=PORTAL_ONLY)
def sign_in():
    request = accounts.current_request
    body = json_object(request)
    policy = wiring.session_policy()
    signed_in = sessions.sign_in(
        text_field(body, "email", max_length=320),
        text_field(body, "password", max_length=MAX_PASSWORD_FIELD),
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
def sign_out():
    who = signed_in(accounts.current_request)
    sessions.sign_out(who.session_hash)
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie_header("", 0)})


@accounts.route("/api/sessions", methods=["DELETE"], cors=PORTAL_ONLY)
def sign_out_everywhere():
    who = signed_in(accounts.current_request)
    sessions.sign_out_everywhere(who.voter_id, now=clock.utc_now())
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie_header("", 0)})


@accounts.route("/api/me", methods=["GET"])
def me():
    who = signed_in(accounts.current_request)
    return json_response(_profile(sessions.voter_of(who), who.account))


@accounts.route("/api/me/password", methods=["PUT"], cors=PORTAL_ONLY)
def change_password():
    request = accounts.current_request
    who = signed_in(request)
    body = json_object(request)
    policy = wiring.session_policy()
    session_id = sessions.change_password(
        who,
        text_field(body, "current_password", max_length=MAX_PASSWORD_FIELD),
        text_field(body, "password", max_length=MAX_PASSWORD_FIELD),
        text_field(body, "password_confirmation", max_length=MAX_PASSWORD_FIELD),
        now=clock.utc_now(),
        password_policy=wiring.password_policy(),
        hasher=wiring.password_hasher(),
        session_policy=policy,
    )
    return Response(
        body="",
        status_code=204,
        headers={"Set-Cookie": cookie_header(session_id, int(policy.absolute.total_seconds()))},
    )
