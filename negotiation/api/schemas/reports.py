"""Delay reports (RULES.md §3): filing, evidence, review and the list of them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Instant
from negotiation.api.parsing import uploaded_file
from negotiation.api.schemas.common import (
    TRACKING_NO,
    ActionAvailability,
    PageArgs,
    component,
    enum_field,
    one_of,
    text_field,
)
from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus
from negotiation.domain.identifiers import ORDER_NO_PATTERN
from negotiation.domain.reporting import TEXT_LIMIT as REPORT_TEXT_LIMIT

REPORT_ITEM_LIMIT = 500  # a hard ceiling on a list in a body; the policy sets the real one


class DelayReportIn(Schema):
    kind = enum_field(ReportKind, required=True, metadata={"example": "shipment"})
    reason = enum_field(ReportReason, required=True, metadata={"example": "natural_disaster"})
    description = text_field(REPORT_TEXT_LIMIT, min_length=1, required=True,
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
    note = text_field(REPORT_TEXT_LIMIT, metadata={"example": "气象局通报属实"})


class RejectionNoteIn(Schema):
    note = text_field(REPORT_TEXT_LIMIT, min_length=1, required=True,
                      metadata={"example": "证明材料不足"})


class ReportListArgs(PageArgs):
    status = enum_field(ReportStatus)
    kind = enum_field(ReportKind)
    reason = enum_field(ReportReason)
    order_no = fields.String(validate=validate.Regexp(f"^{ORDER_NO_PATTERN}$",
                                                      error="not an order number"))
    submitted_from = Instant(metadata={"description": "Submitted at or after."})
    submitted_to = Instant(metadata={"description": "Submitted before."})


# --- evidence --------------------------------------------------------------------------


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


# --- a report as read ------------------------------------------------------------------


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


@component("DelayReport")
class DelayReportOut(Schema):
    id = fields.Integer()
    store_id = fields.Integer()
    kind = one_of(ReportKind)
    reason = one_of(ReportReason)
    status = one_of(ReportStatus)
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


class DelayReportDetail(DelayReportOut):
    evidence = fields.List(fields.Nested(EvidenceOut))
    history = fields.List(fields.Nested(ReportHistory))


class DelayReportPage(Schema):
    items = fields.List(fields.Nested(DelayReportOut))
    next_cursor = fields.String(allow_none=True)
