"""The OpenAPI 3.1 description of the API, generated from the routes: `app.routes` walked, each
/api route's `@operation` (`api/schemas.py`) read, its errors' codes, statuses, headers and public
details taken from `domain/errors.py` and `api/responses.py`. Served at GET /api/openapi.json;
kept in docs/openapi.json (`make openapi`, i.e. `python -m chalicelib.api.openapi`), and a
test fails when the two differ or a route is not described.
"""

from __future__ import annotations

import functools
import json

from chalicelib.api.auth import COOKIE
from chalicelib.api.responses import (
    STATUS,
    ApiBlueprint,
    CrossSiteRequest,
    InternalError,
    OriginNotVerified,
    UnsupportedMediaType,
    json_response,
)
from chalicelib.api.same_origin import STATE_CHANGING
from chalicelib.api.schemas import INTEGER, STRING, Answer, Operation, obj, operation, operation_of
from chalicelib.domain import errors
from chalicelib.domain.errors import PortalError

PREFIX = "/api/"
JSON = "application/json"
SECURITY_SCHEME = "session"
ANY_SEGMENT = {"type": "string", "minLength": 1}


class Undescribed(Exception):
    """An /api route without its `@operation`."""


# Errors any operation may answer: around CloudFront (403), a body or request Chalice refuses
# by its Content-Type (415), a bug (500), AWS busy after our retries (503).
EVERYWHERE = (OriginNotVerified, UnsupportedMediaType, InternalError, errors.ServiceBusy)
WITH_BODY = (errors.InvalidJson,)
WITH_STRICT_BODY = (errors.InvalidRequest,)
SIGNED_IN = (errors.NotAuthenticated,)
CHANGING = (CrossSiteRequest,)  # POST, PUT, PATCH, DELETE from another site (api/same_origin.py)

