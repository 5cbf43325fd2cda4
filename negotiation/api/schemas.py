"""The JSON shapes of API.md, as marshmallow schemas (and so as OpenAPI components).

Input schemas refuse unknown fields (marshmallow's default), so no client can set what
the contract does not let it set.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from negotiation.api.fields import Instant
from negotiation.api.parsing import ORDER_NO_PATTERN, database_id, plain_text
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    Role,
    ShipBySource,
    ShipMode,
)
from negotiation.services.pagination import DEFAULT_LIMIT, MAX_LIMIT


def _enum(enum: type, **kwargs: object) -> fields.Enum:
    return fields.Enum(enum, by_value=True, **kwargs)


def _text(max_length: int, *, min_length: int = 0, **kwargs: object) -> fields.String:
    """Free text of bounded length, without control characters."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), plain_text],
                         **kwargs)


def _cents(value: Decimal) -> None:
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("At most 2 decimal places.")


def _one_of(enum: type) -> fields.String:
    """An output string whose values the OpenAPI document lists."""
    return fields.String(validate=validate.OneOf([member.value for member in enum]))


# --- stores and accounts ---------------------------------------------------------------


class StoreIn(Schema):
    name = _text(200, min_length=1, required=True)
    region = _text(100)
    handling_hours = fields.Integer(strict=True, validate=validate.Range(min=1, max=24 * 30))


class Store(Schema):
    id = fields.Integer()
    name = fields.String()
    region = fields.String(allow_none=True)
    handling_hours = fields.Integer()
    negotiation_enabled = fields.Boolean()
    flagged_for_review = fields.Boolean(
        metadata={"description": "Most of its latest decided cards were rejected or expired."})


class AccountIn(Schema):
    role = _enum(Role, required=True)
    name = _text(200, min_length=1, required=True)
    store_id = fields.Integer(**database_id())


class Account(Schema):
    id = fields.Integer()
    role = _one_of(Role)
    name = fields.String()
    store_id = fields.Integer(allow_none=True)
    token = fields.String(metadata={"description": "Shown once, when the account is created."})


# --- orders ----------------------------------------------------------------------------


class OrderIn(Schema):
    order_no = fields.String(required=True, validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="1 to 64 letters, digits and _ . : - only"))
    store_id = fields.Integer(**database_id(required=True))
    buyer_id = fields.Integer(**database_id(required=True))
    amount = fields.Decimal(required=True, as_string=True, allow_nan=False, validate=[
        validate.Range(min=0, min_inclusive=False, max=10**9), _cents])
    paid_at = Instant(required=True)
    kind = _enum(OrderKind, load_default=OrderKind.PHYSICAL)
    ship_by = Instant()
    ship_mode = _enum(ShipMode, load_default=ShipMode.NORMAL)
    region = _text(100)


class Order(Schema):
    order_no = fields.String()
    store_id = fields.Integer()
    buyer_id = fields.Integer()
    kind = _one_of(OrderKind)
    ship_mode = _one_of(ShipMode)
    region = fields.String(allow_none=True)
    amount = fields.Decimal(places=2, as_string=True)
    status = _one_of(OrderStatus)
    paid_at = Instant()
    original_ship_by = Instant()
    ship_by = Instant(metadata={"description": "The effective deadline."})
    ship_by_source = fields.String(
        validate=validate.OneOf([m.value for m in ShipBySource]),
        metadata={"description": "Which rule set ship_by."})
    shipped_at = Instant(allow_none=True)
    negotiation_state = _one_of(NegotiationState)


class OrderListArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String()
    status = _enum(OrderStatus)
    negotiation_state = _enum(NegotiationState)


class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String()


# --- negotiation and cards -------------------------------------------------------------


class Card(Schema):
    id = fields.Integer()
    order_no = fields.String()
    seq = fields.Integer()
    state = _one_of(CardState)
    proposed_ship_by = Instant()
    reason = _one_of(CardReason)
    remark = fields.String()
    sent_by = fields.Integer(allow_none=True)
    sent_at = Instant()
    expires_at = Instant()
    answered_at = Instant(allow_none=True)
    buyer_note = fields.String(allow_none=True)
    preferred_ship_by = Instant(allow_none=True)


class ActionAvailability(Schema):
    allowed = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "The refusal code."})
    detail = fields.String(allow_none=True)


class Actions(Schema):
    propose = fields.Nested(ActionAvailability)
    accept = fields.Nested(ActionAvailability)
    reject = fields.Nested(ActionAvailability)
    withdraw = fields.Nested(ActionAvailability)
    file_delay_report = fields.Nested(ActionAvailability)
    ship = fields.Nested(ActionAvailability)


class Negotiation(Schema):
    order_no = fields.String()
    state = _one_of(NegotiationState)
    cards_used = fields.Integer()
    cards_left = fields.Integer()
    cards = fields.List(fields.Nested(Card))
    agreed_ship_by = Instant(allow_none=True)
    actions = fields.Nested(Actions)


class ProposalIn(Schema):
    proposed_ship_by = Instant(required=True)
    reason = _enum(CardReason, required=True)
    remark = _text(500, load_default="")


class RejectionIn(Schema):
    note = _text(500)
    preferred_ship_by = Instant()


# --- shipments and events --------------------------------------------------------------


class ShipmentIn(Schema):
    carrier = _text(100, min_length=1, required=True)
    tracking_no = fields.String(required=True, validate=[
        validate.Length(min=4, max=64),
        validate.Regexp(r"^[A-Za-z0-9-]+$", error="letters, digits and - only")])


class Shipment(Schema):
    id = fields.Integer()
    order_no = fields.String()
    carrier = fields.String()
    tracking_no = fields.String()
    shipped_at = Instant()
    late = fields.Boolean(metadata={"description": "Shipped at or after the deadline."})


class Event(Schema):
    id = fields.Integer()
    order_no = fields.String()
    at = Instant()
    actor = fields.String(metadata={"description": "An account id, `admin` or `system`."})
    type = fields.String()
    data = fields.Dict()


class OrderPage(Schema):
    items = fields.List(fields.Nested(Order))
    next_cursor = fields.String(allow_none=True)


class EventPage(Schema):
    items = fields.List(fields.Nested(Event))
    next_cursor = fields.String(allow_none=True)


class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
