"""Use cases on orders: create, read, list, ship, and their timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from models import Negotiation, Order, ReportItem, Shipment
from negotiation.clock import iso_utc
from negotiation.domain import assessment as assessment_rules
from negotiation.domain import audience, eligibility, errors, negotiating
from negotiation.domain.caller import Caller
from negotiation.domain.deadlines import extended_ship_by, original_ship_by, resolve_ship_by
from negotiation.domain.enums import (
    NegotiationState,
    OrderKind,
    OrderStatus,
    Role,
    ShipMode,
)
from negotiation.domain.errors import Conflict, Forbidden, InvalidInput, Refused
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.core import pagination
from negotiation.services.core.settling import (
    load_for_read,
    load_for_write,
    order_is_due,
    record,
    settle_order,
    settle_orders,
    settled_even_if_refused,
)
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import EventView, OrderView, Page, ShipmentView

EVENT_READERS = frozenset({Role.OWNER, Role.AGENT, Role.BUYER, Role.REVIEWER})


def create_order(uow: UnitOfWork, caller: Caller, *, order_no: str, store_id: int,
                 buyer_id: int, amount: Decimal, paid_at: datetime,
                 kind: OrderKind = OrderKind.PHYSICAL, ship_by: datetime | None = None,
                 ship_mode: ShipMode = ShipMode.NORMAL, region: str | None = None,
                 product_id: str | None = None) -> OrderView:
    if caller.role is not Role.ADMIN:
        raise Forbidden("Only admins create orders.")
    with uow:
        if paid_at > uow.now:
            raise InvalidInput("paid_at is in the future.", field="paid_at")
        store = uow.accounts.store(store_id)
        if store is None:
            raise InvalidInput(f"No store {store_id}.", field="store_id")
        buyer = uow.accounts.account(buyer_id)
        if buyer is None or buyer.role is not Role.BUYER:
            raise InvalidInput(f"No buyer account {buyer_id}.", field="buyer_id")
        if uow.orders.order_no_taken(order_no):
            raise Refused(f"Order {order_no} already exists.", code="order_exists",
                          field="order_no")
        original = original_ship_by(paid_at, ship_by, uow.policy, store.handling_hours,
                                    store.handling_working_days)
        if original <= paid_at:
            raise InvalidInput("ship_by must be after paid_at.", field="ship_by")
        region = region or store.region
        uow.assessment.guard_region(region, declaring=False)
        # An approved store report whose window holds the new deadline covers it too.
        covering = ([] if kind is OrderKind.VIRTUAL else
                    uow.reports.approved_store_reports_covering(store.id, original))
        reported = max((r.latest_ship_at for r in covering if r.latest_ship_at), default=None)
        extended = extended_ship_by(original, uow.policy.regional_extension
                                    if uow.assessment.extensions(region, original) else None)
        deadline = resolve_ship_by(original, reported=reported, extended=extended)
        order = Order(order_no=order_no, store=store, buyer_id=buyer_id, amount=amount,
                      kind=kind, ship_mode=ship_mode, region=region, product_id=product_id,
                      status=OrderStatus.AWAITING_SHIPMENT, paid_at=paid_at,
                      original_ship_by=original, ship_by=deadline.at,
                      ship_by_source=deadline.source, reported_ship_by=reported,
                      extended_ship_by=extended, assess_at=paid_at, created_at=uow.now,
                      negotiation=Negotiation(state=NegotiationState.OPEN, cards=[]),
                      shipments=[], violations=[], ledger_entries=[])
        uow.add(order)
        uow.flush()
        uow.add(*(ReportItem(report_id=r.id, order_id=order.id, order_no=order_no)
                       for r in covering))
        record(uow, order, [DomainEvent("order.created", uow.now, {
            "ship_by": iso_utc(deadline.at), "ship_by_source": deadline.source.value,
            **({"report_ids": [r.id for r in covering]} if covering else {})})], caller)
        settle_order(uow, order)  # born assessed: an order created past its deadline has lapsed
        uow.commit()
        return OrderView.of(order)


def get_order(uow: UnitOfWork, caller: Caller, order_no: str) -> OrderView:
    with uow:
        return OrderView.of(load_for_read(uow, caller, order_no))


def list_orders(uow: UnitOfWork, caller: Caller, *, limit: int, cursor: str | None = None,
                status: OrderStatus | None = None,
                state: NegotiationState | None = None,
                covered_by_report: bool | None = None) -> Page[OrderView]:
    """The caller's orders, oldest first, as they stand now.

    Filters match stored states, so what time made due within the caller's reach is
    settled first; the sweep keeps that backlog small.
    """
    after_id = pagination.decode_id(cursor)
    with uow:
        if status is not None or state is not None:
            _settle_due_orders_of(uow, caller)
        orders = list(uow.orders.visible_orders(caller, after_id=after_id, limit=limit + 1,
                                              status=status, state=state,
                                              covered_by_report=covered_by_report))
        more = len(orders) > limit
        orders = orders[:limit]
        due = [o for o in orders if order_is_due(o, uow.now)]
        for order in due:
            settle_order(uow, uow.orders.relock(order))
        if due:
            uow.commit()
        next_cursor = pagination.encode_id(orders[-1].id) if more else None
        return Page([OrderView.of(o) for o in orders], next_cursor)


@dataclass(frozen=True)
class ListedOrder:
    """An order as the order list shows it: overdue while unshipped past its ship-by."""

    order: OrderView
    overdue: bool


def list_orders_by_deadline(uow: UnitOfWork, caller: Caller, *, limit: int,
                            cursor: str | None = None,
                            covered_by_report: bool | None = None) -> Page[ListedOrder]:
    """The caller's orders the way a person works through them: those still to ship
    first, the soonest ship-by first, then the shipped and closed."""
    after = pagination.decode_part_instant_id(cursor)
    with uow:
        orders = list(uow.orders.visible_orders_by_deadline(
            caller, after=after, limit=limit + 1, covered_by_report=covered_by_report))
        more = len(orders) > limit
        orders = orders[:limit]
        next_cursor = None  # where this page ends, as it was read: settling may move it
        if more:
            last = orders[-1]
            next_cursor = pagination.encode_part_instant_id(
                0 if last.status is OrderStatus.AWAITING_SHIPMENT else 1, last.ship_by,
                last.id)
        due = [o for o in orders if order_is_due(o, uow.now)]
        for order in due:
            settle_order(uow, uow.orders.relock(order))
        if due:
            uow.commit()
        return Page([ListedOrder(OrderView.of(o), _overdue(o, uow.now)) for o in orders],
                    next_cursor)


def _overdue(order: Order, now: datetime) -> bool:
    return (order.status is OrderStatus.AWAITING_SHIPMENT
            and assessment_rules.late_shipment(order.ship_by, None, now) is not None)


def _settle_due_orders_of(uow: UnitOfWork, caller: Caller, batch_size: int = 500) -> None:
    while ids := uow.orders.due_order_ids(uow.now, batch_size, skip_locked=False, scope=caller):
        if not settle_orders(uow, ids).changes:
            break  # as in the sweep: never loop on what settling cannot change
        uow.commit()


def ship_order(uow: UnitOfWork, caller: Caller, order_no: str, *, carrier: str,
               tracking_no: str) -> ShipmentView:
    with uow:
        order = load_for_write(uow, caller, uow.orders.order(order_no, lock=True),
                               f"order {order_no}")
        with settled_even_if_refused(uow):
            refusal = eligibility.ship_refusal(caller, order)
            if refusal is not None:
                raise refusal
            if uow.orders.tracking_no_used(tracking_no):
                raise _tracking_no_in_use(tracking_no)
        events = negotiating.ship(caller, order, order.negotiation, uow.now,
                                  carrier=carrier, tracking_no=tracking_no)
        shipment = Shipment(order=order, carrier=carrier, tracking_no=tracking_no,
                            shipped_by=caller.account_id, shipped_at=uow.now)
        uow.add(shipment)
        try:
            uow.flush()
        except Conflict:  # the same number, shipped at the same moment elsewhere
            raise _tracking_no_in_use(tracking_no) from None
        record(uow, order, events, caller)
        # Shipping late is a violation now; an express-mode collection deadline starts.
        record(uow, order, assessment.assess(uow, order), None)
        uow.commit()
        return ShipmentView.of(shipment, order)


def _tracking_no_in_use(tracking_no: str) -> Refused:
    return Refused(f"Tracking number {tracking_no} is already used (运单号已被使用).",
                   code=errors.TRACKING_NUMBER_IN_USE, field="tracking_no")


def list_events(uow: UnitOfWork, caller: Caller, order_no: str, *, limit: int,
                cursor: str | None = None) -> Page[EventView]:
    after = pagination.decode_instant_id(cursor)
    with uow:
        order = load_for_read(uow, caller, order_no)
        if caller.role not in EVENT_READERS:
            raise Forbidden("Events are read by the order's store, its buyer and reviewers.")
        readers = audience.BUYERS if caller.role is Role.BUYER else None
        events = list(uow.events.of_order(order.id, after=after, limit=limit + 1,
                                      audience=readers))
        more = len(events) > limit
        events = events[:limit]
        next_cursor = pagination.encode_instant_id(events[-1].at, events[-1].id) if more else None
        return Page([EventView.of(e, order.order_no) for e in events], next_cursor)