# The schema of every public detail an error may carry (`PortalError.public`).
_PROBLEM = {
    "type": "object",
    "properties": {"field": STRING, "code": STRING, "message": STRING, "minimum": INTEGER, "maximum": INTEGER},
    "required": ["field", "code", "message"],
    "additionalProperties": False,
}
DETAILS = {
    "field": STRING,
    "violations": {"type": "array", "items": STRING},
    "masked_email": STRING,
    "retry_after": {"type": "integer", "minimum": 0},
    "minimum": INTEGER,
    "maximum": INTEGER,
    "fields": {"type": "array", "items": _PROBLEM},
    "reason": {"type": "string", "description": "La vérification du bulletin qui a échoué (jamais le choix)."},
    "this_ballot": {
        "type": "boolean",
        "description": "Le bulletin envoyé est celui qui est dans l'urne (une réponse précédente s'est perdue).",
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Secondes à attendre avant de réessayer (les mêmes que dans le corps).",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
HEADERS = {
    "Set-Cookie": {
        "description": f"Le cookie de session `{COOKIE}` (HttpOnly, Secure, SameSite=Strict), ou son effacement.",
        "schema": STRING,
    },
    "ETag": {
        "description": "L'empreinte SHA-256 (hexadécimal, entre guillemets) des octets du fichier.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'},
    },
    "Cache-Control": {"description": "Combien de temps la réponse peut être gardée en cache.", "schema": STRING},
}


def status_of(error: type[PortalError]) -> int:
    return next(STATUS[cls] for cls in error.__mro__ if cls in STATUS)


def error_schema(error: type[PortalError]) -> dict:
    """`{"error": {"code", "message", "request_id" (5xx), ...public details}}`."""
    properties = {"code": {"const": error.code}, "message": STRING}
    if status_of(error) >= 500:
        properties["request_id"] = STRING
    for name in error.public:
        if name not in DETAILS:
            raise Undescribed(f"the public detail {name!r} of {error.__name__} has no schema in DETAILS")
        properties[name] = DETAILS[name]
    return obj(error=obj(**properties))


def _errors_of(described: Operation, method: str) -> list[type[PortalError]]:
    found = list(described.errors)
    if method in STATE_CHANGING:
        found += CHANGING
    if described.body is not None:
        found += WITH_BODY + (WITH_STRICT_BODY if described.body.strict else ())
    if described.signed_in:
        found += SIGNED_IN
    found += EVERYWHERE
    return list(dict.fromkeys(found))


def _json_content(schema: dict) -> dict:
    return {JSON: {"schema": schema}}


def _responses(described: Operation, method: str, schemas: dict) -> dict:
    responses = {}
    for status, answer in sorted(described.answers.items()):
        response = {"description": answer.description}
        if answer.schema is not None:
            response["content"] = _json_content(answer.schema)
        if answer.headers:
            response["headers"] = {name: HEADERS[name] for name in answer.headers}
        responses[str(status)] = response
    by_status: dict[int, list[type[PortalError]]] = {}
    for error in _errors_of(described, method):
        schemas[error.__name__] = error_schema(error)
        by_status.setdefault(status_of(error), []).append(error)
    for status in sorted(by_status):
        found = by_status[status]
        refs = [{"$ref": f"#/components/schemas/{error.__name__}"} for error in found]
        response = {
            "description": "Erreur : " + ", ".join(f"`{error.code}`" for error in found),
            "content": _json_content(refs[0] if len(refs) == 1 else {"anyOf": refs}),
        }
        if any(issubclass(error, (errors.RetryLater, errors.ServiceBusy)) for error in found):
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response
    return responses


def _operation(path: str, method: str, entry, schemas: dict) -> dict:
    described = operation_of(entry.view_function)
    if described is None:
        raise Undescribed(f"{method} {path} ({entry.view_name}) has no @operation (chalicelib/api/schemas.py)")
    # A route that also answers HEAD (GET's headers, no body) is described twice: one id each.
    operation_id = f"{entry.view_name}_head" if method == "HEAD" else entry.view_name
    result = {"operationId": operation_id, "summary": described.summary}
    doc = (entry.view_function.__doc__ or "").strip()
    if doc:
        result["description"] = " ".join(doc.split())
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": described.path.get(name, ANY_SEGMENT)}
        for name in entry.view_args
    ]
    parameters += [
        {
            "name": q.name,
            "in": "query",
            "required": False,
            "description": q.description,
            "schema": {**STRING, "maxLength": q.max_length},
        }
        for q in described.query
    ]
    if parameters:
        result["parameters"] = parameters
    if described.body is not None:
        result["requestBody"] = {"required": True, "content": _json_content(described.body.schema())}
    if described.signed_in:
        result["security"] = [{SECURITY_SCHEME: []}]
    result["responses"] = _responses(described, method, schemas)
    return result


def document(app) -> dict:
    """The OpenAPI document of every /api route of `app`; `Undescribed` if one has no `@operation`."""
    schemas: dict = {}
    paths: dict = {}
    for path in sorted(app.routes):
        if not path.startswith(PREFIX):
            continue
        for method in sorted(app.routes[path]):
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, app.routes[path][method], schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Espace électeur",
            "version": "1",
            "description": (
                "L'API du portail des élections professionnelles. Toute erreur est "
                '`{"error": {"code", "message", ...}}` : un code stable pour les programmes, un '
                "message en français pour les personnes ; une 5xx donne aussi `request_id`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": COOKIE,
                    "description": "Posé par POST /api/sessions ou POST /api/passwords.",
                }
            },
        },
    }


def render(app) -> str:
    """The document as docs/openapi.json holds it."""
    return json.dumps(document(app), indent=2, ensure_ascii=False) + "\n"


api_description = ApiBlueprint(__name__)


@functools.cache
def _served(app) -> str:
    return json.dumps(document(app), ensure_ascii=False)


@api_description.route("/api/openapi.json", methods=["GET"])
@operation(
    "La description OpenAPI de cette API",
    answers={200: Answer({"type": "object"}, "Ce document.")},
)
def openapi_document():
    """Generated from the routes; the same for everyone, no secret: cacheable."""
    response = json_response({})
    response.body = _served(api_description.current_app)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
