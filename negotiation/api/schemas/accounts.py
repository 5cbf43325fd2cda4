"""Stores, accounts and their API keys.

A key (like the token an account is created with) appears in the answer that issues it
and nowhere else: the schemas that list or describe keys have no field for it.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from negotiation.api.fields import Instant
from negotiation.api.parsing import database_id, plain_text
from negotiation.api.schemas.common import component, one_of, text_field
from negotiation.domain.enums import Role
from negotiation.services.accounts.accounts import KEY_LIFETIME_LIMIT, NAME_LIMIT

# --- stores ----------------------------------------------------------------------------


class StoreIn(Schema):
    name = text_field(200, min_length=1, required=True, metadata={"example": "西湖茶庄"})
    region = text_field(100, metadata={"example": "Zhejiang"})
    handling_hours = fields.Integer(strict=True, validate=validate.Range(min=1, max=24 * 30),
                                    metadata={"example": 48})
    handling_working_days = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=2),
        metadata={"description": "Ship within 1 or 2 working days of payment (weekends and "
                                 "configured holidays skipped) instead of handling_hours."})

    @validates_schema
    def _one_handling_time(self, data: dict[str, object], **kwargs: object) -> None:
        if "handling_hours" in data and "handling_working_days" in data:
            raise ValidationError("Give handling_hours or handling_working_days, not both.",
                                  "handling_working_days")


@component("Store")
class StoreOut(Schema):
    id = fields.Integer()
    name = fields.String()
    region = fields.String(allow_none=True)
    handling_hours = fields.Integer()
    handling_working_days = fields.Integer(allow_none=True)
    negotiation_enabled = fields.Boolean()
    flagged_for_review = fields.Boolean(
        metadata={"description": "Most of its latest decided cards were rejected or expired."})


# --- accounts --------------------------------------------------------------------------


class AccountIn(Schema):
    role = fields.Enum(Role, by_value=True, required=True, metadata={"example": "agent"})
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), plain_text],
                         metadata={"example": "客服小王"})
    store_id = fields.Integer(**database_id())


class NewAccount(Schema):
    id = fields.Integer(required=True)
    role = one_of(Role, required=True)
    name = fields.String(required=True)
    store_id = fields.Integer(required=True, allow_none=True)
    token = fields.String(required=True, metadata={
        "description": "The account's first API key (named `default`), shown in this answer "
                       "only. Send it as `Authorization: Bearer <token>`."})


class CallerAccount(Schema):
    id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Null for the configured admin token, which has no account."})
    role = one_of(Role, required=True)
    name = fields.String(required=True)
    store_id = fields.Integer(required=True, allow_none=True)


# --- api keys --------------------------------------------------------------------------


class ApiKeyIn(Schema):
    name = fields.String(required=True, validate=[
        validate.Length(min=1, max=NAME_LIMIT), plain_text], metadata={
        "description": "What the key is for: one key per integration.",
        "example": "chat-tool"})
    expires_at = Instant(allow_none=True, metadata={
        "description": "When the key stops working: in the future, at most "
                       f"{KEY_LIFETIME_LIMIT.days} days ahead. Absent or null: never."})


@component("ApiKey")
class ApiKeyOut(Schema):
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


class NewApiKey(ApiKeyOut):
    key = fields.String(required=True, metadata={
        "description": "Shown in this answer only (the service keeps its SHA-256 digest). "
                       "Send it as `Authorization: Bearer <key>`."})


class ApiKeyPage(Schema):
    items = fields.List(fields.Nested(ApiKeyOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
