"""The appeal pages: a seller files one from its order page, a reviewer decides it.

As on the report pages, every action is a form post answered by a redirect; bad input or
a refusal draws the page again with the form as typed and a 4xx status. The buttons come
from the appeal's ``actions``, the answer the API gives.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from negotiation.domain.enums import AppealReason
from negotiation.downloads import evidence_response
from negotiation.runtime import runtime
from negotiation.services.appeals import appeals
from negotiation.services.appeals import queries as appeal_queries
from negotiation.web import labels
from negotiation.web.blueprint import bp
from negotiation.web.forms.appeals import AppealForm, DecideAppealForm
from negotiation.web.forms.reports import EvidenceForm
from negotiation.web.identity import login_required, signed_in_caller
from negotiation.web.refusals import redraw_on
from negotiation.web.report_pages import kept_if_chosen

APPEAL = "/appeals/<id:appeal_id>"


# --- filing ----------------------------------------------------------------------------


@bp.route("/violations/<id:violation_id>/appeal", methods=["GET", "POST"])
@login_required
def new_appeal(violation_id: int) -> Any:
    form = AppealForm() if _posted() else AppealForm(formdata=None)
    if not _posted():
        return filing_page(violation_id, form)
    if not form.validate():
        return filing_page(violation_id, form, status=422)
    redraw_on(partial(filing_page, violation_id, form), form)
    upload = form.file.data
    has_file = kept_if_chosen(upload)
    view = appeals.file_appeal(runtime().uow(), signed_in_caller(), violation_id,
                               reason=AppealReason(form.reason.data),
                               description=form.description.data or "")
    flash(labels.notice("appeal_submitted", id=view.id), "success")
    if has_file:
        redraw_on(partial(appeal_page, view.id, submitted=EvidenceForm(formdata=None)))
        attach(view.id, upload)
    return back_to(view.id)


def _posted() -> bool:
    return request.method == "POST"


def filing_page(violation_id: int, form: AppealForm, status: int = 200) -> tuple[str, int]:
    return render_template("appeal.html", appeal=None, violation_id=violation_id,
                           form=form), status


# --- one appeal ------------------------------------------------------------------------


@bp.get(APPEAL)
@login_required
def appeal(appeal_id: int) -> Any:
    return appeal_page(appeal_id)


def appeal_page(appeal_id: int, *, submitted: Any = None, submitted_as: str | None = None,
                alert: str | None = None, status: int = 200) -> tuple[str, int]:
    view = appeal_queries.get_appeal(runtime().uow(), signed_in_caller(), appeal_id)
    forms = {"decide": DecideAppealForm(formdata=None), "evidence": EvidenceForm(formdata=None)}
    if submitted is not None and submitted_as is not None:
        forms[submitted_as] = submitted
    return render_template("appeal.html", appeal=view, actions=view.actions, forms=forms,
                           alert=alert), status


@bp.post(f"{APPEAL}/<any(uphold, overturn):outcome>")
@login_required
def appeal_decide(appeal_id: int, outcome: str) -> Any:
    form = DecideAppealForm()
    if not form.validate():
        return appeal_page(appeal_id, submitted=form, submitted_as="decide", status=422)
    redraw_on(partial(appeal_page, appeal_id, submitted=form, submitted_as="decide"), form)
    decide = appeals.uphold_appeal if outcome == "uphold" else appeals.overturn_appeal
    view = decide(runtime().uow(), signed_in_caller(), appeal_id, note=form.note.data or None)
    flash(labels.notice("appeal_decided", id=appeal_id,
                        state=labels.label(view.state, "appeal_state")), "success")
    return back_to(appeal_id)


@bp.post(f"{APPEAL}/evidence")
@login_required
def appeal_add_evidence(appeal_id: int) -> Any:
    form = EvidenceForm()
    if not form.validate():
        return appeal_page(appeal_id, submitted=form, submitted_as="evidence", status=422)
    redraw_on(partial(appeal_page, appeal_id, submitted=form, submitted_as="evidence"), form)
    attach(appeal_id, form.file.data)
    return back_to(appeal_id)


@bp.get(f"{APPEAL}/evidence/<id:evidence_id>")
@login_required
def appeal_evidence_file(appeal_id: int, evidence_id: int) -> Response:
    view, data = appeal_queries.read_evidence(runtime().uow(), runtime().evidence,
                                              signed_in_caller(), appeal_id, evidence_id)
    return evidence_response(view, data)  # type: ignore[arg-type]


def attach(appeal_id: int, upload: FileStorage) -> None:
    view = appeals.add_evidence(runtime().uow(), runtime().evidence, signed_in_caller(),
                                appeal_id, filename=upload.filename, stream=upload.stream)
    flash(labels.notice("evidence_attached", filename=view.filename), "success")


def back_to(appeal_id: int) -> Any:
    return redirect(url_for("web.appeal", appeal_id=appeal_id))
