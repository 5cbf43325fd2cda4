"""What the assessment queries hand back: plain values for the API and the forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models import Appeal, LedgerEntry, RegionalExemption, RegionalExtension, Scan, Violation
from negotiation.domain import declarations
from negotiation.domain.enums import LedgerKind


@dataclass(frozen=True)
class ViolationView:
    kind: str
    due_at: datetime
    detected_at: datetime | None  # None: what shipping at ``ship_at`` would add
    exempted_by: str | None
    recorded: bool
    disproved_at: datetime | None = None
    id: int | None = None  # None: what shipping at ``ship_at`` would add
    appeal: AppealSummary | None = None

    @classmethod
    def of(cls, violation: Violation, appeal: Appeal | None = None) -> ViolationView:
        return cls(violation.kind.value, violation.due_at, violation.detected_at,
                   violation.exempted_by.value if violation.exempted_by else None, True,
                   violation.disproved_at, violation.id,
                   AppealSummary(appeal.id, appeal.state.value) if appeal else None)


@dataclass(frozen=True)
class AppealSummary:
    """A violation's appeal, as the violation shows it."""

    id: int
    state: str


@dataclass(frozen=True)
class AssessmentView:
    """An order's deadlines and what it has cost, or would cost if shipped at ``ship_at``.

    The amounts add what is recorded and still stands to what shipping at ``ship_at``
    would add; ``recorded`` on each violation tells the two apart.
    """

    order_no: str
    at: datetime
    ship_at: datetime | None
    status: str
    ship_by: datetime
    ship_by_source: str
    collect_by: datetime | None
    collected_at: datetime | None
    violations: list[ViolationView]
    deduction: Decimal
    points: Decimal
    compensation: Decimal
    product_banned: bool
    closed_at: datetime | None
    # What would waive a collection timeout due at ``collect_by``, the order as it stands
    # (or shipped at ``ship_at``): the rule's own answer, for the pages to put in words.
    collection_waived_by: str | None = None


@dataclass(frozen=True)
class LedgerEntryView:
    id: int
    order_no: str
    kind: str
    violation_kind: str | None
    amount: Decimal
    points: Decimal
    at: datetime
    applies_on: date | None
    reverses: int | None
    revoked_at: datetime | None
    # A reversal's cause: what waived its violation (an overturned appeal, a late report…).
    waived_by: str | None = None

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryView:
        violation = entry.violation
        waived_by = (violation.exempted_by.value if violation and violation.exempted_by
                     and entry.kind is LedgerKind.REVERSAL else None)
        return cls(entry.id, entry.order_no, entry.kind.value,
                   violation.kind.value if violation else None, entry.amount,
                   entry.points, entry.at, entry.applies_on, entry.reverses_id,
                   entry.revoked_at, waived_by)


@dataclass(frozen=True)
class LedgerTotals:
    """Sums over entries; reversals count negative, so ``net`` is what stands."""

    deducted: Decimal
    compensated: Decimal
    reversed: Decimal
    points: Decimal
    net: Decimal


@dataclass(frozen=True)
class DayTotals(LedgerTotals):
    day: date


@dataclass(frozen=True)
class LedgerPage:
    store_id: int
    start: date
    end: date
    items: list[LedgerEntryView]
    next_cursor: str | None
    totals: LedgerTotals
    days: list[DayTotals]


@dataclass(frozen=True)
class ScanView:
    id: int
    tracking_no: str
    order_no: str
    kind: str
    at: datetime
    recorded_at: datetime
    collected_at: datetime | None
    collect_by: datetime | None

    @classmethod
    def of(cls, scan: Scan, tracking_no: str, order_no: str, collected_at: datetime | None,
           collect_by: datetime | None) -> ScanView:
        return cls(scan.id, tracking_no, order_no, scan.kind.value, scan.at, scan.recorded_at,
                   collected_at, collect_by)


@dataclass(frozen=True)
class ExemptionView:
    id: int
    region: str
    starts_at: datetime
    ends_at: datetime
    kinds: list[str]
    note: str | None
    created_by: int
    created_at: datetime
    state: str
    ended_at: datetime | None
    ended_by: int | None
    violations_waived: int | None = None  # only when just declared

    @classmethod
    def of(cls, row: RegionalExemption, now: datetime,
           waived: int | None = None) -> ExemptionView:
        return cls(row.id, row.region, row.starts_at, row.ends_at, list(row.kinds), row.note,
                   row.created_by, row.created_at, _state(row, now), row.ended_at,
                   row.ended_by, waived)


@dataclass(frozen=True)
class ExtensionView:
    id: int
    region: str
    cause: str
    suspended_carriers: int | None
    starts_at: datetime
    ends_at: datetime
    created_by: int
    created_at: datetime
    state: str
    ended_at: datetime | None
    ended_by: int | None
    orders_extended: int | None = None  # only when just declared

    @classmethod
    def of(cls, row: RegionalExtension, now: datetime,
           extended: int | None = None) -> ExtensionView:
        return cls(row.id, row.region, row.cause.value, row.suspended_carriers, row.starts_at,
                   row.ends_at, row.created_by, row.created_at, _state(row, now),
                   row.ended_at, row.ended_by, extended)


def _state(row: RegionalExemption | RegionalExtension, now: datetime) -> str:
    return declarations.state_of(row.starts_at, row.ends_at, row.ended_at, now).value
