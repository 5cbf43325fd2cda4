"""What missed deadlines cost: an order's assessment, a store's ledger, and reviewers'
regional exemptions and extensions.

Money is a decimal string ("10.00"), never a JSON number, so no client reads it as a float.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Day, DecimalString, Instant
from negotiation.api.parsing import plain_text
from negotiation.api.schemas.common import PageArgs, enum_field, one_of
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.enums import (
    AppealState,
    ExemptedBy,
    ExtensionCause,
    LedgerKind,
    ViolationKind,
)
from negotiation.domain.places import PlaceKind

# Which codes are places is the services' to say (one table, domain/places.py), so the
# pages and the API refuse an unknown one alike; the shape is checked here.
REGION = [validate.Length(min=1, max=100), plain_text]
REGION_DESCRIPTION = "A place's code from GET /api/v1/regions, e.g. Zhejiang."


# --- an order's assessment -------------------------------------------------------------


class AssessmentArgs(Schema):
    ship_at = Instant(metadata={
        "description": "Preview: what shipping at this instant would add. Records nothing."})


class ViolationAppealOut(Schema):
    id = fields.Integer()
    state = one_of(AppealState)


class ViolationOut(Schema):
    kind = one_of(ViolationKind)
    due_at = Instant()
    detected_at = Instant(allow_none=True, metadata={
        "description": "Null for a violation the preview adds."})
    exempted_by = one_of(ExemptedBy, allow_none=True)
    disproved_at = Instant(allow_none=True, metadata={
        "description": "When a scan reported later showed the deadline was met: the "
                       "violation no longer counts and its charges were reversed."})
    recorded = fields.Boolean()


class RecordedViolationOut(ViolationOut):
    """A recorded violation with what an appeal of it needs."""

    id = fields.Integer(metadata={"description": "What `POST /violations/{id}/appeals` names."})
    appeal = fields.Nested(ViolationAppealOut, allow_none=True, metadata={
        "description": "The store's appeal of the violation, if any."})


class RecordedViolationList(Schema):
    order_no = fields.String()
    items = fields.List(fields.Nested(RecordedViolationOut))


class AssessmentOut(Schema):
    order_no = fields.String()
    at = Instant(metadata={"description": "The instant assessed."})
    ship_at = Instant(allow_none=True)
    status = fields.String()
    ship_by = Instant()
    ship_by_source = fields.String()
    collect_by = Instant(allow_none=True)
    collected_at = Instant(allow_none=True)
    violations = fields.List(fields.Nested(ViolationOut))
    deduction = DecimalString(metadata={"description": "Deposit deductions that stand."})
    points = DecimalString()
    compensation = DecimalString(metadata={"description": "Compensation owed to the buyer."})
    product_banned = fields.Boolean()
    closed_at = Instant(allow_none=True)


# --- a store's ledger ------------------------------------------------------------------


class LedgerArgs(PageArgs):
    from_ = Day(data_key="from", metadata={
        "description": "First business day (Asia/Shanghai), included. Default: 29 days "
                       "before `to`."})
    to = Day(metadata={"description": "Last business day, included. Default: today."})


class LedgerEntryOut(Schema):
    id = fields.Integer()
    order_no = fields.String()
    kind = one_of(LedgerKind)
    violation_kind = one_of(ViolationKind, allow_none=True)
    amount = DecimalString()
    points = DecimalString()
    at = Instant()
    applies_on = fields.Date(allow_none=True, metadata={
        "description": "The day the deduction is taken (the day after the violation)."})
    reverses = fields.Integer(allow_none=True)
    revoked_at = Instant(allow_none=True)


class TotalsOut(Schema):
    deducted = DecimalString()
    compensated = DecimalString()
    reversed = DecimalString(metadata={"description": "Reversals, negative."})
    points = DecimalString()
    net = DecimalString()


class DayTotalsOut(TotalsOut):
    day = fields.Date()


class LedgerOut(Schema):
    store_id = fields.Integer()
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")
    items = fields.List(fields.Nested(LedgerEntryOut))
    next_cursor = fields.String(allow_none=True)
    totals = fields.Nested(TotalsOut)
    days = fields.List(fields.Nested(DayTotalsOut))


# --- regional exemptions and extensions ------------------------------------------------


class ExemptionIn(Schema):
    region = fields.String(required=True, validate=REGION, metadata={
        "example": "Zhejiang", "description": REGION_DESCRIPTION})
    starts_at = Instant(required=True, metadata={"example": "2026-11-22T00:00:00Z"})
    ends_at = Instant(required=True, metadata={"example": "2026-11-25T00:00:00Z"})
    kinds = fields.List(fields.Enum(ViolationKind, by_value=True), required=True,
                        validate=validate.Length(min=1), metadata={"example": ["late_shipment"]})
    note = fields.String(validate=[validate.Length(max=1000), plain_text])


class ExemptionOut(Schema):
    id = fields.Integer()
    region = fields.String()
    starts_at = Instant()
    ends_at = Instant()
    kinds = fields.List(one_of(ViolationKind))
    note = fields.String(allow_none=True)
    created_by = fields.Integer()
    created_at = Instant()
    state = one_of(DeclarationState, metadata={
        "description": "upcoming, active (its window holds now) or ended (ended early or "
                       "its window passed)."})
    ended_at = Instant(allow_none=True, metadata={
        "description": "When a reviewer ended it early; `ends_at` was then brought back "
                       "to that instant (or to `starts_at` had it not begun)."})
    ended_by = fields.Integer(allow_none=True)
    violations_waived = fields.Integer(allow_none=True, metadata={
        "description": "Recorded violations the declaration waived (on creation only)."})


class ExemptionPage(Schema):
    items = fields.List(fields.Nested(ExemptionOut))
    next_cursor = fields.String(allow_none=True)


class ExtensionIn(Schema):
    region = fields.String(required=True, validate=REGION, metadata={
        "example": "Zhejiang", "description": REGION_DESCRIPTION})
    cause = fields.Enum(ExtensionCause, by_value=True, required=True)
    suspended_carriers = fields.Integer(strict=True, validate=validate.Range(min=0, max=1000))
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


class ExtensionOut(Schema):
    id = fields.Integer()
    region = fields.String()
    cause = one_of(ExtensionCause)
    suspended_carriers = fields.Integer(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()
    created_by = fields.Integer()
    created_at = Instant()
    state = one_of(DeclarationState, metadata={
        "description": "upcoming, active (its window holds now) or ended (ended early or "
                       "its window passed)."})
    ended_at = Instant(allow_none=True, metadata={
        "description": "When a reviewer ended it early; `ends_at` was then brought back "
                       "to that instant (or to `starts_at` had it not begun)."})
    ended_by = fields.Integer(allow_none=True)
    orders_extended = fields.Integer(allow_none=True, metadata={
        "description": "Orders the declaration extended (on creation only)."})


class ExtensionPage(Schema):
    items = fields.List(fields.Nested(ExtensionOut))
    next_cursor = fields.String(allow_none=True)


class DeclarationListArgs(PageArgs):
    region = fields.String(validate=REGION, metadata={"description": REGION_DESCRIPTION})
    state = enum_field(DeclarationState)


class ExemptionListArgs(DeclarationListArgs):
    kind = enum_field(ViolationKind, metadata={
        "description": "Only the exemptions waiving this kind of violation."})


class ExtensionListArgs(DeclarationListArgs):
    cause = enum_field(ExtensionCause)


# --- the places a declaration may name -------------------------------------------------


class PlaceOut(Schema):
    code = fields.String(metadata={"description": "What `region` takes."})
    zh = fields.String(metadata={"example": "浙江"})
    en = fields.String(metadata={"example": "Zhejiang"})
    kind = one_of(PlaceKind)
    province = fields.String(metadata={
        "description": "The code of the province-level place it lies in (its own for one)."})


class PlaceList(Schema):
    items = fields.List(fields.Nested(PlaceOut))
