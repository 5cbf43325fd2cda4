"""The pages: the order list, one order with its negotiation, and the actions on it.

Every action is a plain form post answered by a redirect (POST/redirect/GET). When the
input is malformed or a rule refuses it, the order page is drawn again with the same
form, the person's input and the message, and a 4xx status; nothing is lost. No view
catches a refusal: each names the page it redraws (``web.refusals``) and the
blueprint's handler draws it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from negotiation.domain.caller import Caller
from negotiation.domain.enums import Action, CardReason, CardState
from negotiation.domain.errors import Forbidden, InvalidInput
from negotiation.runtime import runtime
from negotiation.services.appeals import queries as appeal_queries
from negotiation.services.core.views import ActionView, EventView, Page
from negotiation.services.negotiation import cards
from negotiation.services.orders import orders as order_service
from negotiation.web import labels
from negotiation.web.assessment_pages import assessment_panel
from negotiation.web.blueprint import bp
from negotiation.web.confirmation import confirm_first
from negotiation.web.forms.common import WebForm
from negotiation.web.forms.negotiation import ProposeForm, RejectForm
from negotiation.web.forms.orders import ShipForm
from negotiation.web.identity import login_required, signed_in_caller
from negotiation.web.refusals import or_none, redraw_on
from negotiation.web.timefmt import local

DEFAULT_PAGE_SIZE = 20
EVENTS_PER_PAGE = 50
FORMS: dict[str, type[WebForm]] = {Action.PROPOSE: ProposeForm, Action.REJECT: RejectForm,
                                   Action.SHIP: ShipForm}


# --- pages -----------------------------------------------------------------------------


@bp.get("/")
@login_required
def orders() -> Any:
    cursor = request.args.get("cursor") or None
    covered = covered_filter(request.args.get("covered_by_report"))
    page = order_service.list_orders_by_deadline(
        runtime().uow(), signed_in_caller(), cursor=cursor, covered_by_report=covered,
        limit=int(current_app.config.get("WEB_PAGE_SIZE", DEFAULT_PAGE_SIZE)))
    return render_template("orders.html", page=page, first_page=cursor is None,
                           covered=covered, now=runtime().clock.now())


def covered_filter(value: str | None) -> bool | None:
    """``covered_by_report=true|false``: only the orders an approved report covers
    ("主动报备通过"), or only the others; absent or empty, all of them."""
    if not value:
        return None
    if value in ("true", "false"):
        return value == "true"
    raise InvalidInput("covered_by_report must be true or false.", field="covered_by_report")


@bp.get("/orders/<order_no>")
@login_required
def order(order_no: str) -> Any:
    return order_page(order_no)


def order_page(order_no: str, *, submitted: WebForm | None = None,
               submitted_as: str | None = None, alert: str | None = None,
               status: int = 200) -> tuple[str, int]:
    """The order page; ``submitted`` is a form being shown again with its messages."""
    caller = signed_in_caller()
    negotiation = cards.get_negotiation(runtime().uow(), caller, order_no)
    actions = negotiation.actions
    forms = {name: form_class(formdata=None) for name, form_class in FORMS.items()}
    forms[Action.PROPOSE] = ProposeForm(formdata=None, data=next_proposal(negotiation.cards))
    if submitted is not None and submitted_as is not None:
        forms[submitted_as] = submitted
    pending = next((c for c in negotiation.cards if c.state == CardState.PENDING), None)
    propose_hint = forms[Action.PROPOSE].bounded_by(actions[Action.PROPOSE])
    assessment = assessment_panel(caller, order_no)
    if assessment is not None and status == 200:
        status = assessment.status  # a refused preview answers 4xx like any bad input
    return render_template(
        "order.html", order=negotiation.order, negotiation=negotiation, actions=actions,
        hints=hints(actions), propose_hint=propose_hint, pending=pending, forms=forms,
        submitted_as=submitted_as,
        alert=alert, events=events_of(caller, order_no), now=runtime().clock.now(),
        assessment=assessment, appealed=appealable_violations(caller, order_no),
    ), status


def appealable_violations(caller: Caller, order_no: str) -> list[Any] | None:
    """The order's violations with their appeals; None for a reader who may not see them
    (a buyer)."""
    found = or_none(lambda: appeal_queries.order_violations(runtime().uow(), caller, order_no))
    return found[1] if found else None


def next_proposal(sent: list[Any]) -> dict[str, Any]:
    """The next card starts from the time the buyer asked for when rejecting the last."""
    last = sent[-1] if sent else None
    if last is not None and last.state == CardState.REJECTED and last.preferred_ship_by:
        return {"proposed_ship_by": last.preferred_ship_by}
    return {}


def hints(actions: dict[str, ActionView]) -> list[tuple[str, ActionView]]:
    """Why an action is unavailable, once per distinct reason.

    ``forbidden`` means the role never may (a buyer proposing): nothing worth saying.
    """
    shown: list[tuple[str, ActionView]] = []
    seen: set[tuple[str | None, str | None]] = set()
    for name, action in actions.items():
        key = (action.reason, action.detail)
        if action.allowed or action.reason == "forbidden" or key in seen:
            continue
        seen.add(key)
        shown.append((name, action))
    return shown


def events_of(caller: Caller, order_no: str) -> Page[EventView] | None:
    """The order's timeline, or None: it is for the store, the buyer and reviewers."""
    return or_none(lambda: order_service.list_events(
        runtime().uow(), caller, order_no,
        limit=int(current_app.config.get("WEB_EVENTS_PAGE_SIZE", EVENTS_PER_PAGE)),
        cursor=request.args.get("events") or None), refused_by=Forbidden)


