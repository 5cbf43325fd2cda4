"""Appeals of recorded violations (申诉, RULES.md §6)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from negotiation.api.fields import Instant
from negotiation.api.schemas.common import (
    ActionAvailability,
    PageArgs,
    component,
    enum_field,
    one_of,
    text_field,
)
from negotiation.domain.enums import AppealReason, AppealState, ViolationKind
from negotiation.domain.identifiers import ORDER_NO_PATTERN
from negotiation.domain.reporting import TEXT_LIMIT


class AppealIn(Schema):
    reason = enum_field(AppealReason, required=True, metadata={"example": "carrier_fault"})
    description = text_field(TEXT_LIMIT, min_length=1, required=True,
                             metadata={"example": "快递员当天已揽收，系统延迟回传"})


class AppealDecisionIn(Schema):
    note = text_field(TEXT_LIMIT, metadata={"example": "揽收记录属实"})


class AppealListArgs(PageArgs):
    state = enum_field(AppealState)
    order_no = fields.String(validate=validate.Regexp(f"^{ORDER_NO_PATTERN}$",
                                                      error="not an order number"))


class AppealEvidenceOut(Schema):
    id = fields.Integer()
    appeal_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    sha256 = fields.String()
    uploaded_by = fields.Integer()
    uploaded_at = Instant()
    url = fields.Method("_url", metadata={"description": "Where the file is served."})

    def _url(self, evidence: object) -> str:
        return (f"/api/v1/appeals/{evidence.appeal_id}"  # type: ignore[attr-defined]
                f"/evidence/{evidence.id}")  # type: ignore[attr-defined]


class AppealActions(Schema):
    uphold = fields.Nested(ActionAvailability)
    overturn = fields.Nested(ActionAvailability)
    add_evidence = fields.Nested(ActionAvailability)


@component("Appeal")
class AppealOut(Schema):
    id = fields.Integer()
    violation_id = fields.Integer()
    order_no = fields.String()
    store_id = fields.Integer()
    violation_kind = one_of(ViolationKind)
    violation_due_at = Instant()
    reason = one_of(AppealReason)
    state = one_of(AppealState)
    description = fields.String()
    submitted_by = fields.Integer()
    submitted_at = Instant()
    review_due_at = Instant()
    overdue = fields.Boolean(metadata={"description": "Pending past its review due time."})
    reviewed_by = fields.Integer(allow_none=True)
    reviewed_at = Instant(allow_none=True)
    review_note = fields.String(allow_none=True)
    actions = fields.Nested(AppealActions, metadata={
        "description": "What the caller may do to the appeal now, and why not."})


class AppealDetail(AppealOut):
    evidence = fields.List(fields.Nested(AppealEvidenceOut))


class AppealPage(Schema):
    items = fields.List(fields.Nested(AppealOut))
    next_cursor = fields.String(allow_none=True)
