"""Many orders in one call: reading their negotiations, sending each one card.

Each order is decided on its own rules and answers on its own: one the caller may not
see answers exactly as one that does not exist, and one refused never stops the others.
The batch is loaded in a fixed number of queries through the repositories, whatever its
size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models import Card, Order
from negotiation.domain import negotiating
from negotiation.domain.caller import Caller
from negotiation.domain.enums import SELLER_ROLES, CardReason, ReportKind
from negotiation.domain.errors import DomainError, Forbidden, NotFound
from negotiation.domain.events import DomainEvent
from negotiation.services.core.settling import order_is_due, record, settle_order, settle_orders
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import CardView, NegotiationView
from negotiation.services.negotiation.cards import check_length, negotiation_view

READ_LIMIT = 100  # orders one read names at most
SEND_LIMIT = 500  # orders one batch of cards names at most


@dataclass(frozen=True)
class ItemError:
    code: str
    detail: str

    @classmethod
    def of(cls, error: DomainError) -> ItemError:
        return cls(error.code, error.detail)


@dataclass(frozen=True)
class Unanswered:
    """An order of a batch that has no result but why: unknown, hidden or refused."""

    order_no: str
    error: ItemError


@dataclass(frozen=True)
class CardSent:
    order_no: str
    card: CardView


def _unknown(order_no: str) -> Unanswered:
    # The words of a single read's 404, so a hidden order cannot be told from an absent one.
    return Unanswered(order_no, ItemError.of(NotFound(f"No order {order_no}.")))


def get_negotiations(uow: UnitOfWork, caller: Caller,
                     order_nos: Sequence[str]) -> list[NegotiationView | Unanswered]:
    """The negotiations of these orders, in the order asked (a number asked twice is
    answered twice); settled as reading one is, locking only the orders something is
    due on."""
    with uow:
        found = {o.order_no: o for o in uow.orders.visible_orders_by_numbers(caller, order_nos)}
        due = sorted((o for o in found.values() if order_is_due(o, uow.now)), key=lambda o: o.id)
        if due:
            for order in due:
                found[order.order_no] = locked = uow.orders.relock(order)
                settle_order(uow, locked)
            uow.commit()
        reports = _shipment_reports(uow, caller, list(found.values()))
        return [negotiation_view(uow, caller, found[n], reports.get(found[n].id))
                if n in found else _unknown(n) for n in order_nos]


def _shipment_reports(uow: UnitOfWork, caller: Caller, orders: list[Order]) -> dict[int, int]:
    """The pending or approved shipment report naming each order, for its sellers only:
    the batch's form of ``cards.shipment_report_of``, in one query."""
    ids = [o.id for o in orders if caller.is_seller_of(o.store_id)]
    if not ids:
        return {}
    reports: dict[int, int] = {}
    for item, report in uow.reports.covering(ReportKind.SHIPMENT, order_ids=ids):
        reports.setdefault(item.order_id, report.id)
    return reports


def send_cards(uow: UnitOfWork, caller: Caller, order_nos: Sequence[str], *,
               proposed_ship_by: datetime, reason: CardReason,
               remark: str = "") -> list[CardSent | Unanswered]:
    """One card to each of these orders of the caller's store, each on its own rules.

    The orders are locked together, in id order, and settled as one batch; then each is
    proposed to. A refusal needs no savepoint: the rules refuse before they change
    anything (``negotiating.propose``), and with every order locked no concurrent
    request can make a constraint fail halfway. So the batch is one transaction, its
    cards and events written in one statement per table.
    """
    check_length("remark", remark)
    if caller.role not in SELLER_ROLES:
        raise Forbidden("Only a store's owner or its agents may send proposal cards.")
    with uow:
        ids = uow.orders.lock_visible_orders(caller, order_nos)
        settle_orders(uow, ids)
        found = {o.order_no: o for o in uow.orders.orders_by_ids(ids)}
        sent: dict[str, tuple[Order, Card, list[DomainEvent]]] = {}
        refused: dict[str, Unanswered] = {}
        for order_no in dict.fromkeys(order_nos):
            order = found.get(order_no)
            if order is None:
                refused[order_no] = _unknown(order_no)
                continue
            try:
                card, events = negotiating.propose(
                    caller, order.store, order, order.negotiation,
                    proposed_ship_by=proposed_ship_by,
                    reason=reason, remark=remark, now=uow.now, policy=uow.policy, new_card=Card)
            except DomainError as refusal:
                refused[order_no] = Unanswered(order_no, ItemError.of(refusal))
                continue
            sent[order_no] = (order, card, events)
        uow.flush()  # the cards' ids go into their events
        for order, card, events in sent.values():
            events[0].data["card_id"] = card.id
            record(uow, order, events, caller)
        uow.commit()
        return [CardSent(n, CardView.of(sent[n][1], n)) if n in sent else refused[n]
                for n in order_nos]
