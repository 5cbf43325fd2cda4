"""The delay-report pages: a seller's form and list, a reviewer's queue and decisions.

Like the order pages, every action is a form post answered by a redirect; bad input or a
refusal draws the page again with the form as typed, the message beside the field it
names, and a 4xx status. The rules are the services' (the same calls as the JSON API);
the buttons a page draws come from the report's ``actions``, the answer the API gives,
so a button is offered exactly when the service would take the post.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from negotiation.domain import reporting
from negotiation.domain.caller import Caller
from negotiation.domain.enums import AppealState, ReportKind, ReportReason, ReportStatus, Role
from negotiation.domain.errors import DomainError
from negotiation.downloads import evidence_response
from negotiation.runtime import runtime
from negotiation.services.appeals import queries as appeal_queries
from negotiation.services.core.views import OrderView
from negotiation.services.orders import orders as order_service
from negotiation.services.reports import evidence as evidence_service
from negotiation.services.reports import queries as report_queries
from negotiation.services.reports import reports
from negotiation.web import labels
from negotiation.web.blueprint import bp
from negotiation.web.confirmation import confirm_first
from negotiation.web.forms.common import WebForm, refusal_message
from negotiation.web.forms.reports import (
    ApproveReportForm,
    EvidenceForm,
    RejectReportForm,
    ReportFilterForm,
    ReportForm,
)
from negotiation.web.identity import login_required, signed_in_caller
from negotiation.web.refusals import on_refusal, or_none, redraw_on
from negotiation.web.timefmt import day_after, day_start, local

DEFAULT_PAGE_SIZE = 20
REPORT = "/reports/<id:report_id>"
FILTERS = ("status", "kind", "reason", "order_no", "submitted_from", "submitted_to")
# Which report kinds use each kind-dependent field, for the form's hints (and its script).
KINDS_OF_FIELD = {name: [kind.value for kind, names in reporting.FIELDS_OF_KIND.items()
                         if name in names]
                  for name in sorted(reporting.KIND_FIELDS)}
DECISION_FORMS: dict[str, type[WebForm]] = {
    "evidence": EvidenceForm, "approve": ApproveReportForm, "reject": RejectReportForm}


# --- the report form -------------------------------------------------------------------


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def new_report() -> Any:
    caller = signed_in_caller()
    refusal = reporting.file_refusal(caller)
    if refusal is not None:
        raise refusal  # buyers, reviewers and admins file no reports: 403
    if request.method == "GET":
        order_no = (request.args.get("order_no") or "").strip()
        prefill = {"kind": ReportKind.SHIPMENT.value, "order_nos": [order_no]} if order_no else {}
        return report_form_page(ReportForm(formdata=None, data=prefill),
                                prefilled=prefilled_order(caller, order_no))
    form = ReportForm()
    if not form.validate():
        return report_form_page(form, status=422)
    redraw_on(partial(report_form_page, form), form)
    upload = form.file.data
    has_file = kept_if_chosen(upload)
    report = reports.file_report(
        runtime().uow(), caller, kind=ReportKind(form.kind.data),
        reason=ReportReason(form.reason.data), description=form.description.data or "",
        order_nos=form.order_nos.data, tracking_nos=form.tracking_nos.data,
        window_start=form.window_start.data, window_end=form.window_end.data,
        latest_ship_at=form.latest_ship_at.data,
        latest_collect_at=form.latest_collect_at.data)
    flash(labels.notice("report_submitted", id=report.id,
                        due=local(report.review_due_at)), "success")
    if has_file:
        # The file was checked, but attaching may still be refused (the report is filed
        # already, so the refusal is told on the report's page, where it can be sent
        # again).
        on_refusal(partial(file_not_attached, report.id))
        attach(caller, report.id, upload)
    return back_to(report.id)


def kept_if_chosen(upload: object) -> bool:
    """Whether a file was chosen on a form that files something with it; a file that
    could not be kept refuses the whole submission, as typed, so nothing is filed without
    it (reports and appeals alike)."""
    if not (isinstance(upload, FileStorage) and upload.filename):
        return False
    evidence_service.checked_type(upload.stream.read(runtime().policy.evidence_max_bytes + 1),
                                  runtime().policy)
    upload.stream.seek(0)
    return True


def file_not_attached(report_id: int, error: DomainError) -> Any:
    flash(labels.notice("report_filed_without_evidence", refusal=refusal_message(error)),
          "error")
    return back_to(report_id)


def report_form_page(form: ReportForm, *, prefilled: OrderView | None = None,
                     status: int = 200) -> tuple[str, int]:
    had_file = form.is_submitted() and bool(getattr(form.file.data, "filename", None))
    return render_template("report_form.html", form=form, prefilled=prefilled,
                           kinds_of_field=KINDS_OF_FIELD, had_file=had_file,
                           evidence_hint=evidence_hint(form)), status


def evidence_hint(form: WebForm) -> str:
    """What files the policy accepts, said beside a file input (which also asks the
    browser to offer only those)."""
    policy = runtime().policy
    kinds = ", ".join(t.split("/", 1)[1].upper() for t in policy.evidence_types)
    size = labels.file_size(policy.evidence_max_bytes)
    form.file.render_kw = {  # type: ignore[attr-defined]
        "accept": ",".join(policy.evidence_types),
        # web.js refuses a larger file before it is sent, so nothing typed is lost.
        "data-max-bytes": str(policy.evidence_max_bytes),
        "data-too-large": f"{labels.label('evidence_too_large', 'refusal')}: ≤ {size}"}
    return (f"图片或 PDF（{kinds}），每个文件最大 {size}，每份报备最多 "
            f"{policy.evidence_max_files} 个。An image or a PDF ({kinds}), at most {size} "
            f"each, {policy.evidence_max_files} files per report.")


def prefilled_order(caller: Caller, order_no: str) -> OrderView | None:
    """The order a report is started from, to show its deadline beside the form."""
    if not order_no:
        return None
    # Refused, the number stays in the form; filing names what is wrong with it.
    return or_none(lambda: order_service.get_order(runtime().uow(), caller, order_no))


def attach(caller: Caller, report_id: int, upload: FileStorage) -> None:
    view = evidence_service.add_evidence(runtime().uow(), runtime().evidence, caller,
                                         report_id, filename=upload.filename,
                                         stream=upload.stream)
    flash(labels.notice("evidence_attached", filename=view.filename), "success")


# --- the list and the reviewer's queue -------------------------------------------------


@bp.get("/reports")
@login_required
def report_list() -> Any:
    caller = signed_in_caller()
    form = ReportFilterForm(formdata=request.args)
    args = {name: request.args[name] for name in FILTERS if name in request.args}
    if caller.role is Role.REVIEWER and "status" not in request.args:
        # A reviewer's list is the queue: what waits for a decision, most overdue first.
        form.status.data = args["status"] = ReportStatus.PENDING_REVIEW.value
    cursor = request.args.get("cursor") or None
    if not form.validate():
        return report_list_page(form, None, args, cursor, status=422)
    redraw_on(partial(report_list_page, form, None, args, cursor), form)
    page = report_queries.list_reports(
        runtime().uow(), caller,
        limit=int(current_app.config.get("WEB_PAGE_SIZE", DEFAULT_PAGE_SIZE)),
        cursor=cursor, status=_enum(ReportStatus, form.status.data),
        kind=_enum(ReportKind, form.kind.data), reason=_enum(ReportReason, form.reason.data),
        order_no=form.order_no.data or None,
        submitted_from=_day(day_start, form.submitted_from.data),
        submitted_to=_day(day_after, form.submitted_to.data))
    return report_list_page(form, page, args, cursor)


def report_list_page(form: ReportFilterForm, page: Any, args: dict[str, str],
                     cursor: str | None, status: int = 200) -> tuple[str, int]:
    caller = signed_in_caller()
    queue = caller.role is Role.REVIEWER
    # What waits for a reviewer beside the reports, most overdue first.
    waiting = appeal_queries.list_appeals(runtime().uow(), caller, limit=50,
                                          state=AppealState.PENDING_REVIEW).items if queue else []
    return render_template("reports.html", form=form, page=page, args=args, queue=queue,
                           waiting=waiting, first_page=cursor is None,
                           now=runtime().clock.now()), status


def _enum(kind: Any, value: str | None) -> Any:
    return kind(value) if value else None


def _day(bound: Any, day: Any) -> datetime | None:
    return bound(day) if day else None


# --- one report ------------------------------------------------------------------------


@bp.get(REPORT)
@login_required
def report(report_id: int) -> Any:
    return report_page(report_id)


def report_page(report_id: int, *, submitted: WebForm | None = None,
                submitted_as: str | None = None, alert: str | None = None,
                status: int = 200) -> tuple[str, int]:
    caller = signed_in_caller()
    view = report_queries.get_report(runtime().uow(), caller, report_id)
    forms = {name: form_class(formdata=None) for name, form_class in DECISION_FORMS.items()}
    if submitted is not None and submitted_as is not None:
        forms[submitted_as] = submitted
    return render_template(
        "report.html", report=view, actions=view.actions, forms=forms,
        submitted_as=submitted_as, alert=alert, now=runtime().clock.now(),
        evidence_hint=evidence_hint(forms["evidence"]),
    ), status


@bp.post(f"{REPORT}/evidence")
@login_required
def report_add_evidence(report_id: int) -> Any:
    form = EvidenceForm()
    if not form.validate():
        return report_page(report_id, submitted=form, submitted_as="evidence", status=422)
    refusals_redraw(report_id, form, "evidence")
    attach(signed_in_caller(), report_id, form.file.data)
    return back_to(report_id)


@bp.get(f"{REPORT}/evidence/<id:evidence_id>")
@login_required
def report_evidence_file(report_id: int, evidence_id: int) -> Response:
    view, data = evidence_service.read_evidence(runtime().uow(), runtime().evidence,
                                                signed_in_caller(), report_id, evidence_id)
    return evidence_response(view, data)


@bp.post(f"{REPORT}/approve")
@login_required
def report_approve(report_id: int) -> Any:
    form = ApproveReportForm()
    if not form.validate():
        return report_page(report_id, submitted=form, submitted_as="approve", status=422)
    if (asking := confirm_first("approve_report", url_for("web.report", report_id=report_id))):
        return asking
    refusals_redraw(report_id, form, "approve")
    reports.approve_report(runtime().uow(), signed_in_caller(), report_id,
                           note=form.note.data or None)
    flash(labels.notice("report_approved", id=report_id), "success")
    return back_to(report_id)


@bp.post(f"{REPORT}/reject")
@login_required
def report_reject(report_id: int) -> Any:
    form = RejectReportForm()
    if not form.validate():
        return report_page(report_id, submitted=form, submitted_as="reject", status=422)
    if (asking := confirm_first("reject_report", url_for("web.report", report_id=report_id))):
        return asking
    refusals_redraw(report_id, form, "reject")
    reports.reject_report(runtime().uow(), signed_in_caller(), report_id,
                          note=form.note.data or "")
    flash(labels.notice("report_rejected", id=report_id), "success")
    return back_to(report_id)


@bp.post(f"{REPORT}/withdraw")
@login_required
def report_withdraw(report_id: int) -> Any:
    if (asking := confirm_first("withdraw_report", url_for("web.report", report_id=report_id))):
        return asking
    refusals_redraw(report_id)
    reports.withdraw_report(runtime().uow(), signed_in_caller(), report_id)
    flash(labels.notice("report_withdrawn", id=report_id), "success")
    return back_to(report_id)


def refusals_redraw(report_id: int, form: WebForm | None = None,
                    form_name: str | None = None) -> None:
    """A refusal of what follows draws the report page again, with ``form`` as posted."""
    redraw_on(partial(report_page, report_id, submitted=form, submitted_as=form_name), form)


def back_to(report_id: int) -> Any:
    return redirect(url_for("web.report", report_id=report_id))
