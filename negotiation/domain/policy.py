"""Every configurable number of RULES.md, with its default, in one place."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
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
    handling_time: timedelta = timedelta(hours=48)
    """Paid time + this is the original deadline when an order comes without one."""
    abuse_sample: int = 20
    """How many of a store's latest decided cards the abuse rule looks at (§2.4)."""
    abuse_ratio: float = 0.8
    """Share of rejected or expired cards in that sample that flags the store."""

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
                changes[key] = value
            else:
                raise ValueError(f"unknown policy setting {key!r}")
        return replace(policy, **changes)
