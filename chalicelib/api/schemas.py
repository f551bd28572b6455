"""What each API operation takes and answers, declared next to its route, once.

A handler is decorated with `@operation(...)` under its `@blueprint.route(...)`: its summary,
its body (`Body`: the fields the handler reads, which `Body.parse` validates, so the schema and
the validation are the same object and cannot drift), its answers (JSON Schemas, built with the
small helpers below) and the errors it may raise (classes: their codes, statuses and public
details come from `domain/errors.py` and `api/responses.STATUS`). `api/openapi.py` walks
`app.routes` and turns these into the OpenAPI document; a route without one is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.api.requests import json_object, text_field
from chalicelib.domain.errors import InvalidRequest, PortalError

# JSON Schema helpers (OpenAPI 3.1 is JSON Schema 2020-12).
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(**properties: dict) -> dict:
    """An object with exactly these properties, all present."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Text:
    """A string field of a body."""

    max_length: int
    description: str = ""
    format: str | None = None

    def schema(self) -> dict:
        schema = {"type": "string", "maxLength": self.max_length}
        if self.format:
            schema["format"] = self.format
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class JsonObject:
    """An object field of a body, handed to the service as it is (the service checks it: an
    encrypted ballot is judged by `chalicelib.crypto`, which says which check failed)."""

    description: str = ""

    def schema(self) -> dict:
        schema = {"type": "object"}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Body:
    """A JSON object body. Strict: every field a required string (`invalid_request` naming the
    first wrong one). Lenient (`strict=False`): the fields are handed over as they are, for a
    service that reports every field's problem at once."""

    fields: dict[str, Text | JsonObject]
    strict: bool = True

    def parse(self, request) -> dict:
        body = json_object(request)
        if not self.strict:
            return {name: body.get(name) for name in self.fields}
        return {name: self._field(body, name, f) for name, f in self.fields.items()}

    @staticmethod
    def _field(body: dict, name: str, field_type: Text | JsonObject):
        if isinstance(field_type, JsonObject):
            if not isinstance(body.get(name), dict):
                raise InvalidRequest(name)
            return body[name]
        return text_field(body, name, max_length=field_type.max_length)

    def schema(self) -> dict:
        schema = {"type": "object", "properties": {name: f.schema() for name, f in self.fields.items()}}
        if self.strict:
            schema["required"] = list(self.fields)
        return schema


@dataclass(frozen=True)
class Answer:
    """A successful answer: a JSON body (None: no content), and the headers it sets."""

    schema: dict | None
    description: str
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """An optional query-string parameter."""

    name: str
    description: str
    max_length: int


@dataclass(frozen=True)
class Operation:
    summary: str
    answers: dict[int, Answer]
    body: Body | None = None
    errors: tuple[type[PortalError], ...] = ()
    signed_in: bool = False
    query: tuple[Query, ...] = ()
    path: dict[str, dict] = field(default_factory=dict)  # a path parameter's schema, when not any string


ATTRIBUTE = "openapi_operation"


def operation(summary: str, *, answers: dict[int, Answer], **kwargs):
    """Describe the route below (`@blueprint.route` above it keeps the attribute: `functools.wraps`
    copies the view's `__dict__` onto the wrapper Chalice registers)."""

    described = Operation(summary=summary, answers=answers, **kwargs)

    def decorator(view):
        setattr(view, ATTRIBUTE, described)
        return view

    return decorator


def operation_of(view) -> Operation | None:
    return getattr(view, ATTRIBUTE, None)
