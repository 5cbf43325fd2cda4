"""Recording what an order has missed: violations, their charges, bans, the automatic close.

:func:`assess` is the one place a violation is recorded, charged, waived or reversed.
Every path that may change what an order owes runs it under the order's lock: the
sweep and readers when the order's ``assess_at`` has come, shipping and scans, report
approvals, regional exemptions and extensions. It returns the events to record. An
overturned appeal waives its violation through :func:`waive`, the same waiver.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from models import LedgerEntry, Order, ProductBan, Refund, Shipment, Violation
from negotiation.clock import iso_utc
from negotiation.domain import assessment as assessment_rules
from negotiation.domain import eligibility, negotiating
from negotiation.domain.caller import SYSTEM
from negotiation.domain.deadlines import Deadline, original_collect_by, resolve_collect_by
from negotiation.domain.enums import ExemptedBy, LedgerKind, OrderKind, OrderStatus, ViolationKind
from negotiation.domain.events import DomainEvent
from negotiation.domain.policy import Policy
from negotiation.services.core.unit_of_work import UnitOfWork

AUTO_CLOSE = "auto_close"


def due(order: Order, now: datetime) -> bool:
    """Whether the order's next assessment has come (``assess_at``, see :func:`assess`)."""
    return order.assess_at is not None and now >= order.assess_at


def latest_shipment(order: Order) -> Shipment | None:
    return order.shipments[-1] if order.shipments else None


def collection_deadline(order: Order, shipment: Shipment | None,
                        policy: Policy) -> datetime | None:
    """When the first scan of ``shipment`` (or, before one, of the order) is due."""
    original = original_collect_by(order.ship_mode, order.paid_at,
                                   shipment.shipped_at if shipment else None, policy)
    return resolve_collect_by(original, shipment.reported_collect_by if shipment else None)


def refresh_collect_by(order: Order, uow: UnitOfWork) -> None:
    """Work the collection deadline out again from the order and its latest shipment."""
    order.collect_by = (None if order.kind is OrderKind.VIRTUAL  # nothing to collect
                        else collection_deadline(order, latest_shipment(order), uow.policy))


def assess(uow: UnitOfWork, order: Order) -> list[DomainEvent]:
    """Record what has fallen due for a locked order by now; waive what no longer counts."""
    refresh_collect_by(order, uow)
    shipment = latest_shipment(order)
    collected_at = shipment.collected_at if shipment else None
    events: list[DomainEvent] = []
    if order.status is not OrderStatus.CLOSED:
        recorded = {(v.kind, v.due_at) for v in order.violations}
        for found in assessment_rules.due_violations(order.ship_by, order.shipped_at,
                                                     order.collect_by, collected_at, uow.now):
            if (found.kind, found.due_at) not in recorded:
                events += _record(uow, order, found)
    events += _disprove(uow, order, collected_at)
    events += _waive_what_no_longer_counts(uow, order)
    if order.status is OrderStatus.AWAITING_SHIPMENT and assessment_rules.is_due_to_close(
            order.paid_at, False, False, uow.now, uow.policy):
        events += _close(uow, order)
    order.assess_at = assessment_rules.next_assessment(
        closed=order.status is OrderStatus.CLOSED, ship_by=order.ship_by,
        shipped_at=order.shipped_at, collect_by=order.collect_by, collected_at=collected_at,
        paid_at=order.paid_at, now=uow.now, policy=uow.policy)
    return events


# --- violations and their charges ------------------------------------------------------


def exemption_of(uow: UnitOfWork, order: Order, violation: assessment_rules.Violation,
                 shipped_at: datetime | None = None) -> ExemptedBy | None:
    """What waives a violation of this order; ``shipped_at`` for a preview's shipping."""
    exemptions = [assessment_rules.RegionalExemption(
                      e.region, e.starts_at, e.ends_at,
                      frozenset(ViolationKind(k) for k in e.kinds))
                  for e in uow.assessment.exemptions(order.region)]
    return assessment_rules.exemption(
        violation, ship_by=Deadline(order.ship_by, order.ship_by_source),
        collect_by=order.collect_by, region=order.region, exemptions=exemptions,
        shipped_at=shipped_at or order.shipped_at)


def _record(uow: UnitOfWork, order: Order, found: assessment_rules.Violation) -> list[DomainEvent]:
    exempted_by = exemption_of(uow, order, found)
    violation = Violation(store_id=order.store_id, kind=found.kind, due_at=found.due_at,
                          detected_at=uow.now, region=order.region, exempted_by=exempted_by,
                          exempted_at=uow.now if exempted_by else None)
    uow.assessment.add_violation(order, violation)
    events = [DomainEvent(f"violation.{found.kind.value}", uow.now, {
        "due_at": iso_utc(found.due_at),
        "exempted_by": exempted_by.value if exempted_by else None}, SYSTEM)]
    if exempted_by is None:
        events += _charge(uow, order, violation)
    return events


def counts(violation: Violation) -> bool:
    """Neither waived nor disproved: it costs the store and counts toward a ban."""
    return violation.exempted_by is None and violation.disproved_at is None


def order_deductions(order: Order) -> int:
    """Deductions that took money from the deposit for this order and still stand."""
    return sum(1 for e in order.ledger_entries
               if e.kind is LedgerKind.DEPOSIT_DEDUCTION and e.amount > 0
               and e.revoked_at is None)


def is_compensable(order: Order) -> bool:
    return assessment_rules.is_compensable(
        order.ship_by_source, eligibility.accepted_card(order.negotiation) is not None,
        bool(order.covered_by_report))


