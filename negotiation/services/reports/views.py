"""What the delay-report use cases hand back: plain values for the API and the forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import DelayReport, Evidence, ReportHistoryEntry
from negotiation.domain import reporting
from negotiation.domain.caller import Caller
from negotiation.services.core.views import ActionView


@dataclass(frozen=True)
class EvidenceView:
    id: int
    report_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int
    uploaded_at: datetime

    @classmethod
    def of(cls, evidence: Evidence) -> EvidenceView:
        return cls(evidence.id, evidence.report_id, evidence.filename, evidence.content_type,
                   evidence.size, evidence.sha256, evidence.uploaded_by, evidence.uploaded_at)


@dataclass(frozen=True)
class HistoryView:
    at: datetime
    actor: str
    action: str
    note: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: ReportHistoryEntry) -> HistoryView:
        return cls(entry.at, entry.actor, entry.action, entry.note, entry.data or {})


@dataclass(frozen=True)
class ReportView:
    id: int
    store_id: int
    kind: str
    reason: str
    status: str
    description: str
    order_nos: list[str]
    tracking_nos: list[str]
    window_start: datetime | None
    window_end: datetime | None
    latest_ship_at: datetime | None
    latest_collect_at: datetime | None
    submitted_by: int
    submitted_at: datetime
    review_due_at: datetime
    overdue: bool
    waited_seconds: int
    reviewed_by: int | None
    reviewed_at: datetime | None
    review_note: str | None
    actions: dict[str, ActionView]
    evidence: list[EvidenceView] = field(default_factory=list)
    history: list[HistoryView] = field(default_factory=list)

    @classmethod
    def of(cls, report: DelayReport, now: datetime, caller: Caller, *,
           evidence: list[EvidenceView] | None = None,
           history: list[HistoryView] | None = None) -> ReportView:
        return cls(
            report.id, report.store_id, report.kind.value, report.reason.value,
            report.status.value, report.description,
            [item.order_no for item in report.items],
            [item.tracking_no for item in report.items if item.tracking_no],
            report.window_start, report.window_end, report.latest_ship_at,
            report.latest_collect_at, report.submitted_by, report.submitted_at,
            report.review_due_at, reporting.is_overdue(report, now),
            int(reporting.waited(report, now).total_seconds()),
            report.reviewed_by, report.reviewed_at, report.review_note,
            {name: ActionView.of(refusal)
             for name, refusal in reporting.report_actions(caller, report).items()},
            evidence or [], history or [])
