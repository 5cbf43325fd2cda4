"""The JSON shapes of API.md, as marshmallow schemas (and so as OpenAPI components).

Input schemas refuse unknown fields (marshmallow's default), so no client can set what
the contract does not let it set.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from negotiation.api.fields import DecimalInput, DecimalString, Instant
from negotiation.api.parsing import database_id, plain_text, uploaded_file
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    ReportKind,
    ReportReason,
    ReportStatus,
    ShipBySource,
    ShipMode,
)
from negotiation.domain.identifiers import ORDER_NO_PATTERN
from negotiation.domain.reporting import TEXT_LIMIT as REPORT_TEXT_LIMIT
from negotiation.services.core.pagination import DEFAULT_LIMIT, MAX_LIMIT


def _enum(enum: type, **kwargs: object) -> fields.Enum:
    return fields.Enum(enum, by_value=True, **kwargs)


def _text(max_length: int, *, min_length: int = 0, **kwargs: object) -> fields.String:
    """Free text of bounded length, without control characters."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), plain_text],
                         **kwargs)


def _one_of(enum: type) -> fields.String:
    """An output string whose values the OpenAPI document lists."""
    return fields.String(validate=validate.OneOf([member.value for member in enum]))


# --- stores and accounts ---------------------------------------------------------------


class StoreIn(Schema):
    name = _text(200, min_length=1, required=True, metadata={"example": "西湖茶庄"})
    region = _text(100, metadata={"example": "Zhejiang"})
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


class Store(Schema):
    id = fields.Integer()
    name = fields.String()
    region = fields.String(allow_none=True)
    handling_hours = fields.Integer()
    handling_working_days = fields.Integer(allow_none=True)
    negotiation_enabled = fields.Boolean()
    flagged_for_review = fields.Boolean(
        metadata={"description": "Most of its latest decided cards were rejected or expired."})


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
    kind = _enum(OrderKind, load_default=OrderKind.PHYSICAL)
    ship_by = Instant()
    ship_mode = _enum(ShipMode, load_default=ShipMode.NORMAL)
    region = _text(100)
    product_id = _text(64, metadata={
        "description": "The product sold; banned after too many ship timeouts on one order."})


class Order(Schema):
    order_no = fields.String()
    store_id = fields.Integer()
    buyer_id = fields.Integer()
    kind = _one_of(OrderKind)
    ship_mode = _one_of(ShipMode)
    region = fields.String(allow_none=True)
    amount = DecimalString()
    status = _one_of(OrderStatus)
    paid_at = Instant()
    original_ship_by = Instant()
    ship_by = Instant(metadata={"description": "The effective deadline."})
    ship_by_source = fields.String(
        validate=validate.OneOf([m.value for m in ShipBySource]),
        metadata={"description": "Which rule set ship_by."})
    shipped_at = Instant(allow_none=True)
    negotiation_state = _one_of(NegotiationState)
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


CURSOR_PATTERN = r"^[A-Za-z0-9_-]{0,400}$"  # base64url, as pagination.encode writes it


def _cursor(description: str = "Where to go on from: the `next_cursor` of the page before."
            ) -> fields.String:
    """A page's position, as the previous page's ``next_cursor`` gave it (base64url)."""
    return fields.String(validate=validate.Regexp(
        CURSOR_PATTERN, error="Not a cursor this service issued."), metadata={
        "description": description})


class OrderListArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = _cursor()
    status = _enum(OrderStatus)
    negotiation_state = _enum(NegotiationState)
    covered_by_report = fields.Boolean(metadata={
        "description": "Only orders an approved delay report covers (or, false, does not)."})


class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = _cursor()


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
    proposed_ship_by = Instant(required=True, metadata={"example": "2026-11-26T10:00:00Z"})
    reason = _enum(CardReason, required=True, metadata={"example": "stock_shortage"})
    remark = _text(500, load_default="", metadata={"example": "补货中，周四前发出"})


class RejectionIn(Schema):
    note = _text(500, metadata={"example": "太晚了，请尽快发货"})
    preferred_ship_by = Instant(metadata={"example": "2026-11-25T10:00:00Z"})


# --- shipments and events --------------------------------------------------------------

TRACKING_NO = [validate.Length(min=4, max=64),
               validate.Regexp(r"^[A-Za-z0-9-]+$", error="letters, digits and - only")]


class ShipmentIn(Schema):
    carrier = _text(100, min_length=1, required=True, metadata={"example": "SF Express"})
    tracking_no = fields.String(required=True, validate=TRACKING_NO,
                                metadata={"example": "SF1000001"})


class Shipment(Schema):
    id = fields.Integer()
    order_no = fields.String()
    carrier = fields.String()
    tracking_no = fields.String()
    shipped_at = Instant()
    late = fields.Boolean(metadata={"description": "Shipped at or after the deadline."})


class Event(Schema):
    id = fields.Integer()
    order_no = fields.String(allow_none=True, metadata={
        "description": "The order the event happened to; null for one of no order "
                       "(`webhook_endpoint.disabled`, `api_key.revoked`)."})
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


# --- the change feed -------------------------------------------------------------------

# An event type (``card.sent``) or a family of them (``card.*``), as short as a type.
EVENT_TYPE_FILTER = r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?$"
MAX_TYPE_FILTERS = 20


