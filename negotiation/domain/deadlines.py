"""Which instant is an order's ship deadline, and which rule set it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from negotiation.domain.enums import ShipBySource
from negotiation.domain.policy import Policy


@dataclass(frozen=True)
class Deadline:
    at: datetime
    source: ShipBySource


def original_ship_by(paid_at: datetime, given: datetime | None, policy: Policy,
                     handling_hours: int | None = None) -> datetime:
    """The deadline an order is born with: given, or paid time + the handling time."""
    if given is not None:
        return given
    if handling_hours is not None:
        return paid_at + timedelta(hours=handling_hours)
    return paid_at + policy.handling_time


def resolve_ship_by(original: datetime, agreed: datetime | None = None) -> Deadline:
    """The effective deadline: the latest of the candidates, and the rule that won.

    Ties go to the earlier candidate, so an agreement that changes nothing still reads
    as the original deadline.
    """
    best = Deadline(original, ShipBySource.ORIGINAL)
    if agreed is not None and agreed > best.at:
        best = Deadline(agreed, ShipBySource.AGREED_CARD)
    return best


def is_met(at: datetime, deadline: datetime) -> bool:
    """RULES.md §5: a deadline is met when the action happens strictly before it."""
    return at < deadline
