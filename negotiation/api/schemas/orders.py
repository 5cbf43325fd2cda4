"""Orders, their shipments and the carrier's scans of them."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from negotiation.api.fields import DecimalInput, DecimalString, Instant
from negotiation.api.parsing import database_id
from negotiation.api.schemas.common import (
    TRACKING_NO,
    component,
    cursor_field,
    enum_field,
    limit_field,
    one_of,
    text_field,
)
from negotiation.domain.enums import (
    NegotiationState,
    OrderKind,
    OrderStatus,
    ScanKind,
    ShipBySource,
    ShipMode,
)
from negotiation.domain.identifiers import ORDER_NO_PATTERN

# --- orders ----------------------------------------------------------------------------


class OrderIn(Schema):
    order_no = fields.String(required=True, validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="1 to 64 letters, digits and _ . : - only"),
        metadata={"example": "TB-20261122-0001"})
    store_id = fields.Integer(**database_id(required=True, metadata={"example": 1}))
    buyer_id = fields.Integer(**database_id(required=True, metadata={"example": 3}))
    amount = DecimalInput(required=True, minimum=Decimal(0), maximum=Decimal(10**9), metadata={
        "description": "Yuan: more than 0, at most 1000000000, two places at most."})
    paid_at = Instant(required=True, metadata={"example": "2026-11-22T02:00:00Z"})
    kind = enum_field(OrderKind, load_default=OrderKind.PHYSICAL)
    ship_by = Instant()
    ship_mode = enum_field(ShipMode, load_default=ShipMode.NORMAL)
    region = text_field(100)
    product_id = text_field(64, metadata={
        "description": "The product sold; banned after too many ship timeouts on one order."})


@component("Order")
class OrderOut(Schema):
    order_no = fields.String()
    store_id = fields.Integer()
    buyer_id = fields.Integer()
    kind = one_of(OrderKind)
    ship_mode = one_of(ShipMode)
    region = fields.String(allow_none=True)
    amount = DecimalString()
    status = one_of(OrderStatus)
    paid_at = Instant()
    original_ship_by = Instant()
    ship_by = Instant(metadata={"description": "The effective deadline."})
    ship_by_source = fields.String(
        validate=validate.OneOf([m.value for m in ShipBySource]),
        metadata={"description": "Which rule set ship_by."})
    shipped_at = Instant(allow_none=True)
    negotiation_state = one_of(NegotiationState)
    reported_ship_by = Instant(allow_none=True, metadata={
        "description": "The latest ship time of the approved delay reports covering it."})
    covered_by_report = fields.Boolean(metadata={
        "description": "An approved delay report covers the order (主动报备通过)."})
    extended_ship_by = Instant(allow_none=True, metadata={
        "description": "The original deadline plus a regional extension covering it."})
    collect_by = Instant(allow_none=True, metadata={
        "description": "When the first carrier scan is due; null until it can be known."})
    product_id = fields.String(allow_none=True)
    closed_at = Instant(allow_none=True)


class OrderListArgs(Schema):
    limit = limit_field()
    cursor = cursor_field()
    status = enum_field(OrderStatus)
    negotiation_state = enum_field(NegotiationState)
    covered_by_report = fields.Boolean(metadata={
        "description": "Only orders an approved delay report covers (or, false, does not)."})


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    next_cursor = fields.String(allow_none=True)


# --- shipments -------------------------------------------------------------------------


class ShipmentIn(Schema):
    carrier = text_field(100, min_length=1, required=True, metadata={"example": "SF Express"})
    tracking_no = fields.String(required=True, validate=TRACKING_NO,
                                metadata={"example": "SF1000001"})


@component("Shipment")
class ShipmentOut(Schema):
    id = fields.Integer()
    order_no = fields.String()
    carrier = fields.String()
    tracking_no = fields.String()
    shipped_at = Instant()
    late = fields.Boolean(metadata={"description": "Shipped at or after the deadline."})


# --- scans -----------------------------------------------------------------------------


class ScanIn(Schema):
    kind = fields.Enum(ScanKind, by_value=True, required=True, metadata={"example": "collected"})
    at = Instant(required=True, metadata={"description": "When the carrier scanned.",
                                          "example": "2026-11-23T08:00:00Z"})


class ScanOut(Schema):
    id = fields.Integer()
    tracking_no = fields.String()
    order_no = fields.String()
    kind = one_of(ScanKind)
    at = Instant()
    recorded_at = Instant()
    collected_at = Instant(allow_none=True, metadata={
        "description": "The shipment's first collection time, after this scan."})
    collect_by = Instant(allow_none=True)
