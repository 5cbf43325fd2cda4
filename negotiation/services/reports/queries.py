"""Reading delay reports: one with its history and evidence, or a filtered list."""

from __future__ import annotations

from datetime import datetime

from models import DelayReport
from negotiation.adapters.report_repository import ReportFilter
from negotiation.domain import reporting
from negotiation.domain.caller import Caller
from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus, Role
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound
from negotiation.services.core import pagination
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page
from negotiation.services.reports.views import EvidenceView, HistoryView, ReportView


def report_detail(uow: UnitOfWork, caller: Caller, report: DelayReport) -> ReportView:
    return ReportView.of(
        report, uow.now, caller,
        evidence=[EvidenceView.of(e) for e in uow.reports.evidence(report.id)],
        history=[HistoryView.of(h) for h in uow.reports.history(report.id)])


def readable_report(uow: UnitOfWork, caller: Caller, report_id: int) -> DelayReport:
    report = uow.reports.report(report_id)
    if report is None or not reporting.may_read(caller, report):
        raise NotFound(f"No delay report {report_id}.")
    return report


def get_report(uow: UnitOfWork, caller: Caller, report_id: int) -> ReportView:
    with uow:
        return report_detail(uow, caller, readable_report(uow, caller, report_id))


def list_reports(uow: UnitOfWork, caller: Caller, *, limit: int, cursor: str | None = None,
                 status: ReportStatus | None = None, kind: ReportKind | None = None,
                 reason: ReportReason | None = None, order_no: str | None = None,
                 submitted_from: datetime | None = None,
                 submitted_to: datetime | None = None) -> Page[ReportView]:
    """A store's own reports, or every report for a reviewer: the most overdue first."""
    if caller.role is Role.REVIEWER:
        store_id = None
    elif reporting.file_refusal(caller) is None:
        store_id = caller.store_id
    else:
        raise Forbidden("Delay reports are read by their store and by reviewers.")
    if submitted_from and submitted_to and submitted_to <= submitted_from:
        raise InvalidInput("submitted_to must be after submitted_from.", field="submitted_to")
    after = pagination.decode_instant_id(cursor)
    where = ReportFilter(store_id=store_id, status=status, kind=kind, reason=reason,
                         order_no=order_no, submitted_from=submitted_from,
                         submitted_to=submitted_to)
    with uow:
        reports = list(uow.reports.reports(where, after=after, limit=limit + 1))
        more = len(reports) > limit
        reports = reports[:limit]
        next_cursor = (pagination.encode_instant_id(reports[-1].review_due_at, reports[-1].id)
                       if more else None)
        return Page([ReportView.of(r, uow.now, caller) for r in reports], next_cursor)