def _charge(uow: UnitOfWork, order: Order, violation: Violation) -> list[DomainEvent]:
    day = assessment_rules.applies_on(uow.now, uow.policy)
    counter = uow.assessment.lock_day(order.store_id, day)
    cost = assessment_rules.charge(
        assessment_rules.Violation(violation.kind, violation.due_at),
        order_deductions=order_deductions(order), store_deducted_today=counter.amount,
        amount=order.amount, compensable=is_compensable(order), policy=uow.policy)
    counter.amount += cost.deduction
    _entry(uow, order, violation, LedgerKind.DEPOSIT_DEDUCTION, cost.deduction, cost.points,
           applies_on=day)
    events = [DomainEvent("penalty.deducted", uow.now, {
        "kind": violation.kind.value, "amount": _money(cost.deduction),
        "points": _money(cost.points), "applies_on": day.isoformat()}, SYSTEM)]
    if cost.compensation:
        _entry(uow, order, violation, LedgerKind.BUYER_COMPENSATION, cost.compensation,
               Decimal("0"))
        events.append(DomainEvent("compensation.paid", uow.now,
                                  {"amount": _money(cost.compensation)}, SYSTEM))
    if violation.kind is ViolationKind.LATE_SHIPMENT:
        events += _ban_if_due(uow, order)
    return events


def _entry(uow: UnitOfWork, order: Order, violation: Violation | None, kind: LedgerKind,
           amount: Decimal, points: Decimal, reverses: LedgerEntry | None = None,
           applies_on: date | None = None) -> LedgerEntry:
    entry = LedgerEntry(store_id=order.store_id, order_no=order.order_no, violation=violation,
                        kind=kind, amount=amount, points=points, at=uow.now,
                        applies_on=applies_on, reverses=reverses)
    uow.assessment.add_entry(order, entry)
    return entry


def _ban_if_due(uow: UnitOfWork, order: Order) -> list[DomainEvent]:
    timeouts = sum(1 for v in order.violations
                   if v.kind is ViolationKind.LATE_SHIPMENT and counts(v))
    if (not assessment_rules.bans_product(timeouts, uow.policy)
            or uow.assessment.is_banned(order.id)):
        return []
    uow.add(ProductBan(store_id=order.store_id, product_id=order.product_id,
                            order_id=order.id, at=uow.now))
    return [DomainEvent("product.banned", uow.now, {
        "product_id": order.product_id, "ship_timeouts": timeouts}, SYSTEM)]


# --- after the fact: violations disproved or waived ------------------------------------


def _disprove(uow: UnitOfWork, order: Order,
              collected_at: datetime | None) -> list[DomainEvent]:
    """A scan reported after a violation was recorded, but taken before its deadline,
    shows the deadline was met: the violation is marked disproved and its charges are
    reversed."""
    events: list[DomainEvent] = []
    for violation in order.violations:
        if violation.disproved_at is not None or not assessment_rules.disproved(
                assessment_rules.Violation(violation.kind, violation.due_at),
                shipped_at=order.shipped_at, collected_at=collected_at):
            continue
        violation.disproved_at = uow.now
        events.append(DomainEvent("violation.disproved", uow.now, {
            "kind": violation.kind.value, "due_at": iso_utc(violation.due_at)}, SYSTEM))
        events += _reverse_charges(uow, order, violation)
    return events


def _waive_what_no_longer_counts(uow: UnitOfWork, order: Order) -> list[DomainEvent]:
    """A report approved, an exemption declared or a region extended after a violation
    was recorded waives it now: its ledger entries are reversed, never deleted."""
    events: list[DomainEvent] = []
    for violation in order.violations:
        if not counts(violation):
            continue
        exempted_by = exemption_of(
            uow, order, assessment_rules.Violation(violation.kind, violation.due_at))
        if exempted_by is not None:
            events += waive(uow, order, violation, exempted_by)
    return events


def waive(uow: UnitOfWork, order: Order, violation: Violation,
          exempted_by: ExemptedBy) -> list[DomainEvent]:
    """Waive a recorded violation of a locked order: it no longer counts, and what it
    cost is reversed (a late report, an exemption, an extension, an overturned
    appeal)."""
    violation.exempted_by, violation.exempted_at = exempted_by, uow.now
    return [DomainEvent("violation.exempted", uow.now, {
        "kind": violation.kind.value, "due_at": iso_utc(violation.due_at),
        "exempted_by": exempted_by.value}, SYSTEM), *_reverse_charges(uow, order, violation)]


def _reverse_charges(uow: UnitOfWork, order: Order,
                     violation: Violation) -> list[DomainEvent]:
    """Revoke what a violation still costs, each charge by a reversal entry of its own."""
    events = []
    for entry in [e for e in order.ledger_entries
                  if e.violation is violation and e.kind is not LedgerKind.REVERSAL
                  and e.revoked_at is None]:
        entry.revoked_at = uow.now
        _entry(uow, order, violation, LedgerKind.REVERSAL, -entry.amount, -entry.points,
               reverses=entry)
        events.append(DomainEvent("penalty.revoked", uow.now, {
            "kind": entry.kind.value, "amount": _money(entry.amount),
            "points": _money(entry.points)}, SYSTEM))
    return events


# --- the automatic close ---------------------------------------------------------------


def _close(uow: UnitOfWork, order: Order) -> list[DomainEvent]:
    at = order.paid_at + uow.policy.auto_close_after
    events = negotiating.close_unshipped(order, order.negotiation, at)
    order.closed_at = at
    uow.add(Refund(order_id=order.id, amount=order.amount, reason=AUTO_CLOSE, at=at))
    return [*events, DomainEvent("order.refunded", at, {
        "amount": _money(order.amount), "reason": AUTO_CLOSE}, SYSTEM)]


def _money(amount: Decimal) -> str:
    """Money and points on the timeline read as in the API: two decimals, as a string."""
    return str(amount.quantize(assessment_rules.CENT))