class FeedArgs(Schema):
    after = _cursor("Where to go on from: the `next_cursor` of the page before; without "
                    "it, the first event.")
    type = fields.List(
        fields.String(validate=[validate.Length(min=1, max=64), validate.Regexp(
            EVENT_TYPE_FILTER, error="An event type (card.sent) or a family (card.*): "
                                     "letters, digits, _ and . only.")]),
        validate=validate.Length(max=MAX_TYPE_FILTERS, error="At most 20 types."),
        metadata={"description": "Only these types; `card.*` stands for every `card.` "
                                 "type. May repeat; any of them matches."})
    order_no = fields.String(validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="1 to 64 letters, digits and _ . : - only"), metadata={
        "description": "Only this order's events; an order the caller may not see, or "
                       "that does not exist, has none."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))


class FeedPage(Schema):
    items = fields.List(fields.Nested(Event), required=True)
    next_cursor = fields.String(required=True, metadata={
        "description": "Always present, also on the last and on an empty page: poll with it "
                       "to receive what comes next, each event once."})


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


# --- delay reports ---------------------------------------------------------------------

REPORT_ITEM_LIMIT = 500  # a hard ceiling on a list in a body; the policy sets the real one


class DelayReportIn(Schema):
    kind = _enum(ReportKind, required=True, metadata={"example": "shipment"})
    reason = _enum(ReportReason, required=True, metadata={"example": "natural_disaster"})
    description = _text(REPORT_TEXT_LIMIT, min_length=1, required=True,
                        metadata={"example": "台风封路，仓库停工两天"})
    order_nos = fields.List(fields.String(validate=validate.Regexp(
        f"^{ORDER_NO_PATTERN}$", error="not an order number")),
        validate=validate.Length(min=1, max=REPORT_ITEM_LIMIT),
        metadata={"example": ["TB-20261122-0001"]})
    tracking_nos = fields.List(fields.String(validate=TRACKING_NO),
                               validate=validate.Length(min=1, max=REPORT_ITEM_LIMIT))
    window_start = Instant()
    window_end = Instant()
    latest_ship_at = Instant(metadata={"example": "2026-11-27T10:00:00Z"})
    latest_collect_at = Instant()


class DecisionIn(Schema):
    note = _text(REPORT_TEXT_LIMIT, metadata={"example": "气象局通报属实"})


class RejectionNoteIn(Schema):
    note = _text(REPORT_TEXT_LIMIT, min_length=1, required=True,
                 metadata={"example": "证明材料不足"})


class ReportListArgs(PageArgs):
    status = _enum(ReportStatus)
    kind = _enum(ReportKind)
    reason = _enum(ReportReason)
    order_no = fields.String(validate=validate.Regexp(f"^{ORDER_NO_PATTERN}$",
                                                      error="not an order number"))
    submitted_from = Instant(metadata={"description": "Submitted at or after."})
    submitted_to = Instant(metadata={"description": "Submitted before."})


class EvidenceOut(Schema):
    id = fields.Integer()
    report_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    sha256 = fields.String()
    uploaded_by = fields.Integer()
    uploaded_at = Instant()
    url = fields.Method("_url", metadata={"description": "Where the file is served."})

    def _url(self, evidence: object) -> str:
        return (f"/api/v1/delay-reports/{evidence.report_id}"  # type: ignore[attr-defined]
                f"/evidence/{evidence.id}")  # type: ignore[attr-defined]


class EvidenceUpload(Schema):
    file = fields.Raw(required=True, validate=uploaded_file,
                      metadata={"type": "string", "format": "binary"})


class ReportHistory(Schema):
    at = Instant()
    actor = fields.String()
    action = fields.String(metadata={
        "description": "submitted, evidence_added, approved, rejected or withdrawn."})
    note = fields.String(allow_none=True)
    data = fields.Dict()


class ReportActions(Schema):
    approve = fields.Nested(ActionAvailability)
    reject = fields.Nested(ActionAvailability)
    withdraw = fields.Nested(ActionAvailability)
    add_evidence = fields.Nested(ActionAvailability)


class DelayReport(Schema):
    id = fields.Integer()
    store_id = fields.Integer()
    kind = _one_of(ReportKind)
    reason = _one_of(ReportReason)
    status = _one_of(ReportStatus)
    description = fields.String()
    order_nos = fields.List(fields.String(), metadata={"description": "The orders it names."})
    tracking_nos = fields.List(fields.String())
    window_start = Instant(allow_none=True)
    window_end = Instant(allow_none=True)
    latest_ship_at = Instant(allow_none=True)
    latest_collect_at = Instant(allow_none=True)
    submitted_by = fields.Integer()
    submitted_at = Instant()
    review_due_at = Instant()
    overdue = fields.Boolean(metadata={"description": "Pending past its review due time."})
    waited_seconds = fields.Integer(metadata={
        "description": "How long it waited for a decision: so far, or until decided."})
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = Instant(allow_none=True)
    review_note = fields.String(allow_none=True)
    actions = fields.Nested(ReportActions, metadata={
        "description": "What the caller may do to the report now, and why not."})


class DelayReportDetail(DelayReport):
    evidence = fields.List(fields.Nested(EvidenceOut))
    history = fields.List(fields.Nested(ReportHistory))


class DelayReportPage(Schema):
    items = fields.List(fields.Nested(DelayReport))
    next_cursor = fields.String(allow_none=True)
