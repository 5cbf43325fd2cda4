"""What a missed deadline costs (RULES.md §4): violations, deductions, compensation.

Pure arithmetic over instants, amounts and the policy: which violations an order has by
a given moment, what the ledger may still deduct, what the buyer is owed. Money is
``Decimal`` throughout and never touches a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from negotiation.domain.deadlines import is_met
from negotiation.domain.policy import Policy

CENT = Decimal("0.01")
LATE_SHIPMENT = "late_shipment"
COLLECTION_TIMEOUT = "collection_timeout"


# --- calendar days ---------------------------------------------------------------------


def business_day(at: datetime, policy: Policy) -> date:
    """The calendar day an instant falls on where the platform counts days."""
    return at.astimezone(ZoneInfo(policy.business_zone)).date()


def is_working_day(day: date, policy: Policy) -> bool:
    return day.weekday() < 5 and day not in policy.holidays


def after_working_days(paid_at: datetime, days: int, policy: Policy) -> datetime:
    """The end of the ``days``-th working day after the day of payment (seed 003's
    "1 or 2 working days"): paid on Friday with 1 working day, ship by Monday midnight."""
    zone = ZoneInfo(policy.business_zone)
    day = paid_at.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, policy):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(paid_at.tzinfo)


# --- violations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    kind: str
    due_at: datetime


def late_shipment(ship_by: datetime, shipped_at: datetime | None,
                  now: datetime) -> Violation | None:
    """Shipped at or after the deadline, or still unshipped once it has passed."""
    if shipped_at is not None:
        return None if is_met(shipped_at, ship_by) else Violation(LATE_SHIPMENT, ship_by)
    return Violation(LATE_SHIPMENT, ship_by) if now >= ship_by else None


def collection_timeout(collect_by: datetime | None, collected_at: datetime | None,
                       now: datetime) -> Violation | None:
    """No first carrier scan strictly before the collection deadline (seed 004).
    ``collect_by`` is None while the deadline cannot be known yet (no tracking number in
    express and tiered modes)."""
    if collect_by is None:
        return None
    if collected_at is not None:
        return None if is_met(collected_at, collect_by) else Violation(COLLECTION_TIMEOUT,
                                                                       collect_by)
    return Violation(COLLECTION_TIMEOUT, collect_by) if now >= collect_by else None


# --- the ledger ------------------------------------------------------------------------


def deduction(order_deductions: int, store_deducted_today: Decimal,
              policy: Policy) -> Decimal:
    """What one more violation of an order may deduct from the store's deposit: the
    per-order count and the store's daily cap both limit it (seed 004)."""
    if order_deductions >= policy.max_deductions_per_order:
        return Decimal("0")
    room = policy.daily_deduction_cap - store_deducted_today
    return max(Decimal("0"), min(policy.deposit_deduction, room))


def bans_product(ship_timeouts: int, policy: Policy) -> bool:
    """More than the allowed ship timeouts on one order ban its product (seed 004)."""
    return ship_timeouts > policy.ban_after_ship_timeouts


def is_due_to_close(paid_at: datetime, shipped: bool, refunded: bool, now: datetime,
                    policy: Policy) -> bool:
    """Neither shipped nor refunded this long after payment: the order closes (seed 004)."""
    return not shipped and not refunded and now >= paid_at + policy.auto_close_after


def compensation(amount: Decimal, policy: Policy) -> Decimal:
    """What a late shipment owes the buyer: a share of the amount, within the bounds."""
    owed = (amount * policy.compensation_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(max(owed, policy.compensation_min), policy.compensation_max)
