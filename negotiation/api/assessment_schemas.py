"""Schemas of the assessment path: scans, assessments, the ledger, regional decisions.

Money is a decimal string ("10.00"), never a JSON number, so no client reads it as a float.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Day, DecimalString, Instant
from negotiation.api.parsing import plain_text
from negotiation.api.schemas import PageArgs
from negotiation.domain.enums import (
    ExemptedBy,
    ExtensionCause,
    LedgerKind,
    ScanKind,
    ViolationKind,
)

REGION = [validate.Length(min=1, max=100), plain_text]


def _one_of(enum: type, **kwargs: object) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


# --- scans -----------------------------------------------------------------------------


class ScanIn(Schema):
    kind = fields.Enum(ScanKind, by_value=True, required=True, metadata={"example": "collected"})
    at = Instant(required=True, metadata={"description": "When the carrier scanned.",
                                          "example": "2026-11-23T08:00:00Z"})


class ScanOut(Schema):
    id = fields.Integer()
    tracking_no = fields.String()
    order_no = fields.String()
    kind = _one_of(ScanKind)
    at = Instant()
    recorded_at = Instant()
    collected_at = Instant(allow_none=True, metadata={
        "description": "The shipment's first collection time, after this scan."})
    collect_by = Instant(allow_none=True)


# --- an order's assessment -------------------------------------------------------------


class AssessmentArgs(Schema):
    ship_at = Instant(metadata={
        "description": "Preview: what shipping at this instant would add. Records nothing."})


class ViolationOut(Schema):
    kind = _one_of(ViolationKind)
    due_at = Instant()
    detected_at = Instant(allow_none=True, metadata={
        "description": "Null for a violation the preview adds."})
    exempted_by = _one_of(ExemptedBy, allow_none=True)
    disproved_at = Instant(allow_none=True, metadata={
        "description": "When a scan reported later showed the deadline was met: the "
                       "violation no longer counts and its charges were reversed."})
    recorded = fields.Boolean()


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
    kind = _one_of(LedgerKind)
    violation_kind = _one_of(ViolationKind, allow_none=True)
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
    region = fields.String(required=True, validate=REGION, metadata={"example": "Zhejiang"})
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
    kinds = fields.List(_one_of(ViolationKind))
    note = fields.String(allow_none=True)
    created_by = fields.Integer()
    created_at = Instant()
    violations_waived = fields.Integer(allow_none=True, metadata={
        "description": "Recorded violations the declaration waived (on creation only)."})


class ExemptionPage(Schema):
    items = fields.List(fields.Nested(ExemptionOut))
    next_cursor = fields.String(allow_none=True)


class ExtensionIn(Schema):
    region = fields.String(required=True, validate=REGION)
    cause = fields.Enum(ExtensionCause, by_value=True, required=True)
    suspended_carriers = fields.Integer(strict=True, validate=validate.Range(min=0, max=1000))
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


class ExtensionOut(Schema):
    id = fields.Integer()
    region = fields.String()
    cause = _one_of(ExtensionCause)
    suspended_carriers = fields.Integer(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()
    created_by = fields.Integer()
    created_at = Instant()
    orders_extended = fields.Integer(allow_none=True)

