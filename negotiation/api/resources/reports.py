"""Delay reports: filing, evidence, review and queries (RULES.md §3)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from negotiation.api.caller import current_caller
from negotiation.api.parsing import Blueprint
from negotiation.api.resources import documents_errors
from negotiation.api.schemas.reports import (
    DecisionIn,
    DelayReportDetail,
    DelayReportIn,
    DelayReportPage,
    EvidenceOut,
    EvidenceUpload,
    RejectionNoteIn,
    ReportListArgs,
)
from negotiation.downloads import evidence_response
from negotiation.runtime import runtime
from negotiation.services.reports import evidence, reports
from negotiation.services.reports import queries as report_queries

blp = Blueprint("delay-reports", __name__,
                description="Delay reports (延迟发货/揽收报备, 店铺报备) and their review.")
REPORT = "/delay-reports/<id:report_id>"


@blp.route("/delay-reports")
class DelayReports(MethodView):
    @blp.arguments(DelayReportIn)
    @blp.response(201, DelayReportDetail)
    @documents_errors(blp, 403, 409, 422)
    def post(self, body: dict) -> object:
        """File a delay report for orders, tracking numbers or a store window."""
        return reports.file_report(runtime().uow(), current_caller(), **body)

    @blp.arguments(ReportListArgs, location="query")
    @blp.response(200, DelayReportPage)
    @documents_errors(blp, 403, 422)
    def get(self, args: dict) -> object:
        """List reports, the most overdue first: a store its own, a reviewer all."""
        return report_queries.list_reports(runtime().uow(), current_caller(), **args)


@blp.route(REPORT)
class DelayReportById(MethodView):
    @blp.response(200, DelayReportDetail)
    @documents_errors(blp, 404)
    def get(self, report_id: int) -> object:
        """Read a report with its evidence and review history."""
        return report_queries.get_report(runtime().uow(), current_caller(), report_id)


@blp.route(f"{REPORT}/approve")
class ApproveReport(MethodView):
    @blp.arguments(DecisionIn)
    @blp.response(200, DelayReportDetail)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, report_id: int) -> object:
        """Approve a pending report: its latest time now counts for what it covers."""
        return reports.approve_report(runtime().uow(), current_caller(), report_id, **body)


@blp.route(f"{REPORT}/reject")
class RejectReport(MethodView):
    @blp.arguments(RejectionNoteIn)
    @blp.response(200, DelayReportDetail)
    @documents_errors(blp, 403, 404, 409, 422)
    def post(self, body: dict, report_id: int) -> object:
        """Reject a pending report, telling the store why."""
        return reports.reject_report(runtime().uow(), current_caller(), report_id, **body)


@blp.route(f"{REPORT}/withdraw")
class WithdrawReport(MethodView):
    @blp.response(200, DelayReportDetail)
    @documents_errors(blp, 403, 404, 409)
    def post(self, report_id: int) -> object:
        """Withdraw a report still waiting for review."""
        return reports.withdraw_report(runtime().uow(), current_caller(), report_id)


@blp.route(f"{REPORT}/evidence")
class EvidenceOfReport(MethodView):
    @blp.arguments(EvidenceUpload, location="files")
    @blp.response(201, EvidenceOut)
    @documents_errors(blp, 403, 404, 409, 413, 422)
    def post(self, files: dict, report_id: int) -> object:
        """Attach an image or PDF as evidence (multipart field ``file``)."""
        upload = files["file"]
        return evidence.add_evidence(runtime().uow(), runtime().evidence, current_caller(),
                                     report_id, filename=upload.filename, stream=upload.stream)


@blp.route(f"{REPORT}/evidence/<id:evidence_id>")
class EvidenceFile(MethodView):
    @blp.response(200, content_type="application/octet-stream",
                  description="The file, with the media type it was recognised as.")
    @documents_errors(blp, 404)
    def get(self, report_id: int, evidence_id: int) -> Response:
        """Download an evidence file (the report's store and reviewers)."""
        view, data = evidence.read_evidence(runtime().uow(), runtime().evidence,
                                            current_caller(), report_id, evidence_id)
        return evidence_response(view, data)
