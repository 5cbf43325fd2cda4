"""What the schemas of every feature share: problem documents, pages and cursors, the
field helpers, and the name each output schema has in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from apispec.ext.marshmallow import resolver
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import Schema, fields, validate

from negotiation.api.parsing import plain_text
from negotiation.services.core.pagination import DEFAULT_LIMIT, MAX_LIMIT

S = TypeVar("S", bound=type[Schema])

# --- component names -------------------------------------------------------------------

_COMPONENTS: dict[type[Schema], str] = {}


def component(name: str) -> Callable[[S], S]:
    """Name the decorated schema ``name`` in the OpenAPI document (only it, not its
    subclasses): ``OrderOut`` is the ``Order`` component, as the contract names it."""

    def register(schema: S) -> S:
        _COMPONENTS[schema] = name
        return schema

    return register


def component_name(schema: Any) -> str:
    """apispec's name for ``schema`` (its class name less a ``Schema`` suffix), unless
    :func:`component` gave it another."""
    resolved = resolve_schema_cls(schema)
    schema_cls = resolved[0] if isinstance(resolved, list) else resolved
    return _COMPONENTS.get(schema_cls) or resolver(schema)


# --- field helpers ---------------------------------------------------------------------


def enum_field(enum: type, **kwargs: object) -> fields.Enum:
    """An input enum, read by value."""
    return fields.Enum(enum, by_value=True, **kwargs)


def text_field(max_length: int, *, min_length: int = 0, **kwargs: object) -> fields.String:
    """Free text of bounded length, without control characters."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), plain_text],
                         **kwargs)


def one_of(enum: type, **kwargs: object) -> fields.String:
    """An output string whose values the OpenAPI document lists."""
    return fields.String(validate=validate.OneOf([member.value for member in enum]), **kwargs)


TRACKING_NO = [validate.Length(min=4, max=64),
               validate.Regexp(r"^[A-Za-z0-9-]+$", error="letters, digits and - only")]


class ActionAvailability(Schema):
    allowed = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "The refusal code."})
    detail = fields.String(allow_none=True)


# --- pages -----------------------------------------------------------------------------

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{0,400}$"  # base64url, as pagination.encode writes it


def cursor_field(description: str = "Where to go on from: the `next_cursor` of the page "
                                    "before.") -> fields.String:
    """A page's position, as the previous page's ``next_cursor`` gave it (base64url)."""
    return fields.String(validate=validate.Regexp(
        CURSOR_PATTERN, error="Not a cursor this service issued."), metadata={
        "description": description})


def limit_field() -> fields.Integer:
    """How many items a page holds at most."""
    return fields.Integer(load_default=DEFAULT_LIMIT,
                          validate=validate.Range(min=1, max=MAX_LIMIT))


class PageArgs(Schema):
    limit = limit_field()
    cursor = cursor_field()


# --- errors ----------------------------------------------------------------------------


class Problem(Schema):
    """An RFC 9457 problem document, as every error on the API answers."""

    type = fields.String(required=True, metadata={"description": "Where the code is explained."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What is wrong, in words."})
    code = fields.String(required=True, metadata={"description": "What is wrong, for programs."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Invalid input: the messages of each field, by its path."})
    request_id = fields.String(metadata={
        "description": "The request's id, as in the X-Request-ID header and the logs."})
