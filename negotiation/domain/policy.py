"""Every configurable number of RULES.md, with its default, in one place."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Policy:
    max_cards: int = 3
    """Cards per order (seed 002)."""
    answer_window: timedelta = timedelta(hours=24)
    """How long the buyer has to answer a card (seed 002)."""
    proposal_horizon: timedelta = timedelta(days=30)
    """A proposal may be at most this far after the order's original deadline."""
    proposal_lead: timedelta = timedelta(0)
    """A card must be sent at least this long before the current deadline."""
    expiry_notice_lead: timedelta = timedelta(hours=2)
    """``card.expiring_soon`` is recorded this long before a pending card lapses."""
    handling_time: timedelta = timedelta(hours=48)
    """Paid time + this is the original deadline when an order comes without one."""
    abuse_sample: int = 20
    """How many of a store's latest decided cards the abuse rule looks at (§2.4)."""
    abuse_ratio: float = 0.8
    """Share of rejected or expired cards in that sample that flags the store."""
    collection_window: timedelta = timedelta(hours=72)
    """Normal mode: the first carrier scan is due this long after payment (seed 004)."""
    collection_window_after_upload: timedelta = timedelta(hours=24)
    """Express and tiered modes: due this long after the tracking number (seed 004)."""
    report_horizon: timedelta = timedelta(days=15)
    """A report's latest time is at most this far after the deadline it replaces."""
    review_window: timedelta = timedelta(hours=48)
    """A report's review is due this long after submission (seed 000; seed 001 says 24 h)."""
    appeal_window: timedelta = timedelta(days=7)
    """A violation may be appealed this long after its detection (seed 001)."""
    appeal_review_window: timedelta = timedelta(hours=48)
    """An appeal's review is due this long after submission."""
    store_window_max: timedelta = timedelta(days=30)
    """The longest window one store report may cover."""
    report_max_items: int = 100
    """Orders or tracking numbers one report may name."""
    evidence_max_bytes: int = 10 * 1024 * 1024
    """The largest evidence file accepted."""
    evidence_max_files: int = 10
    """Evidence files one report may carry."""
    evidence_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp",
                                       "application/pdf")
    """The kinds of evidence accepted, recognised by their content, not their name."""
    business_zone: str = "Asia/Shanghai"
    """Where calendar days are counted: working days, the daily deduction cap."""
    holidays: tuple[date, ...] = ()
    """Days that are not working days besides weekends (for handling in working days)."""
    deposit_deduction: Decimal = Decimal("10")
    """Deducted from the store's deposit per violating order (seed 004)."""
    max_deductions_per_order: int = 2
    """At most this many deductions for one order (seed 004)."""
    daily_deduction_cap: Decimal = Decimal("500")
    """At most this much deducted from one store per calendar day (seed 004)."""
    points_per_violation: Decimal = Decimal("0.1")
    """Points recorded per violation (seed 004)."""
    ban_after_ship_timeouts: int = 2
    """More ship timeouts than this on one order ban its product (seed 004)."""
    auto_close_after: timedelta = timedelta(days=150)
    """An order neither shipped nor refunded this long after payment closes (seed 004)."""
    compensation_rate: Decimal = Decimal("0.05")
    """Automatic compensation on a late shipment: this share of the amount, ..."""
    compensation_min: Decimal = Decimal("5")
    """... at least this much, ..."""
    compensation_max: Decimal = Decimal("30")
    """... and at most this much."""
    regional_extension: timedelta = timedelta(days=14)
    """Added to the deadlines of orders in an extended region (seed 001)."""
    regional_window_max: timedelta = timedelta(days=90)
    """The longest window one regional exemption or extension may cover."""
    extension_min_suspended_carriers: int = 6
    """A region is extended for carrier suspensions from this many carriers (seed 001:
    "more than 5")."""

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Policy:
        """Build from config, accepting hours for the durations (``answer_window_hours``)."""
        policy = cls()
        if not values:
            return policy
        known = {f.name: f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key.endswith("_hours") and key.removesuffix("_hours") in known:
                changes[key.removesuffix("_hours")] = timedelta(hours=value)
            elif key.endswith("_days") and key.removesuffix("_days") in known:
                changes[key.removesuffix("_days")] = timedelta(days=value)
            elif key in known:
                changes[key] = _typed(known[key].type, value)
            else:
                raise ValueError(f"unknown policy setting {key!r}")
        return replace(policy, **changes)


def _typed(annotation: Any, value: Any) -> Any:
    """Config arrives as JSON: money as strings or numbers, day lists as ISO strings."""
    if annotation == "Decimal":
        return Decimal(str(value))
    if annotation == "tuple[date, ...]":
        return tuple(date.fromisoformat(str(day)) for day in value)
    return tuple(value) if isinstance(value, list) else value
