"""The shared core of every use case on one order: load it as it is now — what time
has made due applied first — and record what happens to it as events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import Order
from negotiation.domain import negotiating
from negotiation.domain.assessment import applies_on
from negotiation.domain.caller import SYSTEM, Caller
from negotiation.domain.errors import DomainError, NotFound
from negotiation.domain.events import DomainEvent
from negotiation.services.assessment import assessment
from negotiation.services.core.unit_of_work import UnitOfWork


def record(uow: UnitOfWork, order: Order, events: list[DomainEvent],
           caller: Caller | None) -> None:
    """Store events; those that name no actor are the caller's (or, with none, time's)."""
    uow.events.add(event_rows(order.id, order.store_id, events, caller))


def event_rows(order_id: int | None, store_id: int | None, events: list[DomainEvent],
               caller: Caller | None) -> list[dict[str, Any]]:
    """Rows for events of an order (and its store), or of no order when ``order_id`` is
    None: of a store, or of the platform when ``store_id`` is None too."""
    default = caller.actor if caller is not None else SYSTEM
    return [{"order_id": order_id, "store_id": store_id, "at": e.at,
             "actor": e.actor or default, "type": e.type, "data": e.data} for e in events]


def settle_order(uow: UnitOfWork, order: Order) -> int:
    """Apply and record what time has made due; returns how many changes that made.

    The negotiation first (a card expires, a negotiation lapses), then the assessment
    (violations, charges, the automatic close) once the order's ``assess_at`` has come.
    """
    events = negotiating.settle(order, order.negotiation, uow.now, uow.policy)
    assessed = assessment.due(order, uow.now)
    if assessed:
        events += assessment.assess(uow, order)
    record(uow, order, events, None)
    return len(events) + assessed


def order_is_due(order: Order, now: datetime) -> bool:
    """Whether :func:`settle_order` would change anything: lets readers skip locking."""
    return negotiating.is_due(order, order.negotiation, now) or assessment.due(order, now)


def load_for_read(uow: UnitOfWork, caller: Caller, order_no: str) -> Order:
    """The order as it is *now*: what time made due is applied and saved first.

    Only when something is due does the reader take the order's lock, so on PostgreSQL
    ordinary reads never queue behind writers.
    """
    return settled_for_read(uow, caller, uow.orders.order(order_no), f"order {order_no}")


def settled_for_read(uow: UnitOfWork, caller: Caller, order: Order | None,
                     label: str) -> Order:
    """:func:`load_for_read` for an order already fetched without a lock."""
    if order is None or not caller.may_see(order):
        raise NotFound(f"No {label}.")
    if order_is_due(order, uow.now):
        order = uow.orders.relock(order)
        settle_order(uow, order)
        uow.commit()
    return order


def load_for_write(uow: UnitOfWork, caller: Caller, order: Order | None, label: str) -> Order:
    """A locked order the caller may see, with what time made due already applied."""
    if order is None or not caller.may_see(order):
        raise NotFound(f"No {label}.")
    settle_order(uow, order)
    return order


@contextmanager
def settled_even_if_refused(uow: UnitOfWork) -> Iterator[None]:
    """Keep what time made due when a rule then refuses the action.

    So the refusal ``card_expired`` and the card's stored state agree. Rules check
    before they change anything, so a refusal leaves nothing half-done to commit.
    """
    try:
        yield
    except DomainError:
        uow.commit()
        raise


# --- use cases -------------------------------------------------------------------------



@dataclass(frozen=True)
class BatchSettled:
    orders: int  # changed by settling (another sweep may have settled one just before)
    changes: int  # what settling them changed (0: nothing was due after all)


def settle_orders(uow: UnitOfWork, ids: list[int], *,
                  leave_held_stores: bool = False) -> BatchSettled:
    """Settle many locked orders, loading what settling reads for all of them at once:
    a fixed number of queries per batch, whatever its size.

    The day's cap counters of every store to assess are locked up front, in store order,
    so two sweeps never take them in opposite orders. With ``leave_held_stores`` (a
    sweep on PostgreSQL), a counter another transaction holds is not waited for while
    there is other work: that store's orders to assess stay locked, untouched, for a
    later batch, so two sweeps charging the same stores do not take turns; only a batch
    left with nothing else waits for its counters. Nothing is flushed until the batch
    commits, so its rows go to the database in one statement per table and kind of change.
    """
    orders = uow.orders.orders_by_ids(ids)
    due = uow.assessment.with_assessment([o for o in orders if assessment.due(o, uow.now)])
    day = applies_on(uow.now, uow.policy)
    days = sorted({(o.store_id, day) for o in due})
    held = uow.assessment.lock_days(days, skip_locked=leave_held_stores and uow.skip_locked)
    if len(held) < len(days):
        waiting = {o.id for o in due if (o.store_id, day) not in held}
        ready = [o for o in orders if o.id not in waiting]
        if any(order_is_due(o, uow.now) for o in ready):
            orders, due = ready, [o for o in due if o.id not in waiting]
        else:  # nothing else to do (or only orders another sweep has just settled)
            uow.assessment.lock_days(days)
    uow.assessment.load_exemptions(o.region for o in due)
    with uow.writes_held_until_commit():  # in id order: written in that order
        changes = [settle_order(uow, order) for order in sorted(orders, key=lambda o: o.id)]
    return BatchSettled(sum(1 for c in changes if c), sum(changes))
