"""Reading what missed deadlines cost: an order's assessment (or a preview of shipping
at a given time) and a store's penalty ledger with its totals per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import Order
from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR
from negotiation.domain import assessment as assessment_rules
from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.enums import LedgerKind, OrderKind, OrderStatus, Role
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound, Refused
from negotiation.domain.workdays import business_day
from negotiation.services.assessment.assessment import (
    counts,
    exemption_of,
    is_compensable,
    latest_shipment,
    order_deductions,
)
from negotiation.services.assessment.views import (
    AssessmentView,
    DayTotals,
    LedgerEntryView,
    LedgerPage,
    LedgerTotals,
    ViolationView,
)
from negotiation.services.core import pagination
from negotiation.services.core.settling import load_for_read
from negotiation.services.core.unit_of_work import UnitOfWork

ASSESSMENT_READERS = frozenset({Role.OWNER, Role.AGENT, Role.REVIEWER})
LEDGER_READERS = frozenset({Role.OWNER, Role.REVIEWER})
DEFAULT_LEDGER_DAYS = 30
MAX_LEDGER_DAYS = 366
ZERO = Decimal("0")


# --- one order -------------------------------------------------------------------------


def order_assessment(uow: UnitOfWork, caller: Caller, order_no: str,
                     ship_at: datetime | None = None) -> AssessmentView:
    """What the order has cost so far and, with ``ship_at``, what shipping then would
    add. Nothing is recorded for the preview: a chat tool may ask as often as it likes."""
    if caller.role not in ASSESSMENT_READERS:
        raise Forbidden("An order's assessment is read by its store and reviewers.")
    with uow:
        order = load_for_read(uow, caller, order_no)  # what fell due is recorded first
        if ship_at is not None:
            _check_ship_at(uow, order, ship_at)
        standing = [e for e in order.ledger_entries
                    if e.kind is not LedgerKind.REVERSAL and e.revoked_at is None]
        deduction = sum((e.amount for e in standing
                         if e.kind is LedgerKind.DEPOSIT_DEDUCTION), ZERO)
        points = sum((e.points for e in standing), ZERO)
        compensation = sum((e.amount for e in standing
                            if e.kind is LedgerKind.BUYER_COMPENSATION), ZERO)
        violations = [ViolationView.of(v) for v in order.violations]
        banned = uow.assessment.is_banned(order.id)
        collect_by, closed_at = order.collect_by, order.closed_at
        if ship_at is not None:
            would = _shipping_at(uow, order, ship_at)
            violations += would.violations
            deduction += would.deduction
            points += would.points
            compensation += would.compensation
            banned = banned or would.product_banned
            collect_by = would.collect_by  # in express mode, counted from shipping then
            closed_at = would.closed_at  # the automatic close comes first
        shipment = latest_shipment(order)
        waiver = None if collect_by is None or closed_at is not None else exemption_of(
            uow, order, assessment_rules.Violation(assessment_rules.COLLECTION_TIMEOUT,
                                                   collect_by), ship_at)
        return AssessmentView(
            order.order_no, uow.now, ship_at, order.status.value, order.ship_by,
            order.ship_by_source.value, collect_by,
            shipment.collected_at if shipment else None, violations, deduction, points,
            compensation, banned, closed_at, waiver.value if waiver else None)


def _check_ship_at(uow: UnitOfWork, order: Order, ship_at: datetime) -> None:
    if order.status is not OrderStatus.AWAITING_SHIPMENT:
        raise Refused(f"Order {order.order_no} is {order.status.value}: there is no "
                      "shipping left to preview.", code=errors.ORDER_NOT_AWAITING_SHIPMENT,
                      field="ship_at")
    if ship_at < uow.now:
        raise InvalidInput("ship_at is in the past.", field="ship_at")


def _shipping_at(uow: UnitOfWork, order: Order, ship_at: datetime) -> AssessmentView:
    """What shipping at ``ship_at`` would add to what is recorded, recording nothing: the
    charge rules as :func:`assessment.assess` applies them, a test holding the two to the
    same figures (test_a_preview_foretells_what_shipping_then_records).

    The carrier is taken to collect when the parcel ships; in express and tiered modes
    the tracking number is taken to be uploaded then. An order still unshipped when the
    automatic close comes never ships: the preview is of what stands at the close, with
    ``closed_at`` set, as the assessment then records it.
    """
    policy = uow.policy
    collect_by = order.collect_by
    closed_at = None
    if assessment_rules.is_due_to_close(order.paid_at, False, False, ship_at, policy):
        closed_at = order.paid_at + policy.auto_close_after
        due = assessment_rules.due_violations(order.ship_by, None, collect_by, None,
                                              closed_at)
    else:
        if collect_by is None and order.kind is not OrderKind.VIRTUAL:
            collect_by = ship_at + policy.collection_window_after_upload
        due = assessment_rules.due_violations(order.ship_by, ship_at, collect_by, ship_at,
                                              ship_at)
    known = {(v.kind, v.due_at) for v in order.violations}
    found = [v for v in due if (v.kind, v.due_at) not in known]
    deductions, views = order_deductions(order), []
    deduction = points = compensation = ZERO
    late = sum(1 for v in order.violations
               if v.kind is assessment_rules.LATE_SHIPMENT and counts(v))
    for violation in found:
        exempted_by = exemption_of(uow, order, violation, None if closed_at else ship_at)
        views.append(ViolationView(violation.kind.value, violation.due_at, None,
                                   exempted_by.value if exempted_by else None, False))
        if exempted_by is not None:
            continue
        # Detected when it falls due (the sweep), or now if that has passed.
        day = assessment_rules.applies_on(max(violation.due_at, uow.now), policy)
        cost = assessment_rules.charge(
            violation, order_deductions=deductions,
            store_deducted_today=uow.assessment.deducted_on(order.store_id, day) + deduction,
            amount=order.amount, compensable=is_compensable(order), policy=policy)
        deductions += cost.deduction > 0
        deduction += cost.deduction
        points += cost.points
        compensation += cost.compensation
        late += violation.kind is assessment_rules.LATE_SHIPMENT
    return AssessmentView(order.order_no, uow.now, ship_at, order.status.value,
                          order.ship_by, order.ship_by_source.value, collect_by, None, views,
                          deduction, points, compensation,
                          assessment_rules.bans_product(late, policy), closed_at)


# --- a store's ledger ------------------------------------------------------------------


def store_penalties(uow: UnitOfWork, caller: Caller, store_id: int, *,
                    start: date | None = None, end: date | None = None, limit: int,
                    cursor: str | None = None) -> LedgerPage:
    """Ledger entries of ``start``..``end`` (business days, both included), oldest first,
    with totals for the whole range and for each day."""
    if caller.role not in LEDGER_READERS:
        raise Forbidden("A store's penalty ledger is read by its owner and reviewers.")
    after = pagination.decode_instant_id(cursor)
    with uow:
        if uow.accounts.store(store_id) is None or (
                caller.role is Role.OWNER and caller.store_id != store_id):
            raise NotFound(f"No store {store_id}.")
        end = end or business_day(uow.now, uow.policy)
        start = start or end - timedelta(days=DEFAULT_LEDGER_DAYS - 1)
        for name, day in (("from", start), ("to", end)):
            if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                raise InvalidInput(f"{name} must be between the years {EARLIEST_YEAR} and "
                                   f"{LATEST_YEAR}.", field=name)
        if start > end:
            raise InvalidInput("from is after to.", field="from")
        if (end - start).days >= MAX_LEDGER_DAYS:
            raise InvalidInput(f"At most {MAX_LEDGER_DAYS} days at once.", field="to")
        zone = ZoneInfo(uow.policy.business_zone)
        lower = datetime.combine(start, time(), zone)
        upper = datetime.combine(end + timedelta(days=1), time(), zone)
        entries = list(uow.assessment.ledger(store_id, lower, upper, after=after,
                                             limit=limit + 1))
        more = len(entries) > limit
        entries = entries[:limit]
        next_cursor = (pagination.encode_instant_id(entries[-1].at, entries[-1].id)
                       if more else None)
        rows = uow.assessment.ledger_between(store_id, lower, upper)
        by_day: dict[date, list[tuple[LedgerKind, Decimal, Decimal]]] = defaultdict(list)
        for at, kind, amount, points in rows:
            by_day[business_day(at, uow.policy)].append((kind, amount, points))
        days = [DayTotals(**vars(_totals(by_day[day])), day=day) for day in sorted(by_day)]
        return LedgerPage(store_id, start, end, [LedgerEntryView.of(e) for e in entries],
                          next_cursor, _totals([r[1:] for r in rows]), days)


def _totals(rows: list[tuple[LedgerKind, Decimal, Decimal]]) -> LedgerTotals:
    def total(kind: LedgerKind) -> Decimal:
        return sum((amount for k, amount, _ in rows if k is kind), ZERO)
    deducted, compensated = total(LedgerKind.DEPOSIT_DEDUCTION), total(
        LedgerKind.BUYER_COMPENSATION)
    reversed_ = total(LedgerKind.REVERSAL)
    return LedgerTotals(deducted, compensated, reversed_,
                        sum((points for _, _, points in rows), ZERO),
                        deducted + compensated + reversed_)
