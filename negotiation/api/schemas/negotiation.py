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


class ProposeAvailability(ActionAvailability):
    """Whether a card may be sent and, when it may, what a date picker can offer."""

    earliest = Instant(allow_none=True, metadata={
        "description": "When allowed: a proposed time must be after this (the current ship "
                       "deadline, exclusive)."})
    latest = Instant(allow_none=True, metadata={
        "description": "When allowed: a proposed time may be this at the latest (the "
                       "horizon after the original deadline, inclusive)."})
    send_before = Instant(allow_none=True, metadata={
        "description": "When allowed: a card must be sent before this (the ship deadline "
                       "less the lead, exclusive)."})


class AnswerAvailability(ActionAvailability):
    """Whether the card may be answered or withdrawn and, when it may, until when."""

    until = Instant(allow_none=True, metadata={
        "description": "When allowed: possible before this, the card's `expires_at` "
                       "(exclusive)."})


class Actions(Schema):
    propose = fields.Nested(ProposeAvailability)
    accept = fields.Nested(AnswerAvailability)
    reject = fields.Nested(AnswerAvailability)
    withdraw = fields.Nested(AnswerAvailability)
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
