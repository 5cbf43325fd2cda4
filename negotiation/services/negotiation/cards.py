"""Use cases of the negotiation itself: read it, send a card, answer it, withdraw it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from models import Card, Order
from negotiation.domain import eligibility, negotiating
from negotiation.domain.caller import Caller
from negotiation.domain.enums import SELLER_ROLES, CardReason, ReportKind, Role
from negotiation.domain.errors import DomainError, Forbidden, InvalidInput
from negotiation.domain.events import DomainEvent
from negotiation.services.core.settling import (
    load_for_read,
    load_for_write,
    record,
    settled_even_if_refused,
    settled_for_read,
)
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import ActionView, CardView, NegotiationView, OrderView

CARD_READERS = SELLER_ROLES | {Role.BUYER}
TEXT_LIMIT = 500  # a card's remark and a buyer's note, as stored
ANSWERS = ("card.accepted", "card.rejected")


class Channel(Protocol):
    """How an answer came when not through the buyer's own sign-in (a consent link):
    its ``name`` goes into the answer's event, and it may refuse the answer first."""

    name: str

    def refusal(self, order: Order | None, now: datetime) -> DomainError | None:
        """Asked of the card's order as stored, locked, before anything else is."""


def check_length(field: str, value: str | None) -> None:
    if value is not None and len(value) > TEXT_LIMIT:
        raise InvalidInput(f"{field} is at most {TEXT_LIMIT} characters.", field=field)


def get_negotiation(uow: UnitOfWork, caller: Caller, order_no: str) -> NegotiationView:
    with uow:
        order = load_for_read(uow, caller, order_no)
        return negotiation_view(uow, caller, order, shipment_report_of(uow, caller, order))


def negotiation_view(uow: UnitOfWork, caller: Caller, order: Order,
                     report_covering: int | None) -> NegotiationView:
    """``report_covering``: the shipment report naming the order (:func:`shipment_report_of`;
    a batch looks them up for all its orders at once)."""
    negotiation = order.negotiation
    accepted = eligibility.accepted_card(negotiation)
    actions = eligibility.available_actions(caller, order.store, order, negotiation, uow.now,
                                            uow.policy, report_covering)
    limits = eligibility.action_limits(order, negotiation, uow.policy, actions)
    return NegotiationView(
        order_no=order.order_no, state=negotiation.state.value,
        cards_used=len(negotiation.cards),
        cards_left=eligibility.cards_left(negotiation, uow.policy),
        cards=[CardView.of(c, order.order_no) for c in negotiation.cards],
        agreed_ship_by=accepted.proposed_ship_by if accepted else None,
        actions={action.value: ActionView.of(refusal, limits.get(action))
                 for action, refusal in actions.items()},
        order=OrderView.of(order))


def shipment_report_of(uow: UnitOfWork, caller: Caller, order: Order) -> int | None:
    """A pending or approved shipment report naming the order (asked of its sellers only)."""
    if not caller.is_seller_of(order.store_id):
        return None
    covering = uow.reports.covering(ReportKind.SHIPMENT, order_ids=[order.id])
    return covering[0][1].id if covering else None


def propose_card(uow: UnitOfWork, caller: Caller, order_no: str, *,
                 proposed_ship_by: datetime, reason: CardReason, remark: str = "") -> CardView:
    check_length("remark", remark)
    with uow:
        order = load_for_write(uow, caller, uow.orders.order(order_no, lock=True),
                               f"order {order_no}")
        with settled_even_if_refused(uow):
            card, events = negotiating.propose(
                caller, order.store, order, order.negotiation,
                proposed_ship_by=proposed_ship_by, reason=reason, remark=remark,
                now=uow.now, policy=uow.policy, new_card=Card)
        uow.flush()  # the card's id goes into its event
        events[0].data["card_id"] = card.id
        record(uow, order, events, caller)
        uow.commit()
        return CardView.of(card, order.order_no)


def get_card(uow: UnitOfWork, caller: Caller, card_id: int) -> CardView:
    with uow:
        order = settled_for_read(uow, caller, uow.orders.order_of_card(card_id),
                                 f"card {card_id}")
        if caller.role not in CARD_READERS:
            raise Forbidden("Cards are read by the order's store and its buyer.")
        return CardView.of(card_of(order, card_id), order.order_no)


def accept_card(uow: UnitOfWork, caller: Caller, card_id: int, *,
                channel: Channel | None = None) -> CardView:
    return _act_on_card(uow, caller, card_id, lambda order, card: negotiating.accept(
        caller, order, order.negotiation, card, uow.now), channel)


def reject_card(uow: UnitOfWork, caller: Caller, card_id: int, *, note: str | None = None,
                preferred_ship_by: datetime | None = None,
                channel: Channel | None = None) -> CardView:
    check_length("note", note)
    return _act_on_card(uow, caller, card_id, lambda order, card: negotiating.reject(
        caller, order, order.negotiation, card, uow.now, uow.policy, note=note,
        preferred_ship_by=preferred_ship_by), channel)


def withdraw_card(uow: UnitOfWork, caller: Caller, card_id: int) -> CardView:
    return _act_on_card(uow, caller, card_id, lambda order, card: negotiating.withdraw(
        caller, order, order.negotiation, card, uow.now, uow.policy))


def _act_on_card(uow: UnitOfWork, caller: Caller, card_id: int,
                 act: Callable[[Any, Any], list[DomainEvent]],
                 channel: Channel | None = None) -> CardView:
    """Lock the card's order, apply what is due, then let the rule act on the card.

    A ``channel`` refuses first, before the caller's own checks, so that its refusal is
    the only one its users ever see.
    """
    with uow:
        found = uow.orders.order_of_card(card_id, lock=True)
        if channel is not None and (refusal := channel.refusal(found, uow.now)) is not None:
            raise refusal
        order = load_for_write(uow, caller, found, f"card {card_id}")
        card = card_of(order, card_id)
        with settled_even_if_refused(uow):
            events = act(order, card)
        if channel is not None:
            for event in events:
                if event.type in ANSWERS:
                    event.data["channel"] = channel.name
        record(uow, order, events, caller)
        uow.commit()
        return CardView.of(card, order.order_no)


def card_of(order: Order, card_id: int) -> Card:
    return next(c for c in order.negotiation.cards if c.id == card_id)
