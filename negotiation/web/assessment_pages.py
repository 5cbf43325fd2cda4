"""What missed deadlines cost, as pages: the assessment panel of an order, a store's
penalty ledger, and a reviewer's regional exemptions and extensions.

The same service calls as the JSON API (``assessment_queries``, ``regions``). Reading is
done with GET forms, so a preview or a date range can be bookmarked and needs no token;
declaring or ending one is a form post answered by a redirect. Bad input or a refusal draws the page
again with the input as typed and the message beside the field it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from negotiation.domain.caller import Caller
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.enums import ExtensionCause, Role, ViolationKind
from negotiation.domain.errors import DomainError, Forbidden, NotFound
from negotiation.runtime import runtime
from negotiation.services.accounts import stores
from negotiation.services.assessment import queries as assessment_queries
from negotiation.services.assessment import regions
from negotiation.services.assessment.queries import ASSESSMENT_READERS, LEDGER_READERS
from negotiation.services.assessment.views import AssessmentView, LedgerPage
from negotiation.status_codes import status_of
from negotiation.web import labels
from negotiation.web.blueprint import bp
from negotiation.web.confirmation import confirm_first
from negotiation.web.forms.assessment import (
    DeclarationFilterForm,
    ExemptionForm,
    ExtensionForm,
    LedgerFilterForm,
    PreviewForm,
    StoreChoiceForm,
)
from negotiation.web.forms.common import WebForm
from negotiation.web.identity import login_required, signed_in_caller
from negotiation.web.refusals import on_refusal, or_none, redraw_on

LEDGER_PAGE_SIZE = 50
EXEMPTIONS_PER_PAGE = 20
STORE = "/stores/<id:store_id>"
EXTENSION_PREFIX = "ext"  # the extension form shares the exemption page: distinct inputs


# --- the order page's panel ------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentPanel:
    """What the order page draws under "assessment"; ``view`` includes the preview's
    figures only when ``previewing`` (a refused preview shows the standing alone)."""

    view: AssessmentView
    form: PreviewForm
    previewing: bool
    status: int = 200


def assessment_panel(caller: Caller, order_no: str) -> AssessmentPanel | None:
    """The order's assessment for its store's sellers and reviewers, else None.

    ``ship_at`` in the query asks for a preview; when it is malformed or refused, the
    recorded standing is shown with the message beside the input, which keeps the text.
    """
    if caller.role not in ASSESSMENT_READERS:
        return None  # buyers and admins: the panel is the store's and reviewers'
    asked = bool((request.args.get("ship_at") or "").strip())
    form = PreviewForm(formdata=request.args if asked else None)
    uow = runtime().uow
    if asked and form.validate():
        preview = or_none(lambda: assessment_queries.order_assessment(
            uow(), caller, order_no, form.ship_at.data), shown_on=form)
        if preview is not None:
            return AssessmentPanel(preview, form, previewing=True)
    view = assessment_queries.order_assessment(uow(), caller, order_no)
    status = form.refused_status or (422 if asked else 200)
    return AssessmentPanel(view, form, previewing=False, status=status)


# --- a store's penalty ledger ----------------------------------------------------------


@bp.get("/penalties")
@login_required
def penalty_ledgers() -> Any:
    """Where the nav's ledger link lands: an owner goes to its store's ledger, a reviewer
    picks a store from the list (or names one by id) first."""
    caller = signed_in_caller()
    if caller.role not in LEDGER_READERS:
        raise Forbidden("A store's penalty ledger is read by its owner and reviewers.")
    if caller.role is Role.OWNER and caller.store_id is not None:
        return redirect(url_for("web.penalties", store_id=caller.store_id))
    asked = "store_id" in request.args
    form = StoreChoiceForm(formdata=request.args if asked else None)
    if asked and form.validate():
        return redirect(url_for("web.penalties", store_id=int(form.store_id.data)))
    return render_template("penalties.html", chooser=form, page=None, form=None,
                           store_id=None, stores=stores.list_stores(runtime().uow(), caller)
                           ), (422 if asked else 200)


@bp.get(f"{STORE}/penalties")
@login_required
def penalties(store_id: int) -> Any:
    caller = signed_in_caller()
    form = LedgerFilterForm(formdata=request.args)
    if not form.validate():
        _ledger(caller, store_id)  # who may read the store is answered first: 404 before 422
        return penalties_page(store_id, form, None, status=422)
    redraw_on(partial(penalties_page, store_id, form, None), form)
    page = _ledger(caller, store_id, form.start.data, form.end.data,
                   request.args.get("cursor") or None)
    for field, day in ((form.start, page.start), (form.end, page.end)):
        if field.data is None:  # left blank: show the range the service chose
            field.data, field.raw_data = day, []
    return penalties_page(store_id, form, page)


def _ledger(caller: Caller, store_id: int, start: date | None = None, end: date | None = None,
            cursor: str | None = None) -> LedgerPage:
    return assessment_queries.store_penalties(
        runtime().uow(), caller, store_id, start=start, end=end, cursor=cursor,
        limit=int(current_app.config.get("WEB_LEDGER_PAGE_SIZE", LEDGER_PAGE_SIZE)))


def penalties_page(store_id: int, form: LedgerFilterForm, page: LedgerPage | None,
                   status: int = 200) -> tuple[str, int]:
    more = None
    if page is not None and page.next_cursor:
        # The next page keeps the range this one was read for, even when it was defaulted.
        more = url_for("web.penalties", store_id=store_id, cursor=page.next_cursor,
                       **{"from": page.start.isoformat(), "to": page.end.isoformat()})
    return render_template("penalties.html", chooser=None, form=form, page=page,
                           store_id=store_id, more=more,
                           first_page=not request.args.get("cursor")), status


# --- a reviewer's regional decisions ---------------------------------------------------


@bp.get("/exemptions")
@login_required
def exemptions() -> Any:
    return exemptions_page()


def exemptions_page(*, submitted: WebForm | None = None, submitted_as: str | None = None,
                    status: int = 200, alert: str | None = None) -> tuple[str, int]:
    """The declared exemptions and extensions, filtered as the query asks, and the forms
    to declare more. A bad filter draws the lists unfiltered, its message beside it."""
    caller = signed_in_caller()
    filtering = DeclarationFilterForm(formdata=request.args)
    chosen: dict[str, Any] = {}
    if filtering.validate():
        chosen = {"region": filtering.region.data or None,
                  "state": DeclarationState(filtering.state.data) if filtering.state.data
                  else None}
    else:
        status = max(status, 422)
    size = int(current_app.config.get("WEB_PAGE_SIZE", EXEMPTIONS_PER_PAGE))
    uow = runtime().uow
    listed = regions.list_exemptions(uow(), caller, cursor=request.args.get("cursor") or None,
                                     limit=size, **chosen)
    extended = regions.list_extensions(uow(), caller, limit=size, **chosen,
                                       cursor=request.args.get("ext_cursor") or None)
    forms: dict[str, WebForm] = {
        "exemption": ExemptionForm(formdata=None),
        "extension": ExtensionForm(formdata=None, prefix=EXTENSION_PREFIX)}
    if submitted is not None and submitted_as is not None:
        forms[submitted_as] = submitted
    return render_template("exemptions.html", page=listed, extensions=extended, forms=forms,
                           filtering=filtering, filters={k: v for k, v in request.args.items()
                                                         if k in ("region", "state")},
                           submitted_as=submitted_as, may_declare=caller.role is Role.REVIEWER,
                           policy=runtime().policy,
                           region_name=labels.region, alert=alert,
                           first_page=not request.args.get("cursor"),
                           first_extensions=not request.args.get("ext_cursor")), status


@bp.post("/exemptions/<id:exemption_id>/end")
@login_required
def end_exemption(exemption_id: int) -> Any:
    if (asking := confirm_first("end_exemption", url_for("web.exemptions", _anchor="list"))):
        return asking
    on_refusal(partial(_already_over, "豁免", "exemption"))
    view = regions.end_exemption(runtime().uow(), signed_in_caller(), exemption_id)
    flash(labels.notice("exemption_ended", id=view.id), "success")
    return redirect(url_for("web.exemptions"))


@bp.post("/regional-extensions/<id:extension_id>/end")
@login_required
def end_extension(extension_id: int) -> Any:
    if (asking := confirm_first("end_extension",
                                url_for("web.exemptions", _anchor="extensions"))):
        return asking
    on_refusal(partial(_already_over, "延期", "extension"))
    view = regions.end_extension(runtime().uow(), signed_in_caller(), extension_id)
    flash(labels.notice("extension_ended", id=view.id), "success")
    return redirect(url_for("web.exemptions", _anchor="extensions"))


def _already_over(zh: str, en: str, error: DomainError) -> tuple[str, int] | None:
    """Ending one already over: the lists again with the reason at the top (what the
    caller may not see or do still answers its 404/403 page)."""
    if isinstance(error, NotFound | Forbidden):
        return None
    return exemptions_page(status=status_of(error.code),
                           alert=f"该区域{zh}已结束，无需再结束。This regional {en} is already "
                                 "over.")


@bp.post("/exemptions")
@login_required
def declare_exemption() -> Any:
    form = ExemptionForm()
    if not form.validate():
        return exemptions_page(submitted=form, submitted_as="exemption", status=422)
    redraw_on(partial(exemptions_page, submitted=form, submitted_as="exemption"), form)
    view = regions.declare_exemption(
        runtime().uow(), signed_in_caller(), region=form.region.data,
        starts_at=form.starts_at.data, ends_at=form.ends_at.data,
        kinds=[ViolationKind(k) for k in form.kinds.data], note=form.note.data or None)
    flash(labels.notice("exemption_declared", id=view.id, region=labels.region(view.region),
                        waived=view.violations_waived), "success")
    return redirect(url_for("web.exemptions"))


@bp.route("/regional-extensions", methods=["GET", "POST"])
@login_required
def declare_extension() -> Any:
    if request.method == "GET":  # the form lives on the exemption page
        return redirect(url_for("web.exemptions", _anchor="extension"))
    form = ExtensionForm(prefix=EXTENSION_PREFIX)
    if not form.validate():
        return exemptions_page(submitted=form, submitted_as="extension", status=422)
    redraw_on(partial(exemptions_page, submitted=form, submitted_as="extension"), form)
    view = regions.declare_extension(
        runtime().uow(), signed_in_caller(), region=form.region.data,
        cause=ExtensionCause(form.cause.data), starts_at=form.starts_at.data,
        ends_at=form.ends_at.data, suspended_carriers=form.suspended_carriers.data)
    flash(labels.notice("extension_declared", id=view.id, region=labels.region(view.region),
                        extended=view.orders_extended), "success")
    return redirect(url_for("web.exemptions"))
