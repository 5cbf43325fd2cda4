"""A negotiation, its proposal cards, the answers to them, and what the caller may do."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_dump, validate

from negotiation.api.fields import Instant
from negotiation.api.schemas.common import (
    ActionAvailability,
    component,
    enum_field,
    one_of,
    text_field,
)
from negotiation.domain.enums import CardReason, CardState, NegotiationState
from negotiation.domain.identifiers import ORDER_NO_PATTERN
from negotiation.services.negotiation.batches import READ_LIMIT, SEND_LIMIT, Unanswered


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


@component("ConsentLink")
class ConsentLinkOut(Schema):
    url = fields.String(metadata={
        "description": "The page the buyer opens to answer this card; no token needed.",
        "example": "https://shop.example/consent/WzEsMiwxNzY0MDAwMDAwMDAwMDAwXQ.sig"})
    expires_at = Instant(metadata={"description": "When the link stops working: the "
                                                  "card's own expiry."})


# --- many orders at once -----------------------------------------------------------------


def _order_nos(limit: int, *, unique: object = None, **kwargs: object) -> fields.List:
    checks = [validate.Length(min=1, max=limit), *([unique] if unique else [])]
    return fields.List(fields.String(validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="not an order number")),
        required=True, validate=checks, **kwargs)


class NegotiationsArgs(Schema):
    order_no = _order_nos(READ_LIMIT, metadata={
        "description": f"An order's number; repeat it for 1 to {READ_LIMIT} orders."})


class ItemError(Schema):
    code = fields.String(metadata={"description": "The code a single call would answer."})
    detail = fields.String()


class _OneOrItsError(Schema):
    """An item of a batch: its result, or only its number and why there is none."""

    error = fields.Nested(ItemError, metadata={
        "description": "Only when there is no result: why (`not_found` for an order unknown "
                       "or not the caller's to see, else the refusal)."})

    @post_dump(pass_original=True)
    def one_shape(self, data: dict, original: object, **kwargs: object) -> dict:
        if isinstance(original, Unanswered):
            return {"order_no": original.order_no, "error": data["error"]}
        data.pop("error", None)
        return data


class NegotiationOrError(NegotiationOut, _OneOrItsError):
    pass


class NegotiationList(Schema):
    items = fields.List(fields.Nested(NegotiationOrError), metadata={
        "description": "One per order asked, in the order asked."})


def _each_once(order_nos: list[str]) -> None:
    if len(set(order_nos)) != len(order_nos):
        raise ValidationError("Each order may be named once.")


class CardBatchIn(ProposalIn):
    order_nos = _order_nos(SEND_LIMIT, unique=_each_once,
                           metadata={"example": ["TB-20261122-0001"]})


class CardOrError(_OneOrItsError):
    order_no = fields.String()
    card = fields.Nested(CardOut)


class CardBatchOut(Schema):
    results = fields.List(fields.Nested(CardOrError), metadata={
        "description": "One per order, in the order asked."})
