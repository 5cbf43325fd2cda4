"""What a missed deadline costs (RULES.md §4): violations, exemptions, charges.

Pure arithmetic over instants, amounts and the policy: which violations an order has by
a given moment, what waives them, what the ledger may still deduct and what the buyer
is owed. Money is ``Decimal`` throughout and never touches a float.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from negotiation.domain.deadlines import Deadline, is_met
from negotiation.domain.enums import ExemptedBy, ShipBySource, ViolationKind
from negotiation.domain.policy import Policy
from negotiation.domain.workdays import business_day

CENT = Decimal("0.01")
ZERO = Decimal("0")
LATE_SHIPMENT = ViolationKind.LATE_SHIPMENT
COLLECTION_TIMEOUT = ViolationKind.COLLECTION_TIMEOUT


# --- violations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
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


def due_violations(ship_by: datetime, shipped_at: datetime | None,
                   collect_by: datetime | None, collected_at: datetime | None,
                   now: datetime) -> list[Violation]:
    """Every violation an order has by ``now``, against its deadlines as they stand."""
    found = (late_shipment(ship_by, shipped_at, now),
             collection_timeout(collect_by, collected_at, now))
    return [v for v in found if v is not None]


def disproved(violation: Violation, *, shipped_at: datetime | None,
              collected_at: datetime | None) -> bool:
    """Whether what is now known shows a recorded deadline was met after all.

    A scan is judged by when it was taken: a carrier feed that reports a collection scan
    late can show, after the violation was recorded, that the parcel was collected in
    time. Then the violation never happened; it is not waived (nothing excused it).
    """
    done = shipped_at if violation.kind is LATE_SHIPMENT else collected_at
    return done is not None and is_met(done, violation.due_at)


# --- exemptions ------------------------------------------------------------------------

# What waives a violation when the rule that moved the deadline past it is ...
_WAIVER_OF_SOURCE = {
    ShipBySource.AGREED_CARD: ExemptedBy.AGREED_CARD,
    ShipBySource.DELAY_REPORT: ExemptedBy.DELAY_REPORT,
    ShipBySource.REGIONAL_EXTENSION: ExemptedBy.REGIONAL_EXEMPTION,
}


@dataclass(frozen=True)
class RegionalExemption:
    """A reviewer's declaration: in this region and window, these timeouts are waived."""

    region: str
    starts_at: datetime
    ends_at: datetime
    kinds: frozenset[ViolationKind]

    def covers(self, region: str | None, violation: Violation) -> bool:
        """Half-open window on the violation's due time, like every window here."""
        return (region == self.region and violation.kind in self.kinds
                and self.starts_at <= violation.due_at < self.ends_at)


def exemption(violation: Violation, *, ship_by: Deadline, collect_by: datetime | None,
              region: str | None, exemptions: Iterable[RegionalExemption] = (),
              shipped_at: datetime | None = None) -> ExemptedBy | None:
    """What waives a violation, if anything.

    A regional exemption whose window holds the due time waives it outright (seed 001).
    Otherwise a violation is waived when its deadline has since moved past the moment it
    fell due: an approved report filed after the fact (seed 000), or a regional
    extension. A collection timeout is also waived when the seller was allowed to ship
    after it fell due, by an agreed card or an approved report, and had not shipped
    before it: a parcel not yet due to leave cannot be collected, but one that left in
    time was the carrier's to collect.
    """
    if any(e.covers(region, violation) for e in exemptions):
        return ExemptedBy.REGIONAL_EXEMPTION
    if violation.kind is COLLECTION_TIMEOUT and collect_by is not None \
            and collect_by > violation.due_at:
        return ExemptedBy.DELAY_REPORT  # only an approved collection report moves it
    if ship_by.at <= violation.due_at:
        return None
    if violation.kind is LATE_SHIPMENT or shipped_at is None or shipped_at >= violation.due_at:
        return _WAIVER_OF_SOURCE.get(ship_by.source)
    return None


# --- the ledger ------------------------------------------------------------------------


def deduction(order_deductions: int, store_deducted_today: Decimal,
              policy: Policy) -> Decimal:
    """What one more violation of an order may deduct from the store's deposit: the
    per-order count and the store's daily cap both limit it (seed 004)."""
    if order_deductions >= policy.max_deductions_per_order:
        return ZERO
    room = policy.daily_deduction_cap - store_deducted_today
    return max(ZERO, min(policy.deposit_deduction, room))


def applies_on(detected_at: datetime, policy: Policy) -> date:
    """A deduction is taken from the deposit the day after the violation (seed 004)."""
    return business_day(detected_at, policy) + timedelta(days=1)


@dataclass(frozen=True)
class Charge:
    """What one violation costs: the deduction, its points and the buyer's compensation."""

    deduction: Decimal
    points: Decimal
    compensation: Decimal


NO_CHARGE = Charge(ZERO, ZERO, ZERO)


def charge(violation: Violation, *, order_deductions: int, store_deducted_today: Decimal,
           amount: Decimal, compensable: bool, policy: Policy) -> Charge:
    """The cost of one unwaived violation.

    Every violation carries its points, even when the per-order count or the daily cap
    leaves nothing to deduct. Only a late shipment compensates the buyer, and only when
    neither an agreed card nor an approved report covers the order (RULES.md §4).
    """
    owed = (compensation(amount, policy)
            if violation.kind is LATE_SHIPMENT and compensable else ZERO)
    return Charge(deduction(order_deductions, store_deducted_today, policy),
                  policy.points_per_violation, owed)


def is_compensable(ship_by_source: ShipBySource, agreed: bool,
                   covered_by_report: bool) -> bool:
    return not agreed and not covered_by_report and ship_by_source not in (
        ShipBySource.AGREED_CARD, ShipBySource.DELAY_REPORT)


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


def next_assessment(*, closed: bool, ship_by: datetime, shipped_at: datetime | None,
                    collect_by: datetime | None, collected_at: datetime | None,
                    paid_at: datetime, now: datetime, policy: Policy) -> datetime | None:
    """The next instant something may fall due for an order assessed at ``now``.

    What fell due up to ``now`` has just been recorded, so only later instants count. A
    deadline that moves later afterwards makes this early, which costs one check that
    finds nothing; no deadline ever moves earlier.
    """
    if closed:
        return None
    candidates = []
    if shipped_at is None:
        candidates += [ship_by, paid_at + policy.auto_close_after]
    if collect_by is not None and collected_at is None:
        candidates.append(collect_by)
    return min((at for at in candidates if at > now), default=None)
