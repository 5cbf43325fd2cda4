"""The shapes of accounts and their API keys.

A key (like the token an account is created with) appears in the answer that issues it
and nowhere else: the schemas that list or describe keys have no field for it.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Instant
from negotiation.api.parsing import database_id, plain_text
from negotiation.domain.enums import Role
from negotiation.services.accounts.accounts import KEY_LIFETIME_LIMIT, NAME_LIMIT


def _role(**kwargs: object) -> fields.String:
    """An output role, whose values the OpenAPI document lists."""
    return fields.String(validate=validate.OneOf([role.value for role in Role]), **kwargs)


# --- accounts ----------------------------------------------------------------------------


class AccountIn(Schema):
    role = fields.Enum(Role, by_value=True, required=True, metadata={"example": "agent"})
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), plain_text],
                         metadata={"example": "客服小王"})
    store_id = fields.Integer(**database_id())


class NewAccount(Schema):
    id = fields.Integer(required=True)
    role = _role(required=True)
    name = fields.String(required=True)
    store_id = fields.Integer(required=True, allow_none=True)
    token = fields.String(required=True, metadata={
        "description": "The account's first API key (named `default`), shown in this answer "
                       "only. Send it as `Authorization: Bearer <token>`."})


class CallerAccount(Schema):
    id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Null for the configured admin token, which has no account."})
    role = _role(required=True)
    name = fields.String(required=True)
    store_id = fields.Integer(required=True, allow_none=True)


# --- api keys ----------------------------------------------------------------------------


class ApiKeyIn(Schema):
    name = fields.String(required=True, validate=[
        validate.Length(min=1, max=NAME_LIMIT), plain_text], metadata={
        "description": "What the key is for: one key per integration.",
        "example": "chat-tool"})
    expires_at = Instant(allow_none=True, metadata={
        "description": "When the key stops working: in the future, at most "
                       f"{KEY_LIFETIME_LIMIT.days} days ahead. Absent or null: never."})


class ApiKey(Schema):
    id = fields.Integer(required=True)
    account_id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = Instant(required=True)
    expires_at = Instant(required=True, allow_none=True, metadata={
        "description": "Refused from this instant on; null: never expires."})
    last_used_at = Instant(required=True, allow_none=True, metadata={
        "description": "The last request with the key, to within a minute; null: never used."})
    revoked_at = Instant(required=True, allow_none=True, metadata={
        "description": "Refused since then; null: not revoked."})


class NewApiKey(ApiKey):
    key = fields.String(required=True, metadata={
        "description": "Shown in this answer only (the service keeps its SHA-256 digest). "
                       "Send it as `Authorization: Bearer <key>`."})


class ApiKeyPage(Schema):
    items = fields.List(fields.Nested(ApiKey), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
