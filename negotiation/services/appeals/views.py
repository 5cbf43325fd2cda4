"""What the appeal use cases hand back: plain values for the API and the forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models import Appeal, AppealEvidence, Violation
from negotiation.domain import appealing
from negotiation.domain.caller import Caller
from negotiation.services.core.views import ActionView


@dataclass(frozen=True)
class AppealEvidenceView:
    id: int
    appeal_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int
    uploaded_at: datetime

    @classmethod
    def of(cls, evidence: AppealEvidence) -> AppealEvidenceView:
        return cls(evidence.id, evidence.appeal_id, evidence.filename, evidence.content_type,
                   evidence.size, evidence.sha256, evidence.uploaded_by, evidence.uploaded_at)


@dataclass(frozen=True)
class AppealView:
    id: int
    violation_id: int
    order_no: str
    store_id: int
    violation_kind: str
    violation_due_at: datetime
    reason: str
    state: str
    description: str
    submitted_by: int
    submitted_at: datetime
    review_due_at: datetime
    overdue: bool
    reviewed_by: int | None
    reviewed_at: datetime | None
    review_note: str | None
    actions: dict[str, ActionView]
    evidence: list[AppealEvidenceView] = field(default_factory=list)

    @classmethod
    def of(cls, appeal: Appeal, violation: Violation, now: datetime, caller: Caller, *,
           evidence: list[AppealEvidenceView] | None = None) -> AppealView:
        return cls(
            appeal.id, appeal.violation_id, appeal.order_no, appeal.store_id,
            violation.kind.value, violation.due_at, appeal.reason.value, appeal.state.value,
            appeal.description, appeal.submitted_by, appeal.submitted_at,
            appeal.review_due_at, appealing.is_overdue(appeal, now), appeal.reviewed_by,
            appeal.reviewed_at, appeal.review_note,
            {name: ActionView.of(refusal)
             for name, refusal in appealing.appeal_actions(caller, appeal).items()},
            evidence or [])