# --- actions ---------------------------------------------------------------------------


@bp.post("/orders/<order_no>/cards")
@login_required
def propose(order_no: str) -> Any:
    form = ProposeForm()
    if not form.validate():
        return order_page(order_no, submitted=form, submitted_as=Action.PROPOSE, status=422)
    refusals_redraw(order_no, form, Action.PROPOSE)
    card = cards.propose_card(
        runtime().uow(), signed_in_caller(), order_no,
        proposed_ship_by=form.proposed_ship_by.data, reason=CardReason(form.reason.data),
        remark=form.remark.data or "")
    flash(labels.notice("card_sent", seq=card.seq, at=local(card.proposed_ship_by)), "success")
    return back_to(card.order_no)


@bp.post("/orders/<order_no>/cards/<id:card_id>/accept")
@login_required
def accept(order_no: str, card_id: int) -> Any:
    if (asking := confirm_first("accept_card", url_for("web.order", order_no=order_no))):
        return asking
    refusals_redraw(order_no)
    card = cards.accept_card(runtime().uow(), signed_in_caller(), card_id)
    flash(labels.notice("card_accepted", at=local(card.proposed_ship_by)), "success")
    return back_to(card.order_no)


@bp.post("/orders/<order_no>/cards/<id:card_id>/reject")
@login_required
def reject(order_no: str, card_id: int) -> Any:
    form = RejectForm()
    if not form.validate():
        return order_page(order_no, submitted=form, submitted_as=Action.REJECT, status=422)
    refusals_redraw(order_no, form, Action.REJECT)
    card = cards.reject_card(runtime().uow(), signed_in_caller(), card_id,
                             note=form.note.data or None,
                             preferred_ship_by=form.preferred_ship_by.data)
    flash(labels.notice("card_rejected", seq=card.seq), "success")
    return back_to(card.order_no)


@bp.post("/orders/<order_no>/cards/<id:card_id>/withdraw")
@login_required
def withdraw(order_no: str, card_id: int) -> Any:
    if (asking := confirm_first("withdraw_card", url_for("web.order", order_no=order_no))):
        return asking
    refusals_redraw(order_no)
    card = cards.withdraw_card(runtime().uow(), signed_in_caller(), card_id)
    flash(labels.notice("card_withdrawn", seq=card.seq), "success")
    return back_to(card.order_no)


@bp.post("/orders/<order_no>/shipments")
@login_required
def ship(order_no: str) -> Any:
    form = ShipForm()
    if not form.validate():
        return order_page(order_no, submitted=form, submitted_as=Action.SHIP, status=422)
    if (asking := confirm_first("ship", url_for("web.order", order_no=order_no))):
        return asking
    refusals_redraw(order_no, form, Action.SHIP)
    shipment = order_service.ship_order(
        runtime().uow(), signed_in_caller(), order_no,
        carrier=form.carrier.data, tracking_no=form.tracking_no.data)
    flash(labels.notice("shipped_late" if shipment.late else "shipped",
                        carrier=shipment.carrier, tracking_no=shipment.tracking_no), "success")
    return back_to(shipment.order_no)


def refusals_redraw(order_no: str, form: WebForm | None = None,
                    form_name: str | None = None) -> None:
    """A refusal of what follows draws the order page again, with ``form`` as posted."""
    redraw_on(partial(order_page, order_no, submitted=form, submitted_as=form_name), form)


def back_to(order_no: str) -> Any:
    return redirect(url_for("web.order", order_no=order_no))
