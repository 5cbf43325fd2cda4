"""A negotiation, its proposal cards, the answers to them, and what the caller may do."""

from __future__ import annotations

from marshmallow import Schema, fields

from negotiation.api.fields import Instant
from negotiation.api.schemas.common import (
    ActionAvailability,
    component,
    enum_field,
    one_of,
    text_field,
)
from negotiation.domain.enums import CardReason, CardState, NegotiationState


@component("Card")
class CardOut(Schema):
    id = fields.Integer()
    order_no = fields.String()
    seq = fields.Integer()
    state = one_of(CardState)
    proposed_ship_by = Instant()
    reason = one_of(CardReason)
    remark = fields.String()
    sent_by = fields.Integer(allow_none=True)
    sent_at = Instant()
    expires_at = Instant()
    answered_at = Instant(allow_none=True)
    buyer_note = fields.String(allow_none=True)
    preferred_ship_by = Instant(allow_none=True)


class Actions(Schema):
    propose = fields.Nested(ActionAvailability)
    accept = fields.Nested(ActionAvailability)
    reject = fields.Nested(ActionAvailability)
    withdraw = fields.Nested(ActionAvailability)
    file_delay_report = fields.Nested(ActionAvailability)
    ship = fields.Nested(ActionAvailability)


@component("Negotiation")
class NegotiationOut(Schema):
    order_no = fields.String()
    state = one_of(NegotiationState)
    cards_used = fields.Integer()
    cards_left = fields.Integer()
    cards = fields.List(fields.Nested(CardOut))
    agreed_ship_by = Instant(allow_none=True)
    actions = fields.Nested(Actions)


class ProposalIn(Schema):
    proposed_ship_by = Instant(required=True, metadata={"example": "2026-11-26T10:00:00Z"})
    reason = enum_field(CardReason, required=True, metadata={"example": "stock_shortage"})
    remark = text_field(500, load_default="", metadata={"example": "补货中，周四前发出"})


class RejectionIn(Schema):
    note = text_field(500, metadata={"example": "太晚了，请尽快发货"})
    preferred_ship_by = Instant(metadata={"example": "2026-11-25T10:00:00Z"})


@component("ConsentLink")
class ConsentLinkOut(Schema):
    url = fields.String(metadata={
        "description": "The page the buyer opens to answer this card; no token needed.",
        "example": "https://shop.example/consent/WzEsMiwxNzY0MDAwMDAwMDAwMDAwXQ.sig"})
    expires_at = Instant(metadata={"description": "When the link stops working: the "
                                                  "card's own expiry."})
